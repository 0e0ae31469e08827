"""The Staff admin role (set-up only), and the permission to look records up read-only in admin."""

from django.db import migrations


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="Staff admin")


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Staff admin").delete()


class Migration(migrations.Migration):
    dependencies = [("clinic", "0005_breastfeeding_help_names_its_sources")]

    operations = [
        migrations.AlterModelOptions(
            name="clinic",
            options={
                "permissions": [
                    ("look_up_records", "Can look up clinical and booking records in admin (read-only)")
                ]
            },
        ),
        migrations.RunPython(create_role, remove_role),
    ]
