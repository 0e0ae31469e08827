"""Default protocols (DOMAIN §4-5): one per indication. Clinicians adjust them in Django admin.

Every indication must have a protocol, so a missing one is created with these defaults by
migration 0003 and again after every migrate (InfusionsConfig.ready); existing ones are never
changed.
"""

from decimal import Decimal

PSYCH = ("depression", "anxiety", "ptsd", "ocd", "bipolar_depression", "suicidal_ideation", "substance_use_disorder")
DEFAULT_PROTOCOLS = {
    # chair minutes, infusion minutes, planned mg/kg, range shown on the day sheet
    **{ind: (90, 40, Decimal("0.50"), "0.5 mg/kg over 40 min") for ind in PSYCH},
    "chronic_pain": (300, 240, Decimal("0.50"), "0.1-0.5 mg/kg over 4-6 h"),
    "fibromyalgia": (300, 240, Decimal("0.50"), "0.1-0.5 mg/kg over 4-6 h"),
    "migraine": (180, 120, Decimal("0.50"), "0.1-0.5 mg/kg over 1-4 h"),
}


def ensure_default_protocols(protocol_model) -> None:
    """Create the protocol of any indication that has none (works with a migration's model too)."""
    for indication, (chair, infusion, dose, dose_range) in DEFAULT_PROTOCOLS.items():
        protocol_model.objects.get_or_create(
            indication=indication,
            defaults={
                "chair_minutes": chair,
                "infusion_minutes": infusion,
                "dose_mg_per_kg": dose,
                "dose_range": dose_range,
                "series_count": 6,
                "min_gap_days": 2,
                "max_gap_days": 7,
                "window_days": 21,
            },
        )


def ensure_default_protocols_after_migrate(sender, **kwargs) -> None:
    if sender.name != "infusions":
        return
    from infusions.models import Protocol

    ensure_default_protocols(Protocol)
