from django.db import migrations


def create_clinic_row(apps, schema_editor):
    # Reads never write (clinic.context): the one settings row is made here, once.
    Clinic = apps.get_model("clinic", "Clinic")
    Clinic.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0003_neutral_clinic_name")]

    operations = [migrations.RunPython(create_clinic_row, migrations.RunPython.noop)]
