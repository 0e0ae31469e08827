"""Seed a demo clinic: two locations in different time zones, their chairs and hours, one user per
role (a second front desk at Denver), three patients screened by the real rules, and a fourth with a
completed six-infusion series at Seattle whose PHQ-9 and GAD-7 fall across it (the course page's demo).

Refuses to run when DEBUG is off, so demo users with a known password never reach a real clinic.
Running it again changes nothing that is already there: every step looks for its rows first.
"""

import os
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

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
                + " and admin; three patients, a fourth with a completed six-infusion series at Seattle, and four"
                " with a series starting tomorrow at Seattle (staggered starts; one confirmed)."
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
        changed |= self._seed_patients(User.objects.get(username="coordinator"), locations["Seattle"])
        changed |= self._seed_course(locations["Seattle"])
        changed |= self._seed_floor(locations["Seattle"])
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

    # The intake answers every demo patient shares (each changes a few).
    BASE_ANSWERS = {
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

    def _seed_patients(self, coordinator, seattle) -> bool:
        """Three made-up patients, screened by the real rules: one clear, two for the review queue.

        Patients belong to the organisation; their intakes were taken at Seattle, where the coordinator works (so
        another location's staff do not open their pages). Each is made once (by name and birth date), each with
        a phone number of their own.
        """
        from intake.models import Patient
        from intake.services import intake_create

        demo = [
            # Names say nothing of the outcome: front desk sees these patients too.
            ("Avery", "Lindqvist", "1985-03-14", "+12065550131", {}),
            ("Blake", "Okafor", "1979-11-02", "+12065550132", {"blood_pressure": {"systolic": 152, "diastolic": 94}}),
            ("Casey", "Moreno", "1990-07-21", "+12065550133", {"seizure_history": "disorder"}),
        ]
        created = False
        for first, last, born, phone, changes in demo:
            if Patient.objects.filter(first_name=first, last_name=last, date_of_birth=born).exists():
                continue
            answers = {
                "patient": {
                    "first_name": first,
                    "last_name": last,
                    "date_of_birth": born,
                    "weight_kg": 72,
                    "phone": phone,
                    "email": f"{first.lower()}@example.org",
                },
                **self.BASE_ANSWERS,
                **changes,
            }
            intake_create(answers=answers, by=coordinator, consent_email=True, consent_sms=True, location=seattle)
            created = True
        return created

    # The floor's demo: four patients whose series start tomorrow at Seattle, booked through the real services.
    FLOOR_PATIENTS = (
        ("Jordan", "Reyes", "1988-04-12", "+12065550141"),
        ("Priya", "Natarajan", "1975-09-30", "+12065550142"),
        ("Sam", "Whitfield", "1993-01-17", "+12065550143"),
        ("Dana", "Kowalski", "1969-12-05", "+12065550144"),
    )

    def _seed_floor(self, seattle) -> bool:
        """Four Seattle patients, screened clear, each with a six-infusion series whose first visit is tomorrow:
        booked by the front desk through `series_propose` and `series_book`, so the planner staggers their
        starts (one IV start per quarter hour) and their reminders are made; the first has confirmed, the
        others are on tomorrow's call list. Made once: a patient who exists already is left as they are."""
        from clinic.context import clinic_context
        from infusions.booking import services
        from intake.models import Patient
        from intake.services import intake_create

        coordinator = User.objects.get(username="coordinator")
        front_desk = User.objects.get(username="frontdesk")
        tomorrow = clinic_context(seattle).today() + timedelta(days=1)
        created = False
        for n, (first, last, born, phone) in enumerate(self.FLOOR_PATIENTS):
            if Patient.objects.filter(first_name=first, last_name=last, date_of_birth=born).exists():
                continue
            answers = {
                "patient": {
                    "first_name": first,
                    "last_name": last,
                    "date_of_birth": born,
                    "weight_kg": 70 + 3 * n,
                    "phone": phone,
                    "email": f"{first.lower()}@example.org",
                },
                **self.BASE_ANSWERS,
            }
            patient = intake_create(
                answers=answers, by=coordinator, consent_email=True, consent_sms=True, location=seattle
            ).patient
            created = True
            proposal = services.series_propose(patient=patient, location=seattle, earliest=tomorrow)
            if not proposal.bookable or not proposal.visits:
                continue  # the staff admin changed the hours or chairs: the patient waits on the worklist
            series = services.series_book(
                patient=patient,
                visits=[(visit.start, visit.chair_id) for visit in proposal.visits],
                by=front_desk,
                location=seattle,
            )
            if n == 0:
                services.appointment_confirm_by_phone(appointment=series.appointments.get(sequence=1), by=front_desk)
        return created

    # The course page's demo: the baseline at intake, then the score at each check-in of the series.
    COURSE_PATIENT = ("Morgan", "Ellery", "1983-06-09")
    COURSE_PHQ9 = (15, 12, 9, 7, 5, 4)  # from 21 at intake: a remitter
    COURSE_GAD7 = (11, 9, 8, 6, 4, 3)  # from 14 at intake
    COURSE_DAYS_AGO = (22, 19, 16, 13, 10, 7)  # every 3 days, the last a week ago
    COURSE_START = time(10, 0)  # inside Seattle's opening hours (08:00-17:30 daily)

    def _seed_course(self, seattle) -> bool:
        """One Seattle patient with a completed six-infusion series in the past weeks, scores falling.

        The services act only now (a check-in on the visit's own day, a discharge after its start), and the
        seed cannot go back in time through them: it writes the rows the services would have written
        directly, kept consistent with them. Visits in a Seattle chair inside its opening hours, spaced as the
        depression protocol allows; the check-in values open every gate (BP 118/76, item 9 answered 0, an
        escort); the dose is the protocol's, within its ceiling, computed by `infusion_day.dosing`; every record
        has a reading in observation, in range, and is discharged and signed; the scores are the check-in's
        (source check_in). The baseline is the intake's screening, moved to before the series. Made once:
        nothing when the patient already has a series.
        """
        from clinic.context import clinic_context
        from infusions.infusion_day import chairside, dosing
        from infusions.models import Appointment, InfusionRecord, InfusionSeries, OutcomeScore, Protocol, VitalReading
        from intake.models import Intake, Patient, Screening
        from intake.questionnaires import GAD7, PHQ9, QUESTIONNAIRES, score
        from intake.services import intake_create

        first, last, born = self.COURSE_PATIENT
        patient = Patient.objects.filter(first_name=first, last_name=last, date_of_birth=born).first()
        if patient is not None and patient.series.exists():
            return False
        chair = seattle.chairs.filter(active=True).order_by("position", "name").first()
        protocol = Protocol.objects.filter(indication="depression").first()
        if chair is None or protocol is None:
            return False  # the staff admin removed the chairs or the protocol: no course to show
        coordinator = User.objects.get(username="coordinator")
        front_desk = User.objects.get(username="frontdesk")
        nurse = User.objects.get(username="nurse")
        prescriber = User.objects.get(username="clinician")
        context = clinic_context(seattle)
        today = context.today()

        def local(day_offset: int, at: time, minutes: int = 0) -> datetime:
            moment = datetime.combine(today - timedelta(days=day_offset), at, tzinfo=context.tz)
            return moment + timedelta(minutes=minutes)

        def items(measure: str, total: int) -> list[int]:
            """Answers adding up to `total`; PHQ-9 item 9 (self-harm) always 0: nothing for the demo to alert."""
            count = 9 if measure == PHQ9.code else 7
            scored = count - 1 if measure == PHQ9.code else count
            answers = [min(3, max(0, total - 3 * n)) for n in range(scored)]
            return answers + [0] * (count - scored)

        first_start = local(self.COURSE_DAYS_AGO[0], self.COURSE_START)
        if patient is None:
            answers = {
                "patient": {
                    "first_name": first,
                    "last_name": last,
                    "date_of_birth": born,
                    "weight_kg": 72,
                    "phone": "+15550100124",
                    "email": f"{first.lower()}@example.org",
                },
                **self.BASE_ANSWERS,
                "phq9": items(PHQ9.code, 21),
                "gad7": items(GAD7.code, 14),
            }
            screening = intake_create(
                answers=answers, by=coordinator, consent_email=True, consent_sms=True, location=seattle
            )
            patient = screening.patient
            # The intake was taken a week before the first infusion (the course's baseline precedes it).
            Intake.objects.filter(pk=screening.intake_id).update(taken_at=first_start - timedelta(days=7))
            Screening.objects.filter(pk=screening.pk).update(screened_at=first_start - timedelta(days=7))

        series = InfusionSeries.objects.create(
            patient=patient,
            location=seattle,
            protocol=protocol,
            kind=InfusionSeries.Kind.INITIAL,
            status=InfusionSeries.Status.COMPLETED,
            created_by=front_desk,
        )
        InfusionSeries.objects.filter(pk=series.pk).update(created_at=first_start - timedelta(days=5))
        weight = Decimal("72.0")
        dose = dosing.planned_dose(
            mg_per_kg=protocol.dose_mg_per_kg,
            weight_kg=weight,
            ceiling_mg_per_kg=protocol.max_dose_mg_per_kg,
            infusion_minutes=protocol.infusion_minutes,
        )
        vial = 50
        for sequence, (days_ago, phq9, gad7) in enumerate(
            zip(self.COURSE_DAYS_AGO, self.COURSE_PHQ9, self.COURSE_GAD7, strict=True), start=1
        ):
            start = local(days_ago, self.COURSE_START)
            appointment = Appointment.objects.create(
                series=series,
                patient=patient,
                chair=chair,
                sequence=sequence,
                start=start,
                end=start + timedelta(minutes=protocol.chair_minutes),
                status=Appointment.Status.COMPLETED,
                confirmed_at=start - timedelta(days=1),
            )
            checked_in = start - timedelta(minutes=10)
            started = start + timedelta(minutes=5)
            ended = started + timedelta(minutes=protocol.infusion_minutes)
            questionnaires = {PHQ9.code: items(PHQ9.code, phq9), GAD7.code: items(GAD7.code, gad7)}
            record = InfusionRecord.objects.create(
                appointment=appointment,
                stage=InfusionRecord.Stage.DISCHARGED,
                checked_in_at=checked_in,
                checked_in_by=nurse,
                weight_kg=weight,
                systolic=118,
                diastolic=76,
                heart_rate=70,
                spo2=98,
                fasting_kept=True,
                escort_name="Jordan Ellery",
                escort_phone="+15550100125",
                intoxicated=False,
                pregnancy_possible=False,
                questionnaires=questionnaires,
                item9=0,
                ordered_by=prescriber,
                ordered_at=checked_in + timedelta(minutes=5),
                dose_mg_per_kg=dose.mg_per_kg,
                dose_mg=dose.mg,
                vial_mg_per_ml=vial,
                volume_ml=next(v.ml for v in dose.volumes if v.mg_per_ml == vial),
                bag_ml=int(dose.bag_ml),
                infusion_minutes=dose.infusion_minutes,
                rate_ml_per_hour=dose.pump_ml_per_hour,
                started_at=started,
                started_by=nurse,
                ended_at=ended,
                dose_given_mg=dose.mg,
                discharge_checklist=[code for code, _ in chairside.DISCHARGE_CHECKLIST],
                discharged_at=ended + timedelta(minutes=30),
                discharged_by=nurse,
            )
            # Discharge needs a reading in observation, in range (the services refuse it otherwise).
            VitalReading.objects.create(
                record=record,
                taken_at=ended + timedelta(minutes=25),
                taken_by=nurse,
                phase="observation",
                systolic=122,
                diastolic=78,
                heart_rate=72,
                spo2=98,
            )
            for measure, answers in questionnaires.items():
                OutcomeScore.objects.create(
                    patient=patient,
                    appointment=appointment,
                    measure=measure,
                    items=answers,
                    total=score(QUESTIONNAIRES[measure], answers).total,
                    source=OutcomeScore.Source.CHECK_IN,
                    taken_at=checked_in,
                    recorded_by=nurse,
                )
        return True
