"""Seed a demo clinic once: clinic details, chairs, opening hours, one user per role, three patients.

Refuses to run when DEBUG is off, so demo users with a known password never reach a real clinic.
Running it again changes nothing that is already there.
"""

import os
from datetime import time

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clinic.models import Clinic
from clinic.roles import CLINICIAN, COORDINATOR, FRONT_DESK, STAFF_ADMIN

# The one deliberate upward import of the base app: the demo clinic needs chairs and hours, which
# belong to infusions. Nothing else in clinic/ (outside tests and the URL wiring) imports a feature app.
from infusions.models import Chair, OpeningHours

DEMO_USERS = [("coordinator", COORDINATOR), ("clinician", CLINICIAN), ("frontdesk", FRONT_DESK)]


class Command(BaseCommand):
    help = "Seed a demo clinic (DEBUG only): chairs, hours 08:00-17:30 daily, demo users."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would be created; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo refuses to run with DEBUG off: demo users must never reach a real clinic.")
        password = os.environ.get("DEMO_PASSWORD", "infusion-demo-2026")
        if dry_run:
            self.stdout.write(
                "Would create: clinic details, 4 chairs, hours 08:00-17:30 daily, users "
                + ", ".join(name for name, _ in DEMO_USERS)
                + " and admin."
            )
            return
        with transaction.atomic():
            created = self._seed(password)
        self.stdout.write(self.style.SUCCESS("Demo clinic ready." if created else "Demo clinic already seeded."))
        self.stdout.write(
            f"Sign in at http://127.0.0.1:8000/ as coordinator, clinician, frontdesk or admin, password: {password}"
        )

    def _seed(self, password: str) -> bool:
        # A seed command writes: it takes the row for update rather than the read accessor.
        clinic, _ = Clinic.objects.get_or_create(pk=Clinic.SINGLE_ROW_PK)
        if clinic.address:
            return False
        clinic.name = "Demo Wellness Clinic"
        clinic.address = "100 Example Street, Suite 200, Springfield"
        clinic.phone = "(555) 010-2000"
        clinic.save()
        for i in range(1, 5):
            Chair.objects.get_or_create(name=f"Chair {i}", defaults={"position": i})
        for weekday in range(7):
            OpeningHours.objects.get_or_create(weekday=weekday, opens=time(8, 0), defaults={"closes": time(17, 30)})
        for username, role in DEMO_USERS:
            user, made = User.objects.get_or_create(username=username, defaults={"first_name": username.title()})
            if made:
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=role))
        if not User.objects.filter(username="admin").exists():
            # Staff with the set-up role only: no superuser, so no clinical or booking act.
            admin = User.objects.create_user("admin", "admin@example.org", password, is_staff=True)
            admin.groups.add(Group.objects.get(name=STAFF_ADMIN))
        self._seed_patients(User.objects.get(username="coordinator"))
        return True

    def _seed_patients(self, coordinator) -> None:
        """Three made-up patients, screened by the real rules: one clear, two for the review queue."""
        from intake.services import intake_create

        base = {
            "indication": "depression",
            "failed_antidepressant_trials": 3,
            "psychosis_history": "none",
            "mania_history": "none",
            "seizure_history": "none",
            "cerebrovascular_history": False,
            "hypertension": "none",
            "blood_pressure": {"systolic": 122, "diastolic": 78},
            "cardiac": "none",
            "liver": "none",
            "kidney": "none",
            "hyperthyroidism": "none",
            "unstable_medical_condition": False,
            "bladder_condition": False,
            "ketamine_allergy": False,
            "substance_use": "none",
            "pregnancy": "no",
            "breastfeeding": False,
            "medications": ["Zoloft 50 mg"],
            "phq9": [2, 2, 2, 1, 1, 2, 1, 1, 0],
            "gad7": [1, 1, 2, 1, 1, 0, 1],
        }
        demo = [
            # Names say nothing of the outcome: front desk sees these patients too.
            ("Avery", "Lindqvist", "1985-03-14", {}),
            ("Blake", "Okafor", "1979-11-02", {"blood_pressure": {"systolic": 152, "diastolic": 94}}),
            ("Casey", "Moreno", "1990-07-21", {"seizure_history": "disorder"}),
        ]
        for first, last, born, changes in demo:
            answers = {
                "patient": {
                    "first_name": first,
                    "last_name": last,
                    "date_of_birth": born,
                    "weight_kg": 72,
                    "phone": "+15550100123",
                    "email": f"{first.lower()}@example.org",
                },
                **base,
                **changes,
            }
            intake_create(answers=answers, by=coordinator, consent_email=True, consent_sms=True)
