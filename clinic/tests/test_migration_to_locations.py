"""An existing single-clinic database becomes one location, with nothing lost.

The database is migrated back to just before the locations (clinic 0006, infusions 0007), filled
through the historical models as a running clinic would have it, then migrated forward to the latest.
Runs on SQLite and PostgreSQL (DATABASE_URL). The database is left at the latest migrations.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.migrations, pytest.mark.django_db(transaction=True)]

BEFORE_LOCATIONS = [
    ("clinic", "0006_staff_admin_role"),
    ("infusions", "0007_one_active_initial_series_per_patient"),
    ("intake", "0005_record_access_named_access_log"),
]
ROLES = ("Intake coordinator", "Clinician", "Front desk", "Staff admin")


def _migrate(targets):
    """Migrate to `targets` (with a fresh loader, as `manage.py migrate` would); the apps of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_locations():
    """The historical apps just before the locations; the database is back at the latest afterwards."""
    try:
        yield _migrate(BEFORE_LOCATIONS)
    finally:
        _migrate(_leaves())


def _single_clinic(apps):
    """A running single-clinic database: settings, staff, a patient, chairs, hours, a closure, a series
    with visits and their reminders (and the series' history row)."""
    Clinic = apps.get_model("clinic", "Clinic")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    Patient = apps.get_model("intake", "Patient")
    Intake = apps.get_model("intake", "Intake")
    Chair = apps.get_model("infusions", "Chair")
    OpeningHours = apps.get_model("infusions", "OpeningHours")
    Closure = apps.get_model("infusions", "Closure")
    Protocol = apps.get_model("infusions", "Protocol")
    InfusionSeries = apps.get_model("infusions", "InfusionSeries")
    HistoricalInfusionSeries = apps.get_model("infusions", "HistoricalInfusionSeries")
    Appointment = apps.get_model("infusions", "Appointment")
    Reminder = apps.get_model("infusions", "Reminder")

    Clinic.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Northwest Wellness",
            "address": "100 Example Street, Suite 200, Springfield",
            "phone": "(555) 010-2000",
            "reminder_offsets_hours": "48,24",
        },
    )
    staff = []
    for role in ROLES:
        user = User.objects.create(username=role.lower().replace(" ", "-"), is_staff=role == "Staff admin")
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        staff.append(user)
    both = User.objects.create(username="two-roles")
    both.groups.add(*Group.objects.filter(name__in=("Clinician", "Front desk")))
    staff.append(both)
    User.objects.create(username="operator", is_superuser=True, is_staff=True)  # no role: works nowhere
    coordinator, _, desk = staff[:3]

    patient = Patient.objects.create(
        first_name="Avery",
        last_name="Lindqvist",
        date_of_birth=date(1985, 3, 14),
        weight_kg=Decimal("72.0"),
        phone="+15550100123",
        email="avery@example.org",
        consent_email=True,
        consent_sms=True,
        created_by=coordinator,
    )
    Intake.objects.create(
        patient=patient, answers={"indication": "depression"}, indication="depression", taken_by=coordinator
    )
    chairs = [Chair.objects.create(name=f"Chair {i}", position=i) for i in (1, 2, 3)]
    for weekday in range(6):
        OpeningHours.objects.create(weekday=weekday, opens=time(8, 0), closes=time(17, 30))
    Closure.objects.create(date=date(2030, 12, 25), reason="Holiday")
    protocol, _ = Protocol.objects.get_or_create(
        indication="depression",
        defaults={"chair_minutes": 120, "infusion_minutes": 40, "dose_mg_per_kg": Decimal("0.50")},
    )
    series = InfusionSeries.objects.create(patient=patient, protocol=protocol, created_by=desk)
    HistoricalInfusionSeries.objects.create(
        id=series.pk,
        patient_id=patient.pk,
        protocol_id=protocol.pk,
        kind=series.kind,
        status=series.status,
        created_by_id=desk.pk,
        created_at=series.created_at,
        history_date=series.created_at,
        history_type="+",
        history_user_id=desk.pk,
    )
    first = datetime(2030, 6, 3, 16, 0, tzinfo=UTC)
    for sequence in range(1, 4):
        start = first + timedelta(days=2 * (sequence - 1))
        visit = Appointment.objects.create(
            series=series,
            patient=patient,
            chair=chairs[sequence % 3],
            sequence=sequence,
            start=start,
            end=start + timedelta(minutes=120),
            status="completed" if sequence == 1 else "scheduled",
            confirmed_at=start - timedelta(days=1) if sequence == 2 else None,
        )
        for offset in (48, 24):
            Reminder.objects.create(
                appointment=visit,
                channel="sms",
                offset_hours=offset,
                visit_start=start,
                due_at=start - timedelta(hours=offset),
                status="sent" if sequence == 1 else "pending",
                last_error="",
            )
    return {"staff": {user.pk for user in staff}}


def _bookings(apps):
    """Every visit and reminder with its times, as comparable values."""
    fields = ("pk", "series_id", "patient_id", "chair_id", "sequence", "start", "end", "status", "confirmed_at")
    visits = list(apps.get_model("infusions", "Appointment").objects.order_by("pk").values_list(*fields))
    fields = ("pk", "appointment_id", "channel", "offset_hours", "visit_start", "due_at", "status")
    reminders = list(apps.get_model("infusions", "Reminder").objects.order_by("pk").values_list(*fields))
    return visits, reminders


def test_a_single_clinic_database_becomes_one_location_with_nothing_lost(before_locations):
    made = _single_clinic(before_locations)
    visits_before, reminders_before = _bookings(before_locations)
    assert len(visits_before) == 3 and len(reminders_before) == 6

    _migrate(_leaves())

    from django.apps import apps

    from clinic.models import Clinic, Location
    from infusions.models import Chair, Closure, InfusionSeries, OpeningHours

    location = Location.objects.get()
    assert (location.address, location.phone) == ("100 Example Street, Suite 200, Springfield", "(555) 010-2000")
    assert location.time_zone == settings.TIME_ZONE
    assert location.active
    # The organisation's settings are kept (without the address and phone, which moved).
    clinic = Clinic.objects.get()
    assert (clinic.name, clinic.reminder_offsets_hours) == ("Northwest Wellness", "48,24")
    assert not hasattr(clinic, "address")

    assert Chair.objects.count() == 3
    assert set(Chair.objects.values_list("location", flat=True)) == {location.pk}
    assert OpeningHours.objects.count() == 6
    assert set(OpeningHours.objects.values_list("location", flat=True)) == {location.pk}
    assert list(Closure.objects.values_list("location", "date", "reason")) == [
        (location.pk, date(2030, 12, 25), "Holiday")
    ]
    assert list(InfusionSeries.objects.values_list("location", flat=True)) == [location.pk]
    assert list(InfusionSeries.history.values_list("location", flat=True)) == [location.pk]

    assert _bookings(apps) == (visits_before, reminders_before)  # same rows, same times, same chairs
    assert set(location.staff.values_list("pk", flat=True)) == made["staff"]  # every role user; not the operator
