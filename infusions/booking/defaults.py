"""Default protocols, one per indication; clinicians adjust them in Django admin.

Every indication must have a protocol, so a missing one is created with these defaults (migration 0003, and after
every migrate: `ensure_default_protocols_after_migrate`); an existing one is never changed. Where each number
comes from is beside `DEFAULT_PROTOCOLS`.
"""

from decimal import Decimal

# Sources: 0.5 mg/kg over 40 minutes for the psychiatric indications (The Kingsley Clinic, Ketamine Infusion: A
# Breakthrough in Mental Health Treatment; Lighthouse Infusions, Ketamine Infusion Therapy: Information for
# Providers: "steady rate over 40 minutes"), in a 90-minute chair block with preparation and 20-30 minutes of
# observation (Blanchfield, Understanding the Mechanism of Ketamine Infusion Therapy; What is Ketamine Infusion
# Therapy? Uses and Benefits: 1.5-2 h in the clinic); 0.1-0.5 mg/kg over 4-6 h for chronic pain and fibromyalgia
# and over 1-4 h for migraine (The Kingsley Clinic). The series: 6 infusions at least 2 and at most 7 days apart,
# all within 21 days of the first.
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
