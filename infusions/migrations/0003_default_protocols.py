"""One protocol per indication with the defaults of DOMAIN §4-5. Clinicians adjust them in admin."""

from decimal import Decimal

from django.db import migrations

PSYCH = ("depression", "anxiety", "ptsd", "ocd", "bipolar_depression", "suicidal_ideation", "substance_use_disorder")
DEFAULTS = {
    # chair minutes, infusion minutes, planned mg/kg, range shown on the day sheet
    **{ind: (90, 40, Decimal("0.50"), "0.5 mg/kg over 40 min") for ind in PSYCH},
    "chronic_pain": (300, 240, Decimal("0.50"), "0.1-0.5 mg/kg over 4-6 h"),
    "fibromyalgia": (300, 240, Decimal("0.50"), "0.1-0.5 mg/kg over 4-6 h"),
    "migraine": (180, 120, Decimal("0.50"), "0.1-0.5 mg/kg over 1-4 h"),
}


def create(apps, schema_editor):
    Protocol = apps.get_model("infusions", "Protocol")
    for indication, (chair, infusion, dose, dose_range) in DEFAULTS.items():
        Protocol.objects.get_or_create(
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


class Migration(migrations.Migration):
    dependencies = [("infusions", "0002_no_overlap_postgres")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
