"""The pure arithmetic of what an infusion could deliver: the dose's share of the bag a pump at the ordered rate
runs in the elapsed time, plus a couple of minutes for the presses of Start and End, rounded up, capped at the dose."""

from datetime import timedelta
from decimal import Decimal

import pytest

from infusions.infusion_day.dosing import DELIVERY_TOLERANCE_MINUTES, deliverable_mg

D = Decimal
# 0.5 mg/kg × 70 kg in a 100 mL bag over 40 min: 150 mL/h.
ORDER = {"dose_mg": D("35.0"), "bag_ml": 100, "rate_ml_per_hour": D("150.0")}


def test_the_tolerance_is_two_minutes():
    assert DELIVERY_TOLERANCE_MINUTES == 2


def test_eleven_minutes_of_a_forty_minute_bag_deliver_about_a_third_of_the_dose():
    # 13 min (11 + 2) at 150 mL/h run 32.5 mL of 100 mL: 32.5 % of 35 mg = 11.375, rounded up to 11.4 mg.
    assert deliverable_mg(**ORDER, elapsed=timedelta(minutes=11)) == D("11.4")


def test_without_tolerance_the_share_is_the_elapsed_time_s_alone():
    assert deliverable_mg(**ORDER, elapsed=timedelta(minutes=20), tolerance_minutes=0) == D("17.5")


@pytest.mark.parametrize(
    ("minutes", "most"),
    [
        (0, D("1.8")),  # 2 min run 5 mL: 1.75 -> 1.8
        (37, D("34.2")),  # 39 min run 97.5 mL: 34.125 -> 34.2, short of the dose
        (38, D("35.0")),  # 40 min run the whole bag
        (40, D("35.0")),
        (90, D("35.0")),  # never more than the dose: the bag is empty
    ],
)
def test_the_full_dose_needs_the_bag_s_whole_time_less_the_tolerance(minutes, most):
    assert deliverable_mg(**ORDER, elapsed=timedelta(minutes=minutes)) == most


def test_seconds_count():
    # 10 min 30 s + 2 min at 150 mL/h = 31.25 mL: 10.9375 -> 11.0 mg
    assert deliverable_mg(**ORDER, elapsed=timedelta(minutes=10, seconds=30)) == D("11.0")


def test_a_rounded_pump_rate_still_delivers_the_whole_dose_in_its_time():
    # 100 mL over 45 min: 133.3 mL/h (rounded down from 133.33…) runs 99.975 mL in 45 min; the tolerance covers it.
    assert deliverable_mg(
        dose_mg=D("41.7"), bag_ml=100, rate_ml_per_hour=D("133.3"), elapsed=timedelta(minutes=45)
    ) == D("41.7")
    assert deliverable_mg(
        dose_mg=D("41.7"), bag_ml=100, rate_ml_per_hour=D("133.3"), elapsed=timedelta(minutes=43), tolerance_minutes=0
    ) < D("41.7")


@pytest.mark.parametrize(
    "bad",
    [
        {"elapsed": timedelta(minutes=-1)},
        {"rate_ml_per_hour": D("0")},
        {"bag_ml": 0},
        {"dose_mg": D("-1")},
        {"tolerance_minutes": -1},
    ],
)
def test_impossible_arguments_are_refused(bad):
    with pytest.raises(ValueError):
        deliverable_mg(**{**ORDER, "elapsed": timedelta(minutes=10), **bad})


def test_floats_are_refused():
    with pytest.raises(TypeError):
        deliverable_mg(**{**ORDER, "rate_ml_per_hour": 150.0}, elapsed=timedelta(minutes=10))
