"""A mistaken mark is undone back to the status before it, the same clinic-local day, and shows in the history."""

from datetime import UTC, date, datetime
from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from clinic.refusals import Refused
from clinic.tests.factories import front_desk, main_location
from infusions.booking.services import appointment_mark, appointment_undo_mark, series_book
from infusions.models import Appointment
from infusions.tests.helpers import bookable_patient, clinic, complete, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
S = Appointment.Status


@pytest.fixture
def visit():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        chair, _ = clinic()
        series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
        traveller.move_to(datetime(2026, 12, 7, 19, 0, tzinfo=UTC))  # 11:00 local, after the first visit
        yield series.appointments.get(sequence=1), traveller


@pytest.mark.parametrize("marks", [["no_show"], ["arrived"]])
def test_it_undoes_the_last_mark_back_to_the_status_before_it_and_records_who(visit, marks):
    appointment, _ = visit
    user = front_desk()
    for status in marks:
        appointment_mark(appointment=appointment, status=status, by=user)
    with mock.patch("infusions.booking.services.reminders.sync_for") as sync_for:
        appointment_undo_mark(appointment=appointment, by=user)
    appointment.refresh_from_db()
    before = "scheduled"
    assert appointment.status == before
    sync_for.assert_called_once()
    change = appointment.history.order_by("-history_id").first()
    assert change.history_user == user
    assert change.history_change_reason == f"undo_mark: {marks[-1]} back to {before}"
    # An undo is not undone again (that would be a new mark).
    with pytest.raises(Refused, match="no mark to undo"):
        appointment_undo_mark(appointment=appointment, by=user)


def test_a_discharged_visit_and_a_checked_in_arrival_are_not_undone(visit):
    """A completed visit is signed at discharge, and a checked-in patient's record goes on: neither is undone."""
    appointment, traveller = visit
    traveller.move_to(datetime(2026, 12, 8, 1, 0, tzinfo=UTC))  # the evening of the visit's day
    record = complete(appointment)
    with pytest.raises(Refused, match="no mark to undo"):
        appointment_undo_mark(appointment=appointment, by=front_desk())
    assert Appointment.objects.get(pk=appointment.pk).status == S.COMPLETED
    assert record.is_signed


def test_a_mark_cannot_be_undone_on_a_later_day(visit):
    appointment, traveller = visit
    appointment_mark(appointment=appointment, status="no_show", by=front_desk())
    traveller.move_to(datetime(2026, 12, 8, 8, 0, tzinfo=UTC))  # 00:00 local the next day
    appointment.refresh_from_db()
    assert not appointment.can_undo_mark
    with pytest.raises(Refused, match="only on the day it was made"):
        appointment_undo_mark(appointment=appointment, by=front_desk())
    appointment.refresh_from_db()
    assert appointment.status == S.NO_SHOW


def test_the_series_page_offers_undo_and_the_front_desk_can_use_it(client, visit):
    appointment, _ = visit
    user = front_desk()
    appointment_mark(appointment=appointment, status="no_show", by=user)
    client.force_login(user)
    page = client.get(reverse("infusions:series", args=[appointment.series_id]))
    assert b"Undo no-show" in page.content
    response = client.post(reverse("infusions:visit_undo_mark", args=[appointment.pk]))
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == S.SCHEDULED


def _other_visit(appointment, *, patient, start, end, chair):
    from infusions.models import InfusionSeries

    user = front_desk()
    series = InfusionSeries.objects.create(
        location=main_location(),
        patient=patient,
        protocol=appointment.series.protocol,
        created_by=user,
        kind=InfusionSeries.Kind.MAINTENANCE,
    )
    return Appointment.objects.create(series=series, patient=patient, chair=chair, sequence=1, start=start, end=end)


def test_undoing_a_no_show_is_refused_when_its_chair_was_booked_meanwhile(visit):
    from clinic.tests.factories import PatientFactory
    from infusions.booking.services import SlotTaken

    appointment, _ = visit
    appointment_mark(appointment=appointment, status="no_show", by=front_desk())
    _other_visit(
        appointment,
        patient=PatientFactory(created_by=front_desk()),
        start=appointment.start,
        end=appointment.end,
        chair=appointment.chair,
    )
    with pytest.raises(SlotTaken, match="given to another visit"):
        appointment_undo_mark(appointment=appointment, by=front_desk())
    appointment.refresh_from_db()
    assert appointment.status == S.NO_SHOW


def test_undoing_a_no_show_is_refused_when_the_patient_now_has_a_visit_too_close(visit):
    from datetime import timedelta

    appointment, _ = visit
    appointment_mark(appointment=appointment, status="no_show", by=front_desk())
    from clinic.tests.factories import ChairFactory

    other_chair = ChairFactory(name="Recliner")
    _other_visit(
        appointment,
        patient=appointment.patient,
        start=appointment.start + timedelta(hours=4),
        end=appointment.end + timedelta(hours=4),
        chair=other_chair,
    )
    with pytest.raises(Refused, match="apart"):
        appointment_undo_mark(appointment=appointment, by=front_desk())
    appointment.refresh_from_db()
    assert appointment.status == S.NO_SHOW
