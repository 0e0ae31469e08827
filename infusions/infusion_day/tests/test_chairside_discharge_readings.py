"""The pure rule of what the flowsheet allows at discharge (`chairside.discharge_reading_problems`) and when a
prescriber's decision covers it (`chairside.decision_covers`): plain values, no database."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from infusions.infusion_day import chairside
from infusions.infusion_day.chairside import Reading, Thresholds

LA = ZoneInfo("America/Los_Angeles")
ENDED = datetime(2026, 12, 7, 9, 41, tzinfo=LA)
T = Thresholds()


def problems(*readings, ended=ENDED):
    return chairside.discharge_reading_problems(readings, infusion_ended_at=ended, thresholds=T, tz=LA)


def codes(*readings):
    return [code for code, _ in problems(*readings)]


def test_no_reading_at_all_is_no_reading_since_the_end():
    assert problems() == [
        ("NO_READING_AFTER_END", "No reading since the infusion ended at 09:41: take one before discharge.")
    ]


def test_a_reading_in_observation_in_range_allows_it():
    assert codes(Reading(at=ENDED + timedelta(minutes=15), phase="observation", systolic=120, diastolic=80)) == []


def test_the_recorded_phase_decides_and_without_one_the_time_after_the_end_does():
    assert codes(Reading(at=ENDED, phase="infusion", systolic=120)) == ["NO_READING_AFTER_END"]
    assert codes(Reading(at=ENDED, systolic=120)) == ["NO_READING_AFTER_END"]  # not after the end
    assert codes(Reading(at=ENDED + timedelta(seconds=1), systolic=120)) == []


def test_the_latest_value_of_each_vital_sign_counts_even_from_an_earlier_reading():
    bp_high = Reading(at=ENDED + timedelta(minutes=5), phase="observation", systolic=185, diastolic=112)
    pulse_only = Reading(at=ENDED + timedelta(minutes=15), phase="observation", heart_rate=80)
    ((code, message),) = problems(bp_high, pulse_only)
    assert code == "LAST_READING_OUT_OF_RANGE"
    assert message == "The last reading is out of range: Systolic 185 is above 180. Diastolic 112 is above 110."
    later_bp = Reading(at=ENDED + timedelta(minutes=20), phase="observation", systolic=140, diastolic=88)
    assert codes(bp_high, pulse_only, later_bp) == []


def test_low_systolic_and_low_spo2_are_out_of_range_too():
    low = Reading(at=ENDED + timedelta(minutes=5), phase="observation", systolic=85, diastolic=50, spo2=91)
    ((_, message),) = problems(low)
    assert message == "The last reading is out of range: Systolic 85 is below 90. SpO2 91% is below 92%."


def test_a_decision_covers_the_readings_taken_until_it_and_no_later_one():
    at = ENDED + timedelta(minutes=10)
    before = Reading(at=at - timedelta(minutes=1), systolic=190)
    same = Reading(at=at, systolic=190)
    after = Reading(at=at + timedelta(seconds=1), systolic=190)
    assert chairside.decision_covers(at, [before, same])
    assert not chairside.decision_covers(at, [before, after])
    assert not chairside.decision_covers(None, [before])
