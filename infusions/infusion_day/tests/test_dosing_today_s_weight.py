"""Today's weight as the dose takes it (pure): read as typed (a decimal comma too), to 0.1 kg, and within the
intake's bounds: outside 30-300 kg refused, outside 35-250 kg only once confirmed as checked."""

from decimal import Decimal

import pytest

from infusions.infusion_day.dosing import weight_kg, weight_problem
from intake.screening import PLAUSIBLE_WEIGHT_KG, WEIGHT_KG_MAX, WEIGHT_KG_MIN

D = Decimal


@pytest.mark.parametrize(
    ("typed", "weight"),
    [("82.5", D("82.5")), ("82,5", D("82.5")), (" 82,5 ", D("82.5")), (82, D("82.0")), (D("82.46"), D("82.5"))],
)
def test_it_reads_the_weight_as_typed_to_a_tenth_of_a_kg(typed, weight):
    assert weight_kg(typed) == weight


@pytest.mark.parametrize("typed", ["", "abc", "1,234,5", "NaN", "Infinity", "82.5 kg"])
def test_what_is_no_number_is_refused(typed):
    with pytest.raises(ValueError):
        weight_kg(typed)


def test_the_bounds_are_the_intake_s():
    assert (WEIGHT_KG_MIN, WEIGHT_KG_MAX) == (30, 300)
    assert PLAUSIBLE_WEIGHT_KG == (35, 250)


@pytest.mark.parametrize("weight", [D("0"), D("-5"), D("29.9"), D("300.1"), D("650")])
def test_a_weight_outside_the_limits_is_refused_even_confirmed(weight):
    assert weight_problem(weight, confirmed=True) == "Give today's weight in kg, from 30 to 300."
    assert weight_problem(weight) == "Give today's weight in kg, from 30 to 300."


@pytest.mark.parametrize("weight", [D("30"), D("34.9"), D("250.1"), D("300")])
def test_an_unusual_weight_needs_the_confirmation_that_it_was_checked(weight):
    assert weight_problem(weight) == "A weight under 35 or over 250 kg is unusual: check it. Confirm it was checked."
    assert weight_problem(weight, confirmed=True) == ""


@pytest.mark.parametrize("weight", [D("35"), D("82.5"), D("250")])
def test_a_usual_weight_passes(weight):
    assert weight_problem(weight) == ""
