"""The pure dose arithmetic of the day sheet: mg, mL per vial, pump rate, and the ceiling."""

from decimal import Decimal

import pytest

from infusions.infusion_day.dosing import (
    DEFAULT_BAG_ML,
    DoseAboveCeiling,
    dose_mg,
    planned_dose,
    pump_rate_ml_per_hour,
    volume_ml,
)

D = Decimal


def test_it_multiplies_mg_per_kg_by_the_weight_to_a_tenth_of_a_mg():
    assert dose_mg(mg_per_kg=D("0.50"), weight_kg=D("83.4"), ceiling_mg_per_kg=D("1.00")) == D("41.7")
    assert dose_mg(mg_per_kg=D("0.50"), weight_kg=70, ceiling_mg_per_kg=1) == D("35.0")


@pytest.mark.parametrize(
    ("mg_per_kg", "weight", "expected"),
    [
        (D("0.50"), D("70.1"), D("35.1")),  # 35.05 rounds half up, not to even (35.0)
        (D("0.50"), D("70.3"), D("35.2")),  # 35.15 -> 35.2
        (D("0.35"), D("71.0"), D("24.9")),  # 24.85 -> 24.9
        (D("0.33"), D("70.0"), D("23.1")),  # exactly 23.1
        (D("0.41"), D("67.3"), D("27.6")),  # 27.593 -> 27.6
    ],
)
def test_mg_round_half_up_to_one_decimal(mg_per_kg, weight, expected):
    assert dose_mg(mg_per_kg=mg_per_kg, weight_kg=weight, ceiling_mg_per_kg=D("1.00")) == expected


def test_a_dose_at_the_ceiling_is_allowed_and_one_hundredth_above_is_refused():
    assert dose_mg(mg_per_kg=D("0.50"), weight_kg=D("80"), ceiling_mg_per_kg=D("0.50")) == D("40.0")
    with pytest.raises(DoseAboveCeiling, match=r"0.51 mg/kg is above this protocol's ceiling of 0.50 mg/kg") as exc:
        dose_mg(mg_per_kg=D("0.51"), weight_kg=D("80"), ceiling_mg_per_kg=D("0.50"))
    assert (exc.value.mg_per_kg, exc.value.ceiling_mg_per_kg) == (D("0.51"), D("0.50"))


def test_the_ceiling_refuses_before_anything_is_rounded():
    # 0.505 mg/kg would round to a dose that looks allowed; the order itself is above the ceiling.
    with pytest.raises(DoseAboveCeiling):
        dose_mg(mg_per_kg=D("0.505"), weight_kg=D("10"), ceiling_mg_per_kg=D("0.50"))


@pytest.mark.parametrize("bad", [{"mg_per_kg": D("0")}, {"weight_kg": D("0")}, {"weight_kg": D("-70")}])
def test_a_zero_or_negative_dose_or_weight_is_refused(bad):
    arguments = {"mg_per_kg": D("0.5"), "weight_kg": D("70"), "ceiling_mg_per_kg": D("1.00"), **bad}
    with pytest.raises(ValueError, match="must be positive"):
        dose_mg(**arguments)


def test_floats_are_refused_because_they_round_wrongly():
    with pytest.raises(TypeError, match="not a float"):
        dose_mg(mg_per_kg=0.5, weight_kg=D("70"), ceiling_mg_per_kg=D("1.00"))


@pytest.mark.parametrize(
    ("mg", "strength", "expected"),
    [
        (D("41.7"), 10, D("4.17")),
        (D("41.7"), 50, D("0.83")),  # 0.834
        (D("41.7"), 100, D("0.42")),  # 0.417
        (D("35.0"), 100, D("0.35")),
        (D("32.5"), 100, D("0.33")),  # 0.325 rounds half up
        (D("0.1"), 100, D("0.00")),
    ],
)
def test_the_volume_of_each_vial_strength_to_a_hundredth_of_a_ml(mg, strength, expected):
    assert volume_ml(mg, mg_per_ml=strength) == expected


def test_a_vial_without_strength_is_refused():
    with pytest.raises(ValueError, match="strength must be positive"):
        volume_ml(D("40"), mg_per_ml=0)


@pytest.mark.parametrize(
    ("bag", "minutes", "expected"),
    [
        (DEFAULT_BAG_ML, 40, D("150.0")),  # 100 mL over 40 min
        (DEFAULT_BAG_ML, 240, D("25.0")),  # over 4 h
        (DEFAULT_BAG_ML, 120, D("50.0")),
        (DEFAULT_BAG_ML, 45, D("133.3")),  # 133.33...
        (D("250"), 45, D("333.3")),
        (DEFAULT_BAG_ML, 7, D("857.1")),  # 857.142...
        (D("100"), 9, D("666.7")),  # 666.66... rounds up
        (D("50"), 240, D("12.5")),
    ],
)
def test_the_pump_rate_runs_the_bag_over_the_infusion_minutes(bag, minutes, expected):
    assert pump_rate_ml_per_hour(bag_ml=bag, infusion_minutes=minutes) == expected


def test_the_default_bag_is_100_ml_of_saline():
    assert pump_rate_ml_per_hour(infusion_minutes=60) == D("100.0")


@pytest.mark.parametrize(("bag", "minutes"), [(D("0"), 40), (D("100"), 0), (D("-100"), 40)])
def test_a_pump_rate_needs_a_bag_and_minutes(bag, minutes):
    with pytest.raises(ValueError, match="must be positive"):
        pump_rate_ml_per_hour(bag_ml=bag, infusion_minutes=minutes)


def test_the_planned_dose_gathers_mg_volumes_and_pump_rate():
    dose = planned_dose(mg_per_kg=D("0.50"), weight_kg=D("83.4"), ceiling_mg_per_kg=D("1.00"), infusion_minutes=40)
    assert dose.mg == D("41.7")
    assert [(v.mg_per_ml, v.ml) for v in dose.volumes] == [(10, D("4.17")), (50, D("0.83")), (100, D("0.42"))]
    assert (dose.bag_ml, dose.infusion_minutes, dose.pump_ml_per_hour) == (D("100"), 40, D("150.0"))


def test_the_planned_dose_is_refused_above_the_ceiling():
    with pytest.raises(DoseAboveCeiling):
        planned_dose(mg_per_kg=D("0.80"), weight_kg=D("70"), ceiling_mg_per_kg=D("0.75"), infusion_minutes=40)
