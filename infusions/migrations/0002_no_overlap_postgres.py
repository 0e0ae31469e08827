"""PostgreSQL: the database itself refuses two active appointments that overlap in one chair or
for one patient. Half-open ranges '[)' so 09:00-10:30 and 10:30-12:00 both fit.

SQLite has no exclusion constraints; there the booking service checks inside a transaction that
holds the write lock from BEGIN (transaction_mode IMMEDIATE).
"""

from django.db import migrations

ACTIVE = "status IN ('scheduled', 'arrived', 'completed')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE infusions_appointment ADD CONSTRAINT appointment_no_chair_overlap "
    f"EXCLUDE USING gist (chair_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) WHERE ({ACTIVE})",
    "ALTER TABLE infusions_appointment ADD CONSTRAINT appointment_no_patient_overlap "
    f"EXCLUDE USING gist (patient_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) WHERE ({ACTIVE})",
]
BACKWARD = [
    "ALTER TABLE infusions_appointment DROP CONSTRAINT IF EXISTS appointment_no_patient_overlap",
    "ALTER TABLE infusions_appointment DROP CONSTRAINT IF EXISTS appointment_no_chair_overlap",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("infusions", "0001_initial")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
