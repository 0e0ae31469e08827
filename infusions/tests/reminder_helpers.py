"""Set-up shared by the reminder tests: visits made with the ORM, synced the way the services do."""

from datetime import UTC, datetime, timedelta

from clinic.tests.factories import ChairFactory, PatientFactory, UserFactory
from infusions import reminders
from infusions.models import Appointment, InfusionSeries
from infusions.tests.helpers import LA, depression


def visit(start: datetime, *, patient=None, chair=None, sync=True, minutes=90, **patient_fields) -> Appointment:
    """A scheduled visit at `start` (aware), with its reminders synced as the booking services do."""
    user = UserFactory()
    patient = patient or PatientFactory(created_by=user, **patient_fields)
    series = InfusionSeries.objects.create(patient=patient, protocol=depression(), created_by=user)
    chair = chair or ChairFactory()
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


def local(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LA)
