"""Patients' phone numbers in E.164 ("+12065550143"), as the intake now stores them.

A number typed without its country code is read as one of the PHONE_REGION setting's country. A value
that is not a full number (no area code, letters, an extension) is left as it was: the next edit of the
patient's contact details asks for a full number. Reversing leaves the numbers in E.164 (each patient's
history keeps what was typed before). The rule is copied here, not imported, so that this migration
does the same thing whatever `intake.phones` becomes.
"""

import re

import phonenumbers
from django.conf import settings
from django.db import migrations

_PHONE_CHARACTERS_RE = re.compile(r"\+?[0-9 ().\-/]+")


def _e164(text: str, region: str) -> str | None:
    text = text.strip()
    if not _PHONE_CHARACTERS_RE.fullmatch(text):
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if number.extension or (
        phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phones_to_e164(apps, schema_editor):
    Patient = apps.get_model("intake", "Patient")
    region = getattr(settings, "PHONE_REGION", "US") or "US"
    changed = []
    for patient in Patient.objects.exclude(phone="").only("id", "phone").iterator(chunk_size=2000):
        number = _e164(patient.phone, region)
        if number is not None and number != patient.phone:
            patient.phone = number
            changed.append(patient)
    Patient.objects.bulk_update(changed, ["phone"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0008_outcome_reviews"),
    ]

    operations = [
        migrations.RunPython(phones_to_e164, migrations.RunPython.noop, elidable=True),
    ]
