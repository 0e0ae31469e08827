"""Screening rules, outcome, ordering and medication matching (pure: no database)."""

import copy
import json
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.medications import match_medication
from intake.screening import (
    BOOL_FIELDS,
    ENUM_FIELDS,
    RULES,
    RULES_BY_CODE,
    RULESET_VERSION,
    Answers,
    screen,
    validate_answers,
)
from intake.tests.answers import intake_data

TODAY = date(2026, 11, 22)


def run(today=TODAY, breastfeeding_severity="note", **overrides):
    return screen(
        validate_answers(intake_data(**overrides), today=today),
        today=today,
        breastfeeding_severity=breastfeeding_severity,
    )


def codes(result) -> list[str]:
    return [flag.code for flag in result.flags]


# --- The rule table --------------------------------------------------------------------------

RULE_TABLE = [
    ("KETAMINE_ALLERGY", "exclude"),
    ("PSYCHOSIS_PRIMARY", "exclude"),
    ("PSYCHOSIS_TRANSIENT", "review"),
    ("MANIA_SEVERE", "exclude"),
    ("HYPOMANIA", "note"),
    ("SEIZURE_DISORDER", "exclude"),
    ("SEIZURE_PROVOKED", "note"),
    ("CEREBROVASCULAR", "exclude"),
    ("HYPERTENSION_UNCONTROLLED", "defer"),
    ("BP_ELEVATED", "review"),
    ("HYPERTENSION_CONTROLLED", "note"),
    ("CARDIAC_SEVERE", "exclude"),
    ("CARDIAC_MILD_MODERATE", "review"),
    ("LIVER_SEVERE", "exclude"),
    ("KIDNEY_SEVERE", "review"),
    ("HYPERTHYROIDISM_UNTREATED", "defer"),
    ("UNSTABLE_MEDICAL", "review"),
    ("BLADDER_CONDITION", "review"),
    ("SUBSTANCE_HEAVY", "review"),
    ("SUBSTANCE_HISTORY", "note"),
    ("PREGNANCY", "defer"),
    ("BREASTFEEDING", "note"),
    ("AGE_UNDER_18", "review"),
    ("NOT_TREATMENT_RESISTANT", "note"),
    ("SUICIDE_RISK", "urgent"),
    ("MEDICATION_UNRECOGNIZED", "note"),
]
INTERACTION_CLASSES = [
    "BENZODIAZEPINE",
    "OPIOID",
    "BARBITURATE",
    "ANTIDEPRESSANT",
    "MAOI",
    "STIMULANT",
    "ANTIHYPERTENSIVE",
    "LAMOTRIGINE",
]


def test_it_has_exactly_one_rule_per_domain_row_with_its_severity():
    expected = RULE_TABLE + [(f"INTERACTION_{c}", "note") for c in INTERACTION_CLASSES]
    assert [(rule.code, rule.severity) for rule in RULES] == expected
    assert set(RULES_BY_CODE) == {code for code, _ in expected}


def test_it_gives_every_rule_a_reason_and_a_source():
    for rule in RULES:
        assert rule.reason.strip() and "\n" not in rule.reason, rule.code
        assert rule.source.strip(), rule.code


def test_it_has_a_ruleset_version_and_reports_it():
    assert RULESET_VERSION == "2026.11.2"
    result = run()
    assert result.ruleset == RULESET_VERSION
    assert result.as_dict()["ruleset"] == RULESET_VERSION


def test_it_clears_an_intake_on_which_no_rule_fires():
    result = run()
    assert result.flags == ()
    assert result.outcome == "clear"
    assert result.urgent is False


FIRES = [
    # (code, overrides that make it fire, overrides that are the nearest case where it must not)
    ("KETAMINE_ALLERGY", {"ketamine_allergy": True}, {"ketamine_allergy": False}),
    ("PSYCHOSIS_PRIMARY", {"psychosis_history": "primary"}, {"psychosis_history": "transient"}),
    ("PSYCHOSIS_TRANSIENT", {"psychosis_history": "transient"}, {"psychosis_history": "primary"}),
    ("MANIA_SEVERE", {"mania_history": "bipolar_i_or_severe"}, {"mania_history": "hypomanic"}),
    ("MANIA_SEVERE", {"mania_history": "current"}, {"mania_history": "none"}),
    ("HYPOMANIA", {"mania_history": "hypomanic"}, {"mania_history": "current"}),
    ("SEIZURE_DISORDER", {"seizure_history": "disorder"}, {"seizure_history": "provoked"}),
    ("SEIZURE_PROVOKED", {"seizure_history": "provoked"}, {"seizure_history": "disorder"}),
    ("CEREBROVASCULAR", {"cerebrovascular_history": True}, {"cerebrovascular_history": False}),
    ("HYPERTENSION_UNCONTROLLED", {"hypertension": "uncontrolled"}, {"hypertension": "controlled"}),
    (
        "HYPERTENSION_UNCONTROLLED",
        {"blood_pressure": {"systolic": 181, "diastolic": 80}},
        {"blood_pressure": {"systolic": 180, "diastolic": 100}},
    ),
    (
        "BP_ELEVATED",
        {"blood_pressure": {"systolic": 141, "diastolic": 80}},
        {"blood_pressure": {"systolic": 140, "diastolic": 90}},
    ),
    ("HYPERTENSION_CONTROLLED", {"hypertension": "controlled"}, {"hypertension": "uncontrolled"}),
    ("CARDIAC_SEVERE", {"cardiac": "severe"}, {"cardiac": "mild_moderate"}),
    ("CARDIAC_MILD_MODERATE", {"cardiac": "mild_moderate"}, {"cardiac": "severe"}),
    ("LIVER_SEVERE", {"liver": "severe"}, {"liver": "mild_moderate"}),
    ("KIDNEY_SEVERE", {"kidney": "severe"}, {"kidney": "mild_moderate"}),
    ("HYPERTHYROIDISM_UNTREATED", {"hyperthyroidism": "untreated"}, {"hyperthyroidism": "treated"}),
    ("UNSTABLE_MEDICAL", {"unstable_medical_condition": True}, {"unstable_medical_condition": False}),
    ("BLADDER_CONDITION", {"bladder_condition": True}, {"bladder_condition": False}),
    ("SUBSTANCE_HEAVY", {"substance_use": "current_heavy"}, {"substance_use": "history_or_moderate"}),
    ("SUBSTANCE_HISTORY", {"substance_use": "history_or_moderate"}, {"substance_use": "current_heavy"}),
    ("PREGNANCY", {"pregnancy": "pregnant"}, {"pregnancy": "no"}),
    ("PREGNANCY", {"pregnancy": "planning"}, {"pregnancy": "no"}),
    ("BREASTFEEDING", {"breastfeeding": True}, {"breastfeeding": False}),
    (
        "AGE_UNDER_18",
        {"patient": {"first_name": "K", "last_name": "M", "date_of_birth": "2008-11-23", "weight_kg": 60}},
        {"patient": {"first_name": "K", "last_name": "M", "date_of_birth": "2008-11-22", "weight_kg": 60}},
    ),
    (
        "NOT_TREATMENT_RESISTANT",
        {"indication": "depression", "failed_antidepressant_trials": 1},
        {"indication": "depression", "failed_antidepressant_trials": 2},
    ),
    ("SUICIDE_RISK", {"phq9": [0, 0, 0, 0, 0, 0, 0, 0, 1]}, {"phq9": [3, 3, 3, 3, 3, 3, 3, 3, 0]}),
    ("MEDICATION_UNRECOGNIZED", {"medications": ["fish oil"]}, {"medications": ["sertraline"]}),
    ("INTERACTION_BENZODIAZEPINE", {"medications": ["Xanax 1 mg"]}, {"medications": ["Zoloft"]}),
    ("INTERACTION_OPIOID", {"medications": ["tramadol"]}, {"medications": ["Xanax"]}),
    ("INTERACTION_BARBITURATE", {"medications": ["butalbital"]}, {"medications": ["Xanax"]}),
    ("INTERACTION_ANTIDEPRESSANT", {"medications": ["Lexapro 10mg"]}, {"medications": ["Xanax"]}),
    ("INTERACTION_MAOI", {"medications": ["Nardil"]}, {"medications": ["Xanax"]}),
    ("INTERACTION_STIMULANT", {"medications": ["Ritalin"]}, {"medications": ["Xanax"]}),
    ("INTERACTION_ANTIHYPERTENSIVE", {"medications": ["lisinopril 10 mg"]}, {"medications": ["Xanax"]}),
    ("INTERACTION_LAMOTRIGINE", {"medications": ["Lamictal"]}, {"medications": ["Xanax"]}),
]


@pytest.mark.parametrize(("code", "fire", "quiet"), FIRES, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(FIRES)])
def test_it_fires_each_rule_only_when_its_condition_holds(code, fire, quiet):
    fired = run(**fire)
    assert code in codes(fired)
    flag = next(f for f in fired.flags if f.code == code)
    assert flag.severity == RULES_BY_CODE[code].severity
    assert flag.reason and flag.source
    assert code not in codes(run(**quiet))


@pytest.mark.parametrize(("code", "severity"), [row for row in RULE_TABLE if row[1] != "urgent"])
def test_it_derives_the_outcome_from_a_single_flag(code, severity):
    overrides = next(fire for c, fire, _ in FIRES if c == code)
    result = run(**overrides)
    assert codes(result) == [code]
    assert result.outcome == ("clear" if severity == "note" else severity)
    assert result.urgent is False


# --- Blood pressure thresholds ---------------------------------------------------------------

BP_CASES = [
    (None, "none", set()),
    ((140, 90), "none", set()),
    ((141, 90), "none", {"BP_ELEVATED"}),  # systolic alone
    ((140, 91), "none", {"BP_ELEVATED"}),  # diastolic alone
    ((141, 91), "none", {"BP_ELEVATED"}),
    ((180, 100), "none", {"BP_ELEVATED"}),
    ((181, 100), "none", {"HYPERTENSION_UNCONTROLLED"}),  # systolic alone
    ((180, 101), "none", {"HYPERTENSION_UNCONTROLLED"}),  # diastolic alone
    ((181, 101), "none", {"HYPERTENSION_UNCONTROLLED"}),
    ((130, 101), "none", {"HYPERTENSION_UNCONTROLLED"}),
    ((190, 85), "none", {"HYPERTENSION_UNCONTROLLED"}),
    (None, "uncontrolled", {"HYPERTENSION_UNCONTROLLED"}),
    ((120, 80), "uncontrolled", {"HYPERTENSION_UNCONTROLLED"}),
    # The table read literally: uncontrolled hypertension with 150/95 fires both rules.
    ((150, 95), "uncontrolled", {"HYPERTENSION_UNCONTROLLED", "BP_ELEVATED"}),
    ((190, 110), "uncontrolled", {"HYPERTENSION_UNCONTROLLED"}),
    ((150, 95), "controlled", {"HYPERTENSION_CONTROLLED", "BP_ELEVATED"}),
    ((190, 110), "controlled", {"HYPERTENSION_CONTROLLED", "HYPERTENSION_UNCONTROLLED"}),
]


@pytest.mark.parametrize(("bp", "hypertension", "expected"), BP_CASES)
def test_it_applies_the_blood_pressure_thresholds_exactly(bp, hypertension, expected):
    reading = None if bp is None else {"systolic": bp[0], "diastolic": bp[1]}
    result = run(blood_pressure=reading, hypertension=hypertension)
    assert set(codes(result)) == expected
    if "HYPERTENSION_UNCONTROLLED" in expected:
        assert result.outcome == "defer"
    elif "BP_ELEVATED" in expected:
        assert result.outcome == "review"


# --- Outcome, urgency and ordering -----------------------------------------------------------

ITEM9 = [0, 0, 0, 0, 0, 0, 0, 0, 2]


@pytest.mark.parametrize(
    ("overrides", "outcome", "urgent"),
    [
        ({"mania_history": "hypomanic", "substance_use": "history_or_moderate"}, "clear", False),
        ({"mania_history": "hypomanic", "bladder_condition": True}, "review", False),
        ({"bladder_condition": True, "pregnancy": "pregnant"}, "defer", False),
        ({"pregnancy": "pregnant", "liver": "severe"}, "exclude", False),
        ({"phq9": ITEM9}, "review", True),
        ({"phq9": ITEM9, "mania_history": "hypomanic"}, "review", True),
        ({"phq9": ITEM9, "bladder_condition": True}, "review", True),
        ({"phq9": ITEM9, "hyperthyroidism": "untreated"}, "defer", True),
        ({"phq9": ITEM9, "ketamine_allergy": True}, "exclude", True),
    ],
)
def test_it_takes_the_highest_severity_and_urgent_makes_it_at_least_review(overrides, outcome, urgent):
    result = run(**overrides)
    assert result.outcome == outcome
    assert result.urgent is urgent


def test_it_orders_flags_urgent_first_then_by_severity_then_table_order():
    result = run(
        medications=["Xanax"],
        mania_history="hypomanic",
        bladder_condition=True,
        pregnancy="pregnant",
        cardiac="mild_moderate",
        hyperthyroidism="untreated",
        liver="severe",
        ketamine_allergy=True,
        phq9=ITEM9,
    )
    assert codes(result) == [
        "SUICIDE_RISK",
        "KETAMINE_ALLERGY",
        "LIVER_SEVERE",
        "HYPERTHYROIDISM_UNTREATED",
        "PREGNANCY",
        "CARDIAC_MILD_MODERATE",
        "BLADDER_CONDITION",
        "HYPOMANIA",
        "INTERACTION_BENZODIAZEPINE",
    ]
    assert [f.severity for f in result.flags] == [
        "urgent",
        "exclude",
        "exclude",
        "defer",
        "defer",
        "review",
        "review",
        "note",
        "note",
    ]


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_it_marks_any_positive_item_9_urgent(item9):
    result = run(phq9=[0] * 8 + [item9])
    assert codes(result) == ["SUICIDE_RISK"]
    assert result.flags[0].severity == "urgent"
    assert result.urgent is True
    assert "988" in result.flags[0].reason


def test_it_is_not_urgent_without_a_phq9():
    result = run(phq9=None)
    assert result.urgent is False
    assert result.scores["phq9"] is None


# --- Clinic setting: breastfeeding -----------------------------------------------------------


@pytest.mark.parametrize(("severity", "outcome"), [("note", "clear"), ("review", "review"), ("defer", "defer")])
def test_it_uses_the_clinic_breastfeeding_severity(severity, outcome):
    result = run(breastfeeding=True, breastfeeding_severity=severity)
    assert [(f.code, f.severity) for f in result.flags] == [("BREASTFEEDING", severity)]
    assert result.outcome == outcome


def test_it_defaults_breastfeeding_to_a_note():
    answers = validate_answers(intake_data(breastfeeding=True), today=TODAY)
    assert screen(answers, today=TODAY).outcome == "clear"


@pytest.mark.parametrize("severity", ["exclude", "urgent", "Review", "", None])
def test_it_refuses_an_unknown_breastfeeding_severity(severity):
    answers = validate_answers(intake_data(), today=TODAY)
    with pytest.raises(ValueError, match="breastfeeding_severity"):
        screen(answers, today=TODAY, breastfeeding_severity=severity)


def test_it_does_not_flag_breastfeeding_when_not_breastfeeding_whatever_the_setting():
    assert run(breastfeeding=False, breastfeeding_severity="defer").flags == ()


# --- Age -------------------------------------------------------------------------------------


def patient_born(dob: str) -> dict:
    return {"patient": {"first_name": "K", "last_name": "M", "date_of_birth": dob, "weight_kg": 60}}


@pytest.mark.parametrize(
    ("dob", "today", "under_18"),
    [
        ("2008-11-23", date(2026, 11, 22), True),  # 17 years 364 days
        ("2008-11-22", date(2026, 11, 22), False),  # 18th birthday
        ("2008-11-21", date(2026, 11, 22), False),
        ("2026-11-21", date(2026, 11, 22), True),  # one day old
        ("2008-02-29", date(2026, 2, 28), True),  # leap-day birth: 18 on 1 March in a common year
        ("2008-02-29", date(2026, 3, 1), False),
        ("2008-02-29", date(2028, 2, 28), False),  # 20 by then, whatever the day
    ],
)
def test_it_flags_age_under_18_on_the_screening_date(dob, today, under_18):
    result = run(today=today, **patient_born(dob))
    assert ("AGE_UNDER_18" in codes(result)) is under_18


def test_it_uses_the_screening_date_not_the_validation_date():
    answers = validate_answers(intake_data(**patient_born("2008-11-23")), today=date(2026, 1, 1))
    assert "AGE_UNDER_18" in codes(screen(answers, today=date(2026, 11, 22)))
    assert "AGE_UNDER_18" not in codes(screen(answers, today=date(2026, 11, 23)))


# --- Treatment resistance --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indication", "trials", "fires"),
    [
        ("depression", 0, True),
        ("depression", 1, True),
        ("depression", 2, False),
        ("depression", 7, False),
        ("anxiety", 0, False),
        ("bipolar_depression", 0, False),
    ],
)
def test_it_notes_depression_that_is_not_treatment_resistant(indication, trials, fires):
    result = run(indication=indication, failed_antidepressant_trials=trials)
    assert ("NOT_TREATMENT_RESISTANT" in codes(result)) is fires
    assert result.outcome == "clear"


# --- Medications -----------------------------------------------------------------------------

# Every name of the interaction table, written out here rather than read from the module.
TABLE_MEDICATIONS = {
    "BENZODIAZEPINE": "alprazolam Xanax diazepam Valium lorazepam Ativan clonazepam Klonopin",
    "OPIOID": "oxycodone OxyContin hydrocodone Vicodin morphine fentanyl tramadol methadone buprenorphine Suboxone",
    "BARBITURATE": "phenobarbital butalbital",
    "ANTIDEPRESSANT": (
        "fluoxetine Prozac sertraline Zoloft escitalopram Lexapro citalopram paroxetine duloxetine Cymbalta "
        "venlafaxine Effexor"
    ),
    "MAOI": "phenelzine Nardil tranylcypromine Parnate selegiline",
    "STIMULANT": "amphetamine Adderall methylphenidate Ritalin modafinil",
    "ANTIHYPERTENSIVE": "metoprolol Lopressor amlodipine Norvasc lisinopril losartan",
    "LAMOTRIGINE": "lamotrigine Lamictal",
}
TABLE_NAME_CASES = [(name, cls) for cls, names in TABLE_MEDICATIONS.items() for name in names.split()]


@pytest.mark.parametrize(("name", "medication_class"), TABLE_NAME_CASES)
def test_it_recognises_every_domain_medication_name_in_any_case_with_dose_text(name, medication_class):
    for entry in (name, name.lower(), name.upper(), f"{name} 50 mg", f"{name.upper()} XR 1mg tablet"):
        assert match_medication(entry) == medication_class, entry
    result = run(medications=[f"{name} 10 mg"])
    assert codes(result) == [f"INTERACTION_{medication_class}"]
    assert result.flags[0].severity == "note"
    assert result.outcome == "clear"


@pytest.mark.parametrize(
    ("entry", "medication_class"),
    [
        ("Zoloft 50 mg", "ANTIDEPRESSANT"),
        ("XANAX XR 1mg", "BENZODIAZEPINE"),
        ("sertraline hydrochloride 100mg tablet", "ANTIDEPRESSANT"),
        ("  zoloft  ", "ANTIDEPRESSANT"),
        ("Zoloft50mg", "ANTIDEPRESSANT"),
        ("Zoloft, 50 mg daily", "ANTIDEPRESSANT"),
        ("Lamictal (lamotrigine) 100 mg", "LAMOTRIGINE"),
        ("Toprol-XL 25 mg", "ANTIHYPERTENSIVE"),
        ("MS Contin 15 mg", "OPIOID"),
        ("Effexor XR 75", "ANTIDEPRESSANT"),
        ("Adderall XR 20 mg capsule", "STIMULANT"),
        ("oxycodone/acetaminophen 5/325", "OPIOID"),
        ("Xanax® 0.5mg", "BENZODIAZEPINE"),
    ],
)
def test_it_matches_the_leading_name_and_ignores_what_follows(entry, medication_class):
    assert match_medication(entry) == medication_class


@pytest.mark.parametrize(
    "entry",
    [
        "Xanaxolol",  # a known name inside another word
        "prozacs",
        "nonzoloft",
        "50 mg sertraline",  # the name is not leading
        "fish oil",
        "vitamin D 1000 IU",
        "MS",  # only the first word of a two-word name
        "Contin",
        "ketamine",
    ],
)
def test_it_does_not_match_unknown_names_or_names_inside_other_words(entry):
    assert match_medication(entry) is None
    result = run(medications=[entry])
    assert codes(result) == ["MEDICATION_UNRECOGNIZED"]
    assert result.flags[0].details == (entry.strip(),)


def test_it_raises_one_interaction_flag_per_class_with_the_entries_as_details():
    result = run(medications=["Zoloft 50 mg", "trazodone 50 mg", "Xanax", "Ativan 1mg"])
    assert codes(result) == ["INTERACTION_BENZODIAZEPINE", "INTERACTION_ANTIDEPRESSANT"]
    by_code = {f.code: f for f in result.flags}
    assert by_code["INTERACTION_ANTIDEPRESSANT"].details == ("Zoloft 50 mg", "trazodone 50 mg")
    assert by_code["INTERACTION_BENZODIAZEPINE"].details == ("Xanax", "Ativan 1mg")
    assert "Zoloft" not in by_code["INTERACTION_ANTIDEPRESSANT"].reason


def test_it_raises_one_unrecognised_flag_counting_the_entries_without_naming_them_in_the_reason():
    result = run(medications=["Zoloft", "St John's wort", "Herbal tea", "Xanaxolol"])
    unrecognized = next(f for f in result.flags if f.code == "MEDICATION_UNRECOGNIZED")
    assert codes(result).count("MEDICATION_UNRECOGNIZED") == 1
    assert unrecognized.details == ("St John's wort", "Herbal tea", "Xanaxolol")
    assert unrecognized.reason.startswith("3 medication entries")
    for text in unrecognized.details:
        assert text not in unrecognized.reason
    assert "INTERACTION_ANTIDEPRESSANT" in codes(result)
    assert "wort" not in json.dumps(result.as_dict())


def test_it_uses_the_singular_for_one_unrecognised_entry():
    result = run(medications=["fish oil"])
    assert result.flags[0].reason.startswith("1 medication entry matches")


def test_it_raises_no_medication_flags_for_an_empty_list():
    assert run(medications=[]).flags == ()


# --- Output shape ----------------------------------------------------------------------------


def test_it_produces_exactly_the_screen_intake_json_shape():
    result = run(phq9=[1, 1, 1, 1, 1, 1, 1, 0, 1], gad7=[2] * 7, medications=["Zoloft"], bladder_condition=True)
    data = result.as_dict()
    assert list(data) == ["outcome", "urgent", "flags", "scores", "ruleset"]
    assert data["outcome"] == "review"
    assert data["urgent"] is True
    assert data["flags"] == [
        {"code": "SUICIDE_RISK", "severity": "urgent", "reason": RULES_BY_CODE["SUICIDE_RISK"].reason},
        {"code": "BLADDER_CONDITION", "severity": "review", "reason": RULES_BY_CODE["BLADDER_CONDITION"].reason},
        {
            "code": "INTERACTION_ANTIDEPRESSANT",
            "severity": "note",
            "reason": RULES_BY_CODE["INTERACTION_ANTIDEPRESSANT"].reason,
        },
    ]
    assert data["scores"] == {"phq9": {"total": 8, "band": "mild"}, "gad7": {"total": 14, "band": "moderate"}}
    assert json.loads(json.dumps(data)) == data
    # The source stays on the Python object.
    assert result.flags[1].source == RULES_BY_CODE["BLADDER_CONDITION"].source


def test_it_refuses_unvalidated_input_and_a_datetime_for_today():
    with pytest.raises(TypeError):
        screen(intake_data(), today=TODAY)
    answers = validate_answers(intake_data(), today=TODAY)
    with pytest.raises(TypeError):
        screen(answers, today=datetime(2026, 11, 22, 12, 0))


def test_it_keeps_health_data_out_of_the_answers_repr():
    answers = validate_answers(intake_data(medications=["Zoloft"]), today=TODAY)
    assert "Ada" not in repr(answers)
    assert "Zoloft" not in repr(answers)
    assert "Ada" not in repr(answers.patient)


# --- Property: any valid intake screens, and the outcome follows from the flags --------------

_OUTCOME_RANK = {"clear": 0, "review": 1, "defer": 2, "exclude": 3}
_ORDER = ["urgent", "exclude", "defer", "review", "note"]
_MEDICATION_ENTRIES = ["Zoloft 50 mg", "XANAX XR 1mg", "fish oil", "Xanaxolol", "Lamictal", "tramadol", "aspirin"]


@st.composite
def valid_intakes(draw):
    dob = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 11, 21)))
    bp = draw(
        st.none()
        | st.tuples(st.integers(50, 300), st.integers(30, 200))
        .filter(lambda p: p[0] > p[1])
        .map(lambda p: {"systolic": p[0], "diastolic": p[1]})
    )
    data = intake_data(
        patient={
            "first_name": draw(
                st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=20).filter(str.strip)
            ),
            "last_name": "X",
            "date_of_birth": dob.isoformat(),
            "weight_kg": draw(st.integers(30, 300) | st.floats(30, 300)),
        },
        failed_antidepressant_trials=draw(st.integers(0, 100)),
        blood_pressure=bp,
        medications=draw(st.lists(st.sampled_from(_MEDICATION_ENTRIES), max_size=5)),
        phq9=draw(st.none() | st.lists(st.integers(0, 3), min_size=9, max_size=9)),
        gad7=draw(st.none() | st.lists(st.integers(0, 3), min_size=7, max_size=7)),
    )
    for name, choices in ENUM_FIELDS.items():
        data[name] = draw(st.sampled_from([value for value, _ in choices]))
    for name in BOOL_FIELDS:
        data[name] = draw(st.booleans())
    return data


@settings(max_examples=300, deadline=None, database=None)
@given(data=valid_intakes(), breastfeeding_severity=st.sampled_from(["note", "review", "defer"]))
def test_it_screens_any_valid_intake_and_the_outcome_follows_the_flags(data, breastfeeding_severity):
    original = copy.deepcopy(data)
    answers = validate_answers(data, today=TODAY)
    assert isinstance(answers, Answers)
    assert data == original  # validation does not mutate its input
    assert validate_answers(answers.as_dict(), today=TODAY) == answers

    result = screen(answers, today=TODAY, breastfeeding_severity=breastfeeding_severity)

    severities = [flag.severity for flag in result.flags]
    highest = max((_OUTCOME_RANK.get(s, 0) for s in severities), default=0)
    expected = next(o for o, rank in _OUTCOME_RANK.items() if rank == highest)
    urgent = "urgent" in severities
    if urgent and expected == "clear":
        expected = "review"
    assert result.outcome == expected
    assert result.urgent is urgent
    assert urgent is (data["phq9"] is not None and data["phq9"][8] >= 1)
    assert [_ORDER.index(s) for s in severities] == sorted(_ORDER.index(s) for s in severities)
    assert len(set(result.flag_codes)) == len(result.flags)
    assert json.loads(json.dumps(result.as_dict())) == result.as_dict()


@pytest.mark.parametrize("entry", ["bupropion 150 mg", "Wellbutrin XL 300"])
def test_bupropion_is_not_called_serotonergic_but_a_clinician_still_sees_it(entry):
    """Bupropion is a noradrenaline-dopamine reuptake inhibitor: the serotonergic warning would be wrong."""
    result = run(medications=[entry])
    assert "INTERACTION_ANTIDEPRESSANT" not in codes(result)
    assert codes(result) == ["MEDICATION_UNRECOGNIZED"]


def test_the_antidepressant_class_holds_only_serotonergic_drugs():
    from intake.medications import MEDICATION_CLASSES

    assert "serotonergic" in next(r.reason for r in RULES if r.code == "INTERACTION_ANTIDEPRESSANT")
    members = {name.casefold() for name in MEDICATION_CLASSES["ANTIDEPRESSANT"]}
    assert not members & {"bupropion", "wellbutrin", "zyban", "aplenzin"}
