"""Ketamine dose arithmetic for the day sheet and the chair-side record: pure, no Django.

mg/kg x weight -> mg, the mL of each vial strength at hand, and the pump rate for the bag over the protocol's
minutes; a ceiling per protocol refuses a dose above it. This module calculates, it does not order: every number
is shown for a clinician to confirm. Decimals, ROUND_HALF_UP: mg to 0.1 mg, mL to 0.01 mL, pump rate to 0.1 mL/h.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# The vials at hand (The Kingsley Clinic, Ketamine Infusion: A Breakthrough in Mental Health Treatment).
VIAL_STRENGTHS_MG_PER_ML = (10, 50, 100)
DEFAULT_BAG_ML = Decimal("100")  # the dose is diluted in a 100 mL saline bag unless told otherwise
# No protocol's dose may be set above this, nor its ceiling (the protocols' admin validators use it).
HIGHEST_CEILING_MG_PER_KG = Decimal("1.00")

MG = Decimal("0.1")
ML = Decimal("0.01")
ML_PER_HOUR = Decimal("0.1")


class DoseAboveCeiling(ValueError):
    """The dose asked for is above the protocol's ceiling: refused, never rounded down silently."""

    def __init__(self, mg_per_kg: Decimal, ceiling_mg_per_kg: Decimal):
        self.mg_per_kg, self.ceiling_mg_per_kg = mg_per_kg, ceiling_mg_per_kg
        super().__init__(f"{mg_per_kg} mg/kg is above this protocol's ceiling of {ceiling_mg_per_kg} mg/kg.")


@dataclass(frozen=True)
class VialVolume:
    mg_per_ml: int
    ml: Decimal


@dataclass(frozen=True)
class Dose:
    mg_per_kg: Decimal
    weight_kg: Decimal
    mg: Decimal
    volumes: tuple[VialVolume, ...]  # one per vial strength, in VIAL_STRENGTHS_MG_PER_ML order
    bag_ml: Decimal
    infusion_minutes: int
    pump_ml_per_hour: Decimal


def _round(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def _decimal(value, name: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal or an int, not a float (binary fractions round wrongly)")
    return Decimal(value)


def dose_mg(*, mg_per_kg, weight_kg, ceiling_mg_per_kg) -> Decimal:
    """mg/kg × weight, to 0.1 mg. Raises DoseAboveCeiling above the ceiling (the ceiling itself is allowed)."""
    mg_per_kg = _decimal(mg_per_kg, "mg_per_kg")
    weight_kg = _decimal(weight_kg, "weight_kg")
    ceiling = _decimal(ceiling_mg_per_kg, "ceiling_mg_per_kg")
    if mg_per_kg <= 0 or weight_kg <= 0:
        raise ValueError("the dose per kg and the weight must be positive")
    if mg_per_kg > ceiling:
        raise DoseAboveCeiling(mg_per_kg, ceiling)
    return _round(mg_per_kg * weight_kg, MG)


def volume_ml(mg, *, mg_per_ml) -> Decimal:
    """The volume of a vial of `mg_per_ml` that holds `mg`, to 0.01 mL."""
    mg, strength = _decimal(mg, "mg"), _decimal(mg_per_ml, "mg_per_ml")
    if strength <= 0:
        raise ValueError("a vial's strength must be positive")
    return _round(mg / strength, ML)


def pump_rate_ml_per_hour(*, bag_ml=DEFAULT_BAG_ML, infusion_minutes: int) -> Decimal:
    """The rate that runs the whole bag (its total volume) in `infusion_minutes`, to 0.1 mL/h."""
    bag_ml = _decimal(bag_ml, "bag_ml")
    if bag_ml <= 0 or infusion_minutes <= 0:
        raise ValueError("the bag volume and the infusion minutes must be positive")
    return _round(bag_ml * 60 / Decimal(infusion_minutes), ML_PER_HOUR)


def planned_dose(*, mg_per_kg, weight_kg, ceiling_mg_per_kg, infusion_minutes: int, bag_ml=DEFAULT_BAG_ML) -> Dose:
    """Everything the day sheet shows for one visit: mg, mL per vial strength, and the pump rate."""
    mg = dose_mg(mg_per_kg=mg_per_kg, weight_kg=weight_kg, ceiling_mg_per_kg=ceiling_mg_per_kg)
    return Dose(
        mg_per_kg=Decimal(mg_per_kg),
        weight_kg=Decimal(weight_kg),
        mg=mg,
        volumes=tuple(VialVolume(s, volume_ml(mg, mg_per_ml=s)) for s in VIAL_STRENGTHS_MG_PER_ML),
        bag_ml=Decimal(bag_ml),
        infusion_minutes=infusion_minutes,
        pump_ml_per_hour=pump_rate_ml_per_hour(bag_ml=bag_ml, infusion_minutes=infusion_minutes),
    )
