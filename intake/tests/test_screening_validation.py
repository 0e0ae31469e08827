"""Validation of intake answers documents (pure: no database)."""

import math
from datetime import date, datetime
from decimal import Decimal

import pytest

from intake.screening import NON_FIELD, AnswersInvalid, BloodPressure, validate_answers
from intake.tests.answers import PATIENT, intake_data

TODAY = date(2026, 11, 22)


def with_patient(**fields) -> dict:
    patient = dict(PATIENT)
    patient.update(fields)
    return intake_data(patient={k: v for k, v in patient.items() if v is not _DROP})


_DROP = object()


def errors_for(data) -> dict[str, str]:
    with pytest.raises(AnswersInvalid) as caught:
        validate_answers(data, today=TODAY)
    return caught.value.errors


# --- Valid input -----------------------------------------------------------------------------


def test_it_accepts_a_complete_intake_and_types_it():
    answers = validate_answers(
        intake_data(
            patient={
                "first_name": "  Ada ",
                "last_name": "Byron",
                "date_of_birth": "1980-03-15",
                "weight_kg": 70,
                "phone": " +1 (206) 555-0100 ",
                "email": "ada@example.org",
            },
            indication="depression",
            failed_antidepressant_trials=2,
            medications=[" Zoloft 50 mg ", "Xanax"],
            phq9=[0, 1, 2, 3, 0, 1, 2, 3, 0],
            gad7=[3, 3, 3, 3, 3, 3, 3],
        ),
        today=TODAY,
    )
    assert answers.patient.first_name == "Ada"
    assert answers.patient.date_of_birth == date(1980, 3, 15)
    assert answers.patient.weight_kg == 70.0
    assert answers.patient.phone == "+12065550100"  # E.164, as SMS providers need it
    assert answers.patient.email == "ada@example.org"
    assert answers.indication == "depression"
    assert answers.failed_antidepressant_trials == 2
    assert answers.blood_pressure == BloodPressure(120, 80)
    assert answers.medications == ("Zoloft 50 mg", "Xanax")
    assert answers.phq9 == (0, 1, 2, 3, 0, 1, 2, 3, 0)
    assert answers.gad7 == (3,) * 7
    assert answers.ketamine_allergy is False


def test_it_treats_phone_and_email_as_optional():
    for value in (_DROP, None, "", "   "):
        answers = validate_answers(with_patient(phone=value, email=value), today=TODAY)
        assert answers.patient.phone is None
        assert answers.patient.email is None


def test_it_accepts_null_blood_pressure_and_questionnaires_and_an_empty_medication_list():
    answers = validate_answers(intake_data(blood_pressure=None, phq9=None, gad7=None, medications=[]), today=TODAY)
    assert answers.blood_pressure is None
    assert answers.phq9 is None
    assert answers.gad7 is None
    assert answers.medications == ()


@pytest.mark.parametrize("weight", [30, 300, 30.0, 72.5, Decimal("81.3")])
def test_it_accepts_weights_from_30_to_300_kg(weight):
    assert validate_answers(with_patient(weight_kg=weight), today=TODAY).patient.weight_kg == float(weight)


def test_it_accepts_a_date_of_birth_of_yesterday():
    answers = validate_answers(with_patient(date_of_birth="2026-11-21"), today=TODAY)
    assert answers.patient.date_of_birth == date(2026, 11, 21)


def test_it_round_trips_through_as_dict():
    data = with_patient(phone="555 0100 123", email="ada@example.org", weight_kg=71.5)
    data.update(phq9=[1] * 9, gad7=[2] * 7, medications=["Zoloft"])
    answers = validate_answers(data, today=TODAY)
    assert answers.as_dict()["patient"]["phone"] == "+15550100123"
    assert validate_answers(answers.as_dict(), today=TODAY) == answers


# --- Missing and unknown keys ----------------------------------------------------------------

TOP_LEVEL = list(intake_data())


@pytest.mark.parametrize("key", TOP_LEVEL)
def test_it_requires_every_top_level_key(key):
    data = intake_data()
    del data[key]
    assert errors_for(data) == {key: "This field is required."}


@pytest.mark.parametrize("key", ["first_name", "last_name", "date_of_birth", "weight_kg"])
def test_it_requires_every_patient_key_except_phone_and_email(key):
    assert errors_for(with_patient(**{key: _DROP})) == {f"patient.{key}": "This field is required."}


@pytest.mark.parametrize("key", ["blood_pressure", "phq9", "gad7"])
def test_it_requires_nullable_keys_to_be_present(key):
    data = intake_data()
    del data[key]
    assert key in errors_for(data)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (intake_data(nickname="Addie"), "nickname"),
        (with_patient(middle_name="Augusta"), "patient.middle_name"),
        (intake_data(blood_pressure={"systolic": 120, "diastolic": 80, "pulse": 70}), "blood_pressure.pulse"),
    ],
)
def test_it_refuses_unknown_extra_keys(data, path):
    assert errors_for(data) == {path: "Unknown field."}


def test_it_refuses_a_patient_that_is_null_or_not_an_object():
    assert errors_for(intake_data(patient=None)) == {"patient": "This field is required."}
    assert list(errors_for(intake_data(patient="Ada Byron"))) == ["patient"]


@pytest.mark.parametrize("data", [None, [], "{}", 42])
def test_it_refuses_answers_that_are_not_an_object(data):
    assert list(errors_for(data)) == [NON_FIELD]


# --- Enumerations and booleans ---------------------------------------------------------------

ENUM_CASES = [
    ("indication", "Depression"),
    ("indication", "bipolar depression"),
    ("indication", "schizophrenia"),
    ("psychosis_history", "None"),
    ("psychosis_history", "yes"),
    ("mania_history", "bipolar_i"),
    ("seizure_history", " none"),
    ("hypertension", "high"),
    ("cardiac", "moderate"),
    ("liver", "SEVERE"),
    ("kidney", ""),
    ("hyperthyroidism", "treated "),
    ("substance_use", "heavy"),
    ("pregnancy", "yes"),
    ("pregnancy", False),
    ("indication", None),
    ("cardiac", 0),
    ("liver", ["none"]),
]


@pytest.mark.parametrize(("key", "value"), ENUM_CASES)
def test_it_refuses_enumeration_values_that_are_not_exact(key, value):
    errors = errors_for(intake_data(**{key: value}))
    assert list(errors) == [key]
    assert errors[key].startswith("Choose one of:")


BOOL_KEYS = ["cerebrovascular_history", "unstable_medical_condition", "bladder_condition", "ketamine_allergy"]


@pytest.mark.parametrize("key", [*BOOL_KEYS, "breastfeeding"])
@pytest.mark.parametrize("value", [0, 1, "true", "false", "yes", None, 1.0])
def test_it_refuses_anything_but_a_real_bool_for_boolean_keys(key, value):
    assert errors_for(intake_data(**{key: value})) == {key: "Answer true or false."}


# --- Numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False, 2.0, "2", None, -1, 101])
def test_it_refuses_failed_trials_that_are_not_a_whole_number_in_range(value):
    assert list(errors_for(intake_data(failed_antidepressant_trials=value))) == ["failed_antidepressant_trials"]


@pytest.mark.parametrize("value", [0, 100])
def test_it_accepts_failed_trials_at_the_limits(value):
    assert validate_answers(intake_data(failed_antidepressant_trials=value), today=TODAY)


@pytest.mark.parametrize("weight", [29.9, 300.1, 0, -70, math.nan, math.inf, True, "70", None, [70]])
def test_it_refuses_weights_outside_30_to_300_or_not_numbers(weight):
    errors = errors_for(with_patient(weight_kg=weight))
    assert list(errors) == ["patient.weight_kg"]


# --- Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "message"),
    [
        ("1980-3-15", "Enter the date of birth as YYYY-MM-DD."),
        ("15/03/1980", "Enter the date of birth as YYYY-MM-DD."),
        ("19800315", "Enter the date of birth as YYYY-MM-DD."),
        ("1980-03-15T00:00", "Enter the date of birth as YYYY-MM-DD."),
        (" 1980-03-15", "Enter the date of birth as YYYY-MM-DD."),
        ("", "Enter the date of birth as YYYY-MM-DD."),
        (19800315, "Enter the date of birth as YYYY-MM-DD."),
        (None, "Enter the date of birth as YYYY-MM-DD."),
        ("1980-02-30", "This is not a real calendar date."),
        ("1980-13-01", "This is not a real calendar date."),
        ("2026-11-22", "The date of birth must be in the past."),  # today
        ("2027-01-01", "The date of birth must be in the past."),
        ("1899-12-31", "The date of birth must not be before 1900."),
    ],
)
def test_it_refuses_malformed_impossible_and_future_dates_of_birth(dob, message):
    assert errors_for(with_patient(date_of_birth=dob)) == {"patient.date_of_birth": message}


def test_it_refuses_a_datetime_for_today():
    with pytest.raises(TypeError):
        validate_answers(intake_data(), today=datetime(2026, 11, 22, 9, 0))


# --- Text ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "   ", None, 42, ["Ada"], "x" * 101])
@pytest.mark.parametrize("key", ["first_name", "last_name"])
def test_it_refuses_blank_non_text_or_overlong_names(key, value):
    assert list(errors_for(with_patient(**{key: value}))) == [f"patient.{key}"]


@pytest.mark.parametrize(("key", "value"), [("phone", "call me"), ("phone", "12"), ("phone", 2065550100)])
def test_it_refuses_a_phone_that_cannot_be_one(key, value):
    assert list(errors_for(with_patient(**{key: value}))) == ["patient.phone"]


@pytest.mark.parametrize("value", ["ada", "ada@", "ada@example", "a da@example.org", "a@b@c.org", 7])
def test_it_refuses_an_email_that_cannot_be_one(value):
    assert list(errors_for(with_patient(email=value))) == ["patient.email"]


# --- Blood pressure --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reading", "path"),
    [
        ({"systolic": 120}, "blood_pressure.diastolic"),
        ({"diastolic": 80}, "blood_pressure.systolic"),
        ({"systolic": 120.0, "diastolic": 80}, "blood_pressure.systolic"),
        ({"systolic": 120, "diastolic": "80"}, "blood_pressure.diastolic"),
        ({"systolic": True, "diastolic": 80}, "blood_pressure.systolic"),
        ({"systolic": 49, "diastolic": 40}, "blood_pressure.systolic"),
        ({"systolic": 301, "diastolic": 80}, "blood_pressure.systolic"),
        ({"systolic": 120, "diastolic": 29}, "blood_pressure.diastolic"),
        ({"systolic": 250, "diastolic": 201}, "blood_pressure.diastolic"),
        ({"systolic": 80, "diastolic": 80}, "blood_pressure"),
        ({"systolic": 80, "diastolic": 90}, "blood_pressure"),
        ("120/80", "blood_pressure"),
        ([120, 80], "blood_pressure"),
    ],
)
def test_it_refuses_implausible_or_malformed_blood_pressure(reading, path):
    assert list(errors_for(intake_data(blood_pressure=reading))) == [path]


@pytest.mark.parametrize(("systolic", "diastolic"), [(50, 30), (300, 200), (81, 80)])
def test_it_accepts_blood_pressure_at_the_plausible_limits(systolic, diastolic):
    answers = validate_answers(intake_data(blood_pressure={"systolic": systolic, "diastolic": diastolic}), today=TODAY)
    assert answers.blood_pressure == BloodPressure(systolic, diastolic)


# --- Questionnaires --------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "length"), [("phq9", 9), ("gad7", 7)])
@pytest.mark.parametrize("delta", [-1, 1])
def test_it_refuses_questionnaires_of_the_wrong_length(key, length, delta):
    assert errors_for(intake_data(**{key: [0] * (length + delta)})) == {
        key: f"Expected {length} answers, got {length + delta}."
    }


@pytest.mark.parametrize(("key", "length"), [("phq9", 9), ("gad7", 7)])
@pytest.mark.parametrize("bad", [4, -1, True, 1.0, "1", None])
def test_it_names_the_questionnaire_item_that_is_out_of_range_or_not_an_integer(key, length, bad):
    items = [0] * length
    items[length - 1] = bad
    assert errors_for(intake_data(**{key: items})) == {
        f"{key}.{length}": "Each answer must be a whole number from 0 to 3."
    }


@pytest.mark.parametrize("value", ["000000000", 0, {"1": 0}])
def test_it_refuses_a_questionnaire_that_is_not_a_list(value):
    assert list(errors_for(intake_data(phq9=value))) == ["phq9"]


# --- Medications -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("medications", "path"),
    [
        ("Zoloft", "medications"),
        (None, "medications"),
        (["Zoloft", ""], "medications.2"),
        (["  "], "medications.1"),
        (["Zoloft", 50], "medications.2"),
        ([None], "medications.1"),
        (["x" * 201], "medications.1"),
        (["Zoloft"] * 51, "medications"),
    ],
)
def test_it_refuses_malformed_medication_lists_naming_the_entry(medications, path):
    assert list(errors_for(intake_data(medications=medications))) == [path]


# --- Error reporting -------------------------------------------------------------------------


def test_it_collects_every_error_not_just_the_first():
    data = intake_data(
        patient={"first_name": "", "date_of_birth": "2030-01-01", "weight_kg": 12, "nickname": "Addie"},
        indication="Depression",
        ketamine_allergy="no",
        blood_pressure={"systolic": 120},
        phq9=[0, 0, 9, 0, 0, 0, 0, 0, 0],
        gad7=[0],
        medications=[""],
        extra=1,
    )
    del data["pregnancy"]
    assert set(errors_for(data)) == {
        "patient.first_name",
        "patient.last_name",
        "patient.date_of_birth",
        "patient.weight_kg",
        "patient.nickname",
        "indication",
        "ketamine_allergy",
        "blood_pressure.diastolic",
        "phq9.3",
        "gad7",
        "medications.1",
        "extra",
        "pregnancy",
    }


def test_it_never_echoes_submitted_values_in_messages():
    data = intake_data(
        patient={
            "first_name": "Zerubbabel" * 20,
            "last_name": "Quixotic",
            "date_of_birth": "1980-02-30",
            "weight_kg": 999,
            "email": "zerubbabel-at-example",
            "phone": "Zerubbabel",
        },
        indication="Zerubbabel-disorder",
        medications=["Zerubbabel" * 30],
    )
    with pytest.raises(AnswersInvalid) as caught:
        validate_answers(data, today=TODAY)
    text = str(caught.value) + " ".join(caught.value.errors.values())
    for leaked in ("Zerubbabel", "Quixotic", "1980-02-30", "999"):
        assert leaked not in text
    assert "patient.first_name" in str(caught.value)


def test_it_is_a_value_error_so_callers_can_catch_it_broadly():
    assert issubclass(AnswersInvalid, ValueError)
