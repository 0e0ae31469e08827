"""Set-up shared by the reminder tests: visits made with the ORM, synced the way the services do."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from clinic.context import clinic_context
from clinic.tests.factories import ChairFactory, PatientFactory, UserFactory, clinic_settings, main_location
from infusions import reminders
from infusions.models import (
    Appointment,
    InfusionSeries,
    MaintenanceOrder,
    OutcomeInvitation,
    PatientNotice,
    Reminder,
)
from infusions.reminders import dispatch
from infusions.tests.helpers import LA, depression


def visit(
    start: datetime, *, patient=None, chair=None, location=None, sync=True, minutes=90, **patient_fields
) -> Appointment:
    """A scheduled visit at `start` (aware) on `chair`, or a chair at `location` (default: the main
    location, in the TIME_ZONE setting's zone), with its reminders synced as the booking services do."""
    user = UserFactory()
    patient = patient or PatientFactory(created_by=user, **patient_fields)
    chair = chair or ChairFactory(location=location or main_location())
    series = InfusionSeries.objects.create(
        patient=patient, protocol=depression(), created_by=user, location=chair.location
    )
    appointment = Appointment.objects.create(
        series=series,
        patient=patient,
        chair=chair,
        sequence=1,
        start=start.astimezone(UTC),
        end=(start + timedelta(minutes=minutes)).astimezone(UTC),
    )
    if sync:
        reminders.sync_for([appointment])
    return appointment


def failed_reminder(start: datetime) -> Reminder:
    """An e-mail reminder of a visit at `start` that failed after every attempt."""
    appointment = visit(start, consent_sms=False)
    row = Reminder.objects.filter(appointment=appointment).first()
    Reminder.objects.filter(pk=row.pk).update(status="failed", attempts=5, last_error="SMTPException")
    return row


def local(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LA)


def dispatch_due() -> dispatch.Outcome:
    """One dispatch step as the tasks run it, in this process: claim what is due, send it."""
    token, ids = dispatch.claim_due()
    return dispatch.send_claimed(ids, token)


def _away_from_quiet_hours() -> None:
    """Tests on the real clock: keep quiet hours away from it (tested with frozen time elsewhere)."""
    context = clinic_context()
    later = context.local(context.now()) + timedelta(hours=6)
    clinic_settings(sms_quiet_start=later.time(), sms_quiet_end=(later + timedelta(hours=1)).time())


def _future_visits(visits: int) -> list[Appointment]:
    """`visits` scheduled visits of one patient (consented to e-mail and SMS), 90 minutes apart from in 2 days."""
    user = UserFactory()
    patient = PatientFactory(created_by=user)
    chair = ChairFactory()
    series = InfusionSeries.objects.create(
        patient=patient, protocol=depression(), created_by=user, location=chair.location
    )
    first = timezone.now().replace(microsecond=0) + timedelta(days=2)
    block = timedelta(minutes=90)
    return Appointment.objects.bulk_create(
        Appointment(
            series=series,
            patient=patient,
            chair=chair,
            sequence=1,
            start=first + block * n,
            end=first + block * (n + 1),
        )
        for n in range(visits)
    )


def due_reminders(visits: int) -> list[int]:
    """`visits` future visits, each with a due e-mail and a due SMS reminder: 2 x visits rows."""
    _away_from_quiet_hours()
    due = timezone.now() - timedelta(minutes=1)
    rows = Reminder.objects.bulk_create(
        Reminder(appointment=a, channel=channel, offset_hours=24, visit_start=a.start, due_at=due)
        for a in _future_visits(visits)
        for channel in ("email", "sms")
    )
    return [r.pk for r in rows]


def due_notices(visits: int) -> list[int]:
    """`visits` future visits, each moved by a day a moment ago: a pending notice by e-mail and one by SMS each."""
    _away_from_quiet_hours()
    rows = PatientNotice.objects.bulk_create(
        PatientNotice(
            appointment=a,
            kind="moved",
            channel=channel,
            previous_start=a.start - timedelta(days=1),
            visit_start=a.start,
        )
        for a in _future_visits(visits)
        for channel in ("email", "sms")
    )
    return [r.pk for r in rows]


def due_invitations(patients: int) -> list[int]:
    """`patients` patients in maintenance (a completed initial series, an open maintenance order), consented to
    e-mail and SMS, each with an open check-in invitation not sent yet."""
    _away_from_quiet_hours()
    user = UserFactory()
    chair = ChairFactory()
    now = timezone.now()
    rows = []
    for _ in range(patients):
        patient = PatientFactory(created_by=user)
        InfusionSeries.objects.create(
            patient=patient,
            protocol=depression(),
            created_by=user,
            location=chair.location,
            status=InfusionSeries.Status.COMPLETED,
        )
        MaintenanceOrder.objects.create(patient=patient, ordered_by=user)
        rows.append(OutcomeInvitation(patient=patient, created_at=now, expires_at=now + timedelta(days=14)))
    return [r.pk for r in OutcomeInvitation.objects.bulk_create(rows)]


# --- The PostgreSQL races of the send loop: real connections, SKIP LOCKED -------------------------------------

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
POSTGRES_RACE = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs PostgreSQL (SKIP LOCKED, real concurrent connections): "
        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic",
    ),
]


class NoRefusal(Exception):
    """Nothing in a worker's loop refuses: for `run_at_once`, any exception is an error."""
