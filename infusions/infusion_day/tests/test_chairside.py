"""The infusion day's pure rules: start gates, alert thresholds, monitoring times and discharge."""

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infusions.infusion_day.chairside import (
    ADVERSE_EVENTS,
    AE_ACTIONS,
    AE_OUTCOMES,
    AE_SEVERITY,
    DISCHARGE_CHECKLIST,
    DISSOCIATION,
    GATE_ORDER,
    MOAAS,
    ROUTES,
    SOURCES,
    CheckIn,
    Gate,
    Reading,
    Thresholds,
    deferral_reason,
    discharge_problems,
    discharge_ready_at,
    is_overdue,
    may_start,
    next_due,
    observation_complete,
    out_of_range,
    phase_at,
    start_gates,
    validate_reading,
)
from intake.screening import screen, validate_answers
from intake.tests.answers import intake_data

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
T = Thresholds()
LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
ALL_CODES = {code for code, _ in DISCHARGE_CHECKLIST}


def check_in(**changes) -> CheckIn:
    """A check-in on which no gate fires; keyword changes replace fields."""
    values = {
        "systolic": 120,
        "diastolic": 80,
        "heart_rate": 70,
        "spo2": 98,
        "weight_kg": Decimal("70.0"),
        "fasting_kept": True,
        "escort_name": "Sam Byron",
        "escort_phone": "+15555550100",
        "intoxicated": False,
        "pregnant_possible": False,
        "item9": 0,
    }
    values.update(changes)
    return CheckIn(**values)


def codes(gates) -> list[str]:
    return [gate.code for gate in gates]


# --- Thresholds ---------------------------------------------------------------------------------


def test_it_uses_the_domain_defaults():
    assert (T.no_start_systolic, T.no_start_diastolic, T.decision_systolic, T.decision_diastolic) == (180, 100, 140, 90)
    assert (T.alert_systolic, T.alert_diastolic, T.alert_heart_rate, T.alert_spo2, T.low_systolic) == (
        180,
        110,
        120,
        92,
        90,
    )
    assert (T.interval_during_minutes, T.interval_observation_minutes, T.observation_minutes) == (10, 15, 30)
    assert (T.fasting_solid_hours, T.fasting_clear_hours) == (6, 2)


def test_it_names_a_source_for_every_threshold():
    assert set(SOURCES) == {f.name for f in dataclasses.fields(Thresholds)}
    assert Thresholds.SOURCES is SOURCES
    assert SOURCES["no_start_systolic"] == "Swiss ketamine label"
    assert "Spravato" in SOURCES["decision_diastolic"]
    assert "local-protocol choice" in SOURCES["low_systolic"]
    assert all(text.strip() for text in SOURCES.values())


def test_it_cannot_be_changed_in_place():
    with pytest.raises(dataclasses.FrozenInstanceError):
        T.no_start_systolic = 200
    with pytest.raises(TypeError):
        SOURCES["low_systolic"] = "elsewhere"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"decision_systolic": 180}, "decision systolic"),
        ({"decision_systolic": 181}, "decision systolic"),
        ({"decision_diastolic": 100}, "decision diastolic"),
        ({"interval_during_minutes": 0}, "Interval during minutes must be positive"),
        ({"interval_observation_minutes": -5}, "Interval observation minutes must be positive"),
        ({"observation_minutes": 0}, "Observation minutes must be positive"),
        ({"fasting_clear_hours": 7}, "Fasting hours"),
        ({"alert_spo2": 101}, "SpO2"),
        ({"low_systolic": 180}, "low systolic"),
    ],
)
def test_it_refuses_thresholds_that_contradict_each_other(changes, message):
    with pytest.raises(ValueError, match=message):
        Thresholds(**changes)


def test_it_accepts_a_decision_threshold_one_below_no_start_and_a_one_minute_interval():
    custom = Thresholds(decision_systolic=179, decision_diastolic=99, interval_during_minutes=1)
    assert custom.interval_during == timedelta(minutes=1)


# --- Start gates: BP at the boundary and one past -------------------------------------------------


@pytest.mark.parametrize(
    ("systolic", "diastolic", "expected"),
    [
        (140, 90, []),  # at the decision threshold: fine
        (141, 90, ["BP_NEEDS_DECISION"]),
        (140, 91, ["BP_NEEDS_DECISION"]),
        (180, 100, ["BP_NEEDS_DECISION"]),  # at no-start: still only a decision
        (181, 100, ["BP_NO_START"]),
        (180, 101, ["BP_NO_START"]),
        (181, 101, ["BP_NO_START"]),
        (120, 101, ["BP_NO_START"]),  # diastolic alone
        (181, 70, ["BP_NO_START"]),  # systolic alone
    ],
)
def test_it_applies_the_bp_gates_exactly_at_and_one_past_the_threshold(systolic, diastolic, expected):
    assert codes(start_gates(check_in(systolic=systolic, diastolic=diastolic), T)) == expected


def test_it_words_the_no_start_gate_with_the_value_threshold_and_source():
    [gate] = start_gates(check_in(systolic=182, diastolic=96), T)
    assert gate == Gate(
        "BP_NO_START",
        blocks=True,
        needs="",
        defer_today=True,
        message="Resting BP 182/96 is above 180/100: do not start today (Swiss ketamine label).",
    )


def test_it_words_the_decision_gate_and_needs_a_prescriber_decision():
    [gate] = start_gates(check_in(systolic=150, diastolic=85), T)
    assert (gate.blocks, gate.needs, gate.defer_today) == (True, "prescriber_decision", False)
    assert gate.message.startswith("Resting BP 150/85 is above 140/90: start only on a prescriber's documented")
    assert "esketamine (Spravato) label" in gate.message


def test_it_uses_the_clinics_own_thresholds_not_the_defaults():
    strict = Thresholds(no_start_systolic=170, no_start_diastolic=95, decision_systolic=130, decision_diastolic=85)
    assert codes(start_gates(check_in(systolic=171, diastolic=80), strict)) == ["BP_NO_START"]
    assert codes(start_gates(check_in(systolic=131, diastolic=80), strict)) == ["BP_NEEDS_DECISION"]
    assert codes(start_gates(check_in(systolic=130, diastolic=85), strict)) == []
    [gate] = start_gates(check_in(systolic=171, diastolic=80), strict)
    assert "above 170/95" in gate.message


# --- Start gates: the others ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item9", "expected"), [(None, []), (0, []), (1, ["ITEM9_FOLLOW_UP"]), (3, ["ITEM9_FOLLOW_UP"])]
)
def test_it_asks_for_same_day_follow_up_on_any_positive_item9(item9, expected):
    gates = start_gates(check_in(item9=item9), T)
    assert codes(gates) == expected
    if expected:
        [gate] = gates
        assert (gate.blocks, gate.needs, gate.defer_today) == (True, "same_day_follow_up", False)
        assert "988" in gate.message


@pytest.mark.parametrize("item9", [-1, 4, True])
def test_it_refuses_an_item9_outside_0_to_3(item9):
    with pytest.raises(ValueError, match="item 9"):
        check_in(item9=item9)


@pytest.mark.parametrize(
    ("changes", "code", "needs", "defer_today"),
    [
        ({"intoxicated": True}, "INTOXICATED", "", True),
        ({"pregnant_possible": True}, "PREGNANCY", "", True),
        ({"fasting_kept": False}, "NOT_FASTING", "correction", False),
        ({"escort_name": ""}, "NO_ESCORT", "correction", False),
        ({"escort_phone": "   "}, "NO_ESCORT", "correction", False),
    ],
)
def test_it_blocks_for_each_check_in_problem(changes, code, needs, defer_today):
    [gate] = start_gates(check_in(**changes), T)
    assert (gate.code, gate.blocks, gate.needs, gate.defer_today) == (code, True, needs, defer_today)
    assert not may_start([gate])


def test_it_names_the_fasting_hours_and_what_the_escort_lacks():
    [fasting] = start_gates(check_in(fasting_kept=False), Thresholds(fasting_solid_hours=8, fasting_clear_hours=1))
    assert "no solid food for 8 h, clear liquids until 1 h before" in fasting.message
    [escort] = start_gates(check_in(escort_name=" ", escort_phone=""), T)
    assert "missing: name and phone" in escort.message
    [escort] = start_gates(check_in(escort_phone=""), T)
    assert "missing: phone)" in escort.message


def test_it_returns_every_gate_in_a_fixed_order_deferring_ones_first():
    everything = check_in(
        systolic=190,
        diastolic=80,
        intoxicated=True,
        pregnant_possible=True,
        item9=2,
        fasting_kept=False,
        escort_name="",
    )
    assert codes(start_gates(everything, T)) == [
        "BP_NO_START",
        "INTOXICATED",
        "PREGNANCY",
        "ITEM9_FOLLOW_UP",
        "NOT_FASTING",
        "NO_ESCORT",
    ]
    decision = check_in(systolic=150, item9=1, fasting_kept=False)
    assert codes(start_gates(decision, T)) == ["ITEM9_FOLLOW_UP", "BP_NEEDS_DECISION", "NOT_FASTING"]


def test_it_releases_a_gate_a_prescriber_decided_and_keeps_it_on_the_record():
    gates = start_gates(check_in(systolic=150, item9=1), T, decisions=frozenset({"BP_NEEDS_DECISION"}))
    assert [(g.code, g.blocks) for g in gates] == [("ITEM9_FOLLOW_UP", True), ("BP_NEEDS_DECISION", False)]
    assert not may_start(gates)
    both = start_gates(check_in(systolic=150, item9=1), T, decisions={"BP_NEEDS_DECISION", "ITEM9_FOLLOW_UP"})
    assert [g.blocks for g in both] == [False, False]
    assert all("Released" in g.message for g in both)
    assert may_start(both)


def test_a_decision_for_a_gate_that_did_not_fire_changes_nothing():
    assert start_gates(check_in(), T, decisions={"BP_NEEDS_DECISION", "ITEM9_FOLLOW_UP"}) == []


@pytest.mark.parametrize("code", ["BP_NO_START", "INTOXICATED", "PREGNANCY", "NOT_FASTING", "NO_ESCORT", "bp_x"])
def test_it_refuses_a_decision_for_a_gate_a_prescriber_cannot_release(code):
    with pytest.raises(ValueError, match="can be released"):
        start_gates(check_in(systolic=190), T, decisions={code})


def test_may_start_and_deferral_reason():
    assert may_start([]) is True
    assert deferral_reason([]) is None
    assert deferral_reason(start_gates(check_in(systolic=150, fasting_kept=False), T)) is None
    gates = start_gates(check_in(systolic=182, diastolic=96, intoxicated=True, item9=1), T)
    reason = deferral_reason(gates)
    assert reason.startswith("Resting BP 182/96 is above 180/100: do not start today")
    assert "acutely intoxicated" in reason
    assert "988" not in reason  # item 9 does not defer: it needs a same-day follow-up whatever happens


def test_it_keeps_the_escort_out_of_reprs():
    assert "Sam" not in repr(check_in()) and "5555" not in repr(check_in())


# --- Start gates: properties -------------------------------------------------------------------

check_ins = st.builds(
    CheckIn,
    systolic=st.integers(60, 260),
    diastolic=st.integers(30, 160),
    heart_rate=st.integers(30, 200),
    spo2=st.integers(70, 100),
    weight_kg=st.just(Decimal("70")),
    fasting_kept=st.booleans(),
    escort_name=st.sampled_from(["", " ", "Sam"]),
    escort_phone=st.sampled_from(["", "+15555550100"]),
    intoxicated=st.booleans(),
    pregnant_possible=st.booleans(),
    item9=st.none() | st.integers(0, 3),
)
releases = st.frozensets(st.sampled_from(["BP_NEEDS_DECISION", "ITEM9_FOLLOW_UP"]))


@SETTINGS
@given(check_ins, releases)
def test_it_may_start_exactly_when_no_returned_gate_blocks(visit, decisions):
    gates = start_gates(visit, T, decisions=decisions)
    assert may_start(gates) == (not [g for g in gates if g.blocks])
    assert codes(gates) == sorted(codes(gates), key=GATE_ORDER.index)
    assert len(set(codes(gates))) == len(gates)
    assert (deferral_reason(gates) is None) == (not any(g.defer_today for g in gates))
    for gate in gates:
        assert gate.blocks == (gate.code not in decisions)
        assert gate.defer_today == (gate.code in {"BP_NO_START", "INTOXICATED", "PREGNANCY"})


@SETTINGS
@given(check_ins, releases)
def test_every_bp_above_no_start_defers_and_never_merely_needs_a_decision(visit, decisions):
    gates = start_gates(visit, T, decisions=decisions)
    above = visit.systolic > 180 or visit.diastolic > 100
    decision = not above and (visit.systolic > 140 or visit.diastolic > 90)
    assert ("BP_NO_START" in codes(gates)) == above
    assert ("BP_NEEDS_DECISION" in codes(gates)) == decision
    if above:
        assert not may_start(gates)
        assert deferral_reason(gates) is not None


@SETTINGS
@given(st.integers(51, 300), st.integers(30, 200))
def test_it_agrees_with_screening_on_every_blood_pressure(systolic, diastolic):
    if systolic <= diastolic:
        return  # screening refuses these as typos
    answers = validate_answers(
        intake_data(blood_pressure={"systolic": systolic, "diastolic": diastolic}), today=START.date()
    )
    flags = set(screen(answers, today=START.date()).flag_codes)
    gates = set(codes(start_gates(check_in(systolic=systolic, diastolic=diastolic), T)))
    assert ("HYPERTENSION_UNCONTROLLED" in flags) == ("BP_NO_START" in gates)
    assert ("BP_ELEVATED" in flags) == ("BP_NEEDS_DECISION" in gates)


# --- Readings ----------------------------------------------------------------------------------


def reading(**values) -> Reading:
    return Reading(at=START, **values)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"systolic": 180}, []),
        ({"systolic": 181}, [("systolic", "Systolic 181 is above 180.")]),
        ({"systolic": 90}, []),
        ({"systolic": 89}, [("systolic", "Systolic 89 is below 90.")]),
        ({"diastolic": 110}, []),
        ({"diastolic": 111}, [("diastolic", "Diastolic 111 is above 110.")]),
        ({"heart_rate": 120}, []),
        ({"heart_rate": 121}, [("heart_rate", "Heart rate 121 is above 120.")]),
        ({"spo2": 92}, []),
        ({"spo2": 91}, [("spo2", "SpO2 91% is below 92%.")]),
    ],
)
def test_it_alerts_exactly_one_past_each_alert_threshold(values, expected):
    assert out_of_range(reading(**values), T) == expected


def test_it_lists_every_alert_of_one_reading_and_ignores_missing_values():
    bad = reading(systolic=186, diastolic=115, heart_rate=130, spo2=88, moaas=1, dissociation="severe")
    assert [field for field, _ in out_of_range(bad, T)] == ["systolic", "diastolic", "heart_rate", "spo2"]
    assert out_of_range(reading(), T) == []
    assert out_of_range(reading(systolic=181), Thresholds(alert_systolic=190)) == []


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [("systolic", 40, 300), ("diastolic", 20, 200), ("heart_rate", 20, 250), ("spo2", 50, 100), ("moaas", 0, 5)],
)
def test_it_accepts_plausible_bounds_and_refuses_one_past(field, low, high):
    for value in (low, high):
        assert validate_reading(reading(**{field: value})) == {}
    for value in (low - 1, high + 1):
        errors = validate_reading(reading(**{field: value}))
        assert set(errors) == {field}
        assert f"between {low} and {high}" in errors[field]
        assert str(value) not in errors[field]  # messages never repeat the value typed


def test_it_wants_systolic_above_diastolic():
    assert validate_reading(reading(systolic=80, diastolic=80)) == {"diastolic": "Diastolic must be below systolic."}
    assert validate_reading(reading(systolic=81, diastolic=80)) == {}
    # an out-of-range value is reported once, not also as "below systolic"
    assert set(validate_reading(reading(systolic=30, diastolic=80))) == {"systolic"}


def test_it_refuses_an_unknown_dissociation_a_non_integer_and_an_empty_reading():
    assert "dissociation" in validate_reading(reading(dissociation="extreme"))
    assert all(validate_reading(reading(dissociation=d)) == {} for d in DISSOCIATION)
    assert validate_reading(reading(heart_rate=72.5)) == {"heart_rate": "Heart rate must be a whole number."}
    assert validate_reading(reading(spo2=True)) == {"spo2": "SpO2 must be a whole number."}
    assert validate_reading(reading()) == {"__all__": "Enter at least one value."}


def test_it_refuses_a_reading_at_a_naive_time():
    with pytest.raises(ValueError, match="aware"):
        Reading(at=datetime(2026, 3, 2, 10, 0), systolic=120)


def test_it_words_moaas_from_5_down_to_0_and_rates_dissociation():
    assert [score for score, _ in MOAAS] == [5, 4, 3, 2, 1, 0]
    assert dict(MOAAS)[5] == "Responds readily to name spoken in normal tone"
    assert dict(MOAAS)[0] == "No response after painful trapezius squeeze"
    assert DISSOCIATION == ("none", "mild", "moderate", "severe")


# --- Monitoring schedule -------------------------------------------------------------------------


def due(phase, last=None, started=START, ended=None, thresholds=T):
    return next_due(
        phase=phase,
        last_reading_at=last,
        infusion_started_at=started,
        infusion_ended_at=ended,
        thresholds=thresholds,
    )


def test_nothing_is_due_before_the_start():
    assert due("pre", last=START - 20 * MIN, started=None) is None
    assert is_overdue(START + timedelta(days=1), None) is False


def test_during_the_infusion_a_reading_is_due_ten_minutes_after_the_last_or_the_start():
    assert due("infusion") == START + 10 * MIN
    assert due("infusion", last=START + 12 * MIN) == START + 22 * MIN
    # the check-in reading before the start does not count: the first one is timed from the start
    assert due("infusion", last=START - 25 * MIN) == START + 10 * MIN
    assert due("infusion", last=START) == START + 10 * MIN


def test_it_switches_to_fifteen_minutes_from_the_end_when_observation_begins():
    ended = START + 40 * MIN
    last = START + 35 * MIN  # the last reading during the infusion
    assert due("infusion", last=last, ended=None) == START + 45 * MIN
    assert due("observation", last=last, ended=ended) == ended + 15 * MIN  # not START + 45 or + 50
    assert due("observation", last=ended + 14 * MIN, ended=ended) == ended + 29 * MIN
    assert due("observation", last=ended, ended=ended) == ended + 15 * MIN


def test_it_uses_the_clinics_intervals():
    custom = Thresholds(interval_during_minutes=5, interval_observation_minutes=20)
    assert due("infusion", thresholds=custom) == START + 5 * MIN
    assert due("observation", ended=START + 40 * MIN, thresholds=custom) == START + 60 * MIN


def test_it_needs_the_start_or_end_of_its_phase_and_aware_times():
    with pytest.raises(ValueError, match="infusion_started_at"):
        due("infusion", started=None)
    with pytest.raises(ValueError, match="infusion_ended_at"):
        due("observation", ended=None)
    with pytest.raises(ValueError, match="aware"):
        due("infusion", last=datetime(2026, 3, 2, 10, 5))
    with pytest.raises(ValueError, match="phase"):
        due("recovery")


def test_a_reading_is_overdue_only_strictly_after_it_is_due():
    due_at = START + 10 * MIN
    assert is_overdue(due_at, due_at) is False
    assert is_overdue(due_at + timedelta(seconds=1), due_at) is True
    assert is_overdue(due_at - timedelta(seconds=1), due_at) is False


def test_monitoring_counts_elapsed_minutes_across_a_clock_change():
    before_change = datetime(2026, 3, 29, 0, 55, tzinfo=LONDON)  # clocks go 01:00 -> 02:00 that night
    assert due("infusion", started=before_change).astimezone(UTC) == before_change.astimezone(UTC) + 10 * MIN


@SETTINGS
@given(
    started_offset=st.integers(0, 24 * 60),
    readings=st.lists(st.integers(0, 200), max_size=20),
    length=st.integers(1, 120),
    now_offset=st.integers(0, 300),
)
def test_the_next_reading_is_always_one_interval_after_the_latest_reading_of_the_phase(
    started_offset, readings, length, now_offset
):
    started = START + started_offset * MIN
    ended = started + length * MIN
    now = started + now_offset * MIN
    taken = [started + minutes * MIN for minutes in readings if started + minutes * MIN <= now]
    phase = phase_at(now, infusion_started_at=started, infusion_ended_at=ended if now >= ended else None)
    last = max(taken, default=None)
    result = due(phase, last=last, started=started, ended=ended)
    since = ended if phase == "observation" else started
    in_phase = [moment for moment in taken if moment >= since]
    interval = T.interval_observation if phase == "observation" else T.interval_during
    assert result == max(in_phase, default=since) + interval
    assert result > since


def test_it_tells_the_phase_from_the_start_and_end():
    ended = START + 40 * MIN
    assert phase_at(START - MIN, infusion_started_at=START, infusion_ended_at=None) == "pre"
    assert phase_at(START, infusion_started_at=START, infusion_ended_at=None) == "infusion"
    assert phase_at(ended - MIN, infusion_started_at=START, infusion_ended_at=ended) == "infusion"
    assert phase_at(ended, infusion_started_at=START, infusion_ended_at=ended) == "observation"
    assert phase_at(START, infusion_started_at=None, infusion_ended_at=None) == "pre"


# --- Observation and discharge --------------------------------------------------------------------


def test_observation_completes_exactly_at_the_minimum_and_not_a_second_before():
    ended = START + 40 * MIN
    ready = discharge_ready_at(ended, T)
    assert ready == ended + 30 * MIN
    assert observation_complete(ready, ended, T) is True
    assert observation_complete(ready - timedelta(seconds=1), ended, T) is False
    assert observation_complete(ready, None, T) is False
    assert discharge_ready_at(ended, Thresholds(observation_minutes=20)) == ended + 20 * MIN


def test_it_allows_discharge_when_everything_is_ticked_and_observation_is_over():
    ended = START + 40 * MIN
    assert discharge_problems(ALL_CODES, now=ended + 30 * MIN, infusion_ended_at=ended, thresholds=T) == []


def test_it_lists_every_unticked_item_in_order_and_the_observation_end_in_the_clinics_zone():
    ended = datetime(2026, 7, 1, 10, 40, tzinfo=UTC)
    problems = discharge_problems(
        {"VITALS_NEAR_BASELINE", "ALERT_ORIENTED", "NAUSEA_CONTROLLED"},
        now=ended + 29 * MIN,
        infusion_ended_at=ended,
        thresholds=T,
        tz=LONDON,
    )
    assert problems == [
        "Observation not complete (until 12:10).",  # 11:10 UTC is 12:10 in London in summer
        "Walks steadily",
        "Responsible adult present to take the patient home",
        "Written instructions given: no driving until the next day after sleep",
    ]
    utc = discharge_problems(ALL_CODES, now=ended, infusion_ended_at=ended, thresholds=T)
    assert utc == ["Observation not complete (until 11:10)."]


def test_it_does_not_discharge_before_the_infusion_ends_nor_with_an_unknown_tick():
    assert discharge_problems(ALL_CODES, now=START, infusion_ended_at=None, thresholds=T) == [
        "The infusion has not ended."
    ]
    with pytest.raises(ValueError, match="WALKS_STEADY"):
        discharge_problems(ALL_CODES | {"WALKS_STEADY"}, now=START, infusion_ended_at=START, thresholds=T)


def test_the_checklist_follows_the_domain_order():
    assert [code for code, _ in DISCHARGE_CHECKLIST] == [
        "VITALS_NEAR_BASELINE",
        "ALERT_ORIENTED",
        "WALKS_STEADILY",
        "NAUSEA_CONTROLLED",
        "ESCORT_PRESENT",
        "INSTRUCTIONS_GIVEN",
    ]


# --- Adverse events vocabulary --------------------------------------------------------------------


def test_the_adverse_event_vocabulary_is_complete_and_unique():
    assert [code for code, _ in ADVERSE_EVENTS] == [
        "nausea",
        "vomiting",
        "hypertension",
        "tachycardia",
        "desaturation",
        "agitation_emergence",
        "headache",
        "dizziness",
        "other",
    ]
    assert dict(ADVERSE_EVENTS)["agitation_emergence"] == "Agitation or emergence reaction"
    assert [c for c, _ in AE_SEVERITY] == ["mild", "moderate", "severe"]
    assert [c for c, _ in AE_ACTIONS] == ["none", "rate_reduced", "paused", "stopped", "medication_given"]
    assert [c for c, _ in AE_OUTCOMES] == ["resolved", "ongoing", "transferred"]
    assert [c for c, _ in ROUTES] == ["IV", "IM", "PO", "SL", "inhaled"]
