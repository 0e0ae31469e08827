"""Seed a demo clinic: two locations in different time zones, their chairs and hours, one user per
role (a second front desk at Denver), and three patients screened by the real rules.

Refuses to run when DEBUG is off, so demo users with a known password never reach a real clinic.
Running it again changes nothing that is already there: every step looks for its rows first.
"""

import os
from dataclasses import dataclass
from datetime import time

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clinic.models import Clinic, Location
from clinic.roles import CLINICIAN, COORDINATOR, FRONT_DESK, NURSE, STAFF_ADMIN

# The one deliberate upward import of the base app: the demo clinic needs chairs and hours, which
# belong to infusions. Nothing else in clinic/ (outside tests and the URL wiring) imports a feature app.
from infusions.models import Chair, OpeningHours

MIGRATED_LOCATION = "Main location"  # what migration clinic 0007 calls a single-clinic database's location


@dataclass(frozen=True)
class DemoLocation:
    name: str
    address: str
    phone: str
    time_zone: str
    chairs: int
    weekdays: tuple[int, ...]
    opens: time
    closes: time


SEATTLE = DemoLocation(
    "Seattle",
    "1200 Example Ave, Seattle, WA 98101",
    "(555) 010-2000",
    "America/Los_Angeles",
    chairs=4,
    weekdays=(0, 1, 2, 3, 4, 5, 6),
    opens=time(8, 0),
    closes=time(17, 30),
)
DENVER = DemoLocation(
    "Denver",
    "300 Sample St, Denver, CO 80202",
    "(555) 010-3000",
    "America/Denver",
    chairs=3,
    weekdays=(0, 1, 2, 3, 4, 5),
    opens=time(8, 0),
    closes=time(18, 0),
)
DEMO_LOCATIONS = (SEATTLE, DENVER)

# username, role, where they work.
DEMO_USERS = [
    ("coordinator", COORDINATOR, ("Seattle",)),
    ("clinician", CLINICIAN, ("Seattle", "Denver")),
    ("frontdesk", FRONT_DESK, ("Seattle",)),
    ("frontdesk2", FRONT_DESK, ("Denver",)),
    ("nurse", NURSE, ("Seattle",)),
]
ADMIN_LOCATIONS = ("Seattle", "Denver")


class Command(BaseCommand):
    help = (
        "Seed a demo clinic (DEBUG only): Seattle (4 chairs, 08:00-17:30 daily) and Denver "
        "(3 chairs, Mon-Sat 08:00-18:00), demo users."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would be created; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo refuses to run with DEBUG off: demo users must never reach a real clinic.")
        password = os.environ.get("DEMO_PASSWORD", "infusion-demo-2026")
        usernames = ", ".join(name for name, _, _ in DEMO_USERS)
        if dry_run:
            self.stdout.write(
                "Would create: organisation settings; Seattle (America/Los_Angeles, 4 chairs, 08:00-17:30 daily) "
                "and Denver (America/Denver, 3 chairs, Mon-Sat 08:00-18:00); users "
                + usernames
                + " and admin; three patients."
            )
            return
        with transaction.atomic():
            created = self._seed(password)
        self.stdout.write(self.style.SUCCESS("Demo clinic ready." if created else "Demo clinic already seeded."))
        self.stdout.write(f"Sign in at http://127.0.0.1:8000/ as {usernames} or admin, password: {password}")

    def _seed(self, password: str) -> bool:
        """Create what is missing; True when anything was created or changed."""
        changed = False
        # A seed command writes: it takes the row for update rather than the read accessor.
        clinic, made = Clinic.objects.get_or_create(pk=Clinic.SINGLE_ROW_PK)
        if made or clinic.name == Clinic._meta.get_field("name").default:
            clinic.name = "Demo Wellness Clinic"
            clinic.save()
            changed = True
        locations = {}
        for position, demo in enumerate(DEMO_LOCATIONS, start=1):
            locations[demo.name], made = self._location(demo, position)
            changed |= made
        for username, role, where in DEMO_USERS:
            user, made = User.objects.get_or_create(username=username, defaults={"first_name": username.title()})
            if made:
                user.set_password(password)
                user.save()
            changed |= self._join(user, role, [locations[name] for name in where]) or made
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            # Staff with the set-up role only: no superuser, so no clinical or booking act.
            admin = User.objects.create_user("admin", "admin@example.org", password, is_staff=True)
            changed = True
        changed |= self._join(admin, STAFF_ADMIN, [locations[name] for name in ADMIN_LOCATIONS])
        changed |= self._seed_patients(User.objects.get(username="coordinator"))
        return changed

    def _location(self, demo: DemoLocation, position: int) -> tuple[Location, bool]:
        """The demo location, made once: migration's "Main location" becomes Seattle (keeping its rows)."""
        changed = False
        location = Location.objects.filter(name=demo.name).first()
        if location is None:
            location = Location(name=demo.name)
            if demo is SEATTLE:
                location = Location.objects.filter(name=MIGRATED_LOCATION).first() or location
                location.name = demo.name
            location.address = demo.address
            location.phone = demo.phone
            location.time_zone = demo.time_zone
            location.position = position
            location.active = True
            location.full_clean()
            location.save()
            changed = True
        # Chairs and hours only where there are none: never beside ones the staff admin has edited.
        if not location.chairs.exists():
            Chair.objects.bulk_create(
                Chair(location=location, name=f"Chair {i}", position=i) for i in range(1, demo.chairs + 1)
            )
            changed = True
        if not location.opening_hours.exists():
            OpeningHours.objects.bulk_create(
                OpeningHours(location=location, weekday=day, opens=demo.opens, closes=demo.closes)
                for day in demo.weekdays
            )
            changed = True
        return location, changed

    @staticmethod
    def _join(user, role: str, locations) -> bool:
        """Give the user the role and add them to the locations; True when anything was missing."""
        group = Group.objects.get(name=role)
        missing_role = not user.groups.filter(pk=group.pk).exists()
        missing_locations = [loc for loc in locations if not user.locations.filter(pk=loc.pk).exists()]
        if missing_role:
            user.groups.add(group)
        if missing_locations:
            user.locations.add(*missing_locations)
        return missing_role or bool(missing_locations)

    def _seed_patients(self, coordinator) -> bool:
        """Three made-up patients, screened by the real rules: one clear, two for the review queue.

        Patients belong to the organisation, not to a location. Each is made once (by name and birth date).
        """
        from intake.models import Patient
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
        created = False
        for first, last, born, changes in demo:
            if Patient.objects.filter(first_name=first, last_name=last, date_of_birth=born).exists():
                continue
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
            created = True
        return created
