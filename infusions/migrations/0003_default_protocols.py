"""One protocol per indication with the defaults of DOMAIN §4-5 (infusions/booking/defaults.py)."""

from django.db import migrations

from infusions.booking.defaults import ensure_default_protocols


def create(apps, schema_editor):
    ensure_default_protocols(apps.get_model("infusions", "Protocol"))


class Migration(migrations.Migration):
    dependencies = [("infusions", "0002_no_overlap_postgres")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
