"""Replacing a cancelled, no-show or deferred visit of a series, by the series' rules, so it can still reach six."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from clinic.refusals import Refused
from clinic.tests.factories import front_desk
from infusions.booking.services import (
    NeedsConfirmation,
    appointment_cancel,
    appointment_replace,
    series_book,
)
from infusions.models import Appointment, Reminder
from infusions.tests.helpers import at, bookable_patient, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)  # visits at 09:00 local on the 7th, 10th, 13th, 16th, 19th and 22nd
S = Appointment.Status


@pytest.fixture
def booked():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        chair, _ = clinic()
        series = series_book(
            patient=bookable_patient(email="p@example.org", consent_email=True),
            visits=series_visits(MONDAY, chair),
            by=front_desk(),
        )
        yield series, list(series.appointments.order_by("sequence")), chair


def test_a_cancelled_visit_replaced_on_a_valid_day_is_visit_n_again(booked):
    series, visits, chair = booked
    user = front_desk()
    appointment_cancel(appointment=visits[2], by=user, reason="illness")
    assert series.appointments.active().count() == 5
    new = appointment_replace(appointment=visits[2], start=at(date(2026, 12, 14), 9), chair_id=chair.pk, by=user)
    new.refresh_from_db()
    assert (new.sequence, new.status, new.replaces_id, new.series_id) == (3, S.SCHEDULED, visits[2].pk, series.pk)
    assert new.start == at(date(2026, 12, 14), 9)
    assert series.appointments.active().count() == 6
    assert Reminder.objects.filter(appointment=new).exists()
    change = new.history.order_by("-history_id").first()
    assert change.history_user == user and not change.history_change_reason
    assert Appointment.objects.get(pk=visits[2].pk).status == S.CANCELLED


def test_a_replacement_too_close_to_another_visit_is_refused(booked):
    _, visits, chair = booked
    appointment_cancel(appointment=visits[2], by=front_desk(), reason="illness")
    with pytest.raises(Refused, match="at least 2 days apart"):
        appointment_replace(
            appointment=visits[2],
            start=at(date(2026, 12, 11), 9),
            chair_id=chair.pk,
            by=front_desk(),
            confirm_past_window=True,
        )
    assert not Appointment.objects.filter(replaces=visits[2]).exists()


def test_a_replacement_past_the_window_needs_a_confirmation_and_records_it(booked):
    _, visits, chair = booked
    user = front_desk()
    appointment_cancel(appointment=visits[5], by=user, reason="transport")
    when = at(date(2026, 12, 30), 9)  # 11 days after the 19th, 23 days after the first
    with pytest.raises(NeedsConfirmation, match="past its window of 21 days"):
        appointment_replace(appointment=visits[5], start=when, chair_id=chair.pk, by=user)
    assert not Appointment.objects.filter(replaces=visits[5]).exists()
    new = appointment_replace(appointment=visits[5], start=when, chair_id=chair.pk, by=user, confirm_past_window=True)
    change = new.history.order_by("-history_id").first()
    assert change.history_user == user
    assert change.history_change_reason == "rule_override: max_gap, window"


def test_a_visit_is_replaced_once_and_a_scheduled_visit_not_at_all(booked):
    _, visits, chair = booked
    appointment_cancel(appointment=visits[2], by=front_desk(), reason="illness")
    appointment_replace(appointment=visits[2], start=at(date(2026, 12, 14), 9), chair_id=chair.pk, by=front_desk())
    visits[2].refresh_from_db()
    assert not visits[2].can_replace and not visits[2].can_undo_cancel
    with pytest.raises(Refused, match="replaced already"):
        appointment_replace(appointment=visits[2], start=at(date(2026, 12, 14), 13), chair_id=chair.pk, by=front_desk())
    with pytest.raises(Refused, match="Only a cancelled, no-show or deferred visit"):
        appointment_replace(appointment=visits[3], start=at(date(2026, 12, 17), 9), chair_id=chair.pk, by=front_desk())
    assert Appointment.objects.filter(sequence=3).count() == 2
    assert Appointment.objects.active().filter(sequence=3).count() == 1


def test_the_front_desk_replaces_from_the_series_page_with_a_confirm_step(client, booked):
    series, visits, chair = booked
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        appointment_cancel(appointment=visits[5], by=front_desk(), reason="illness")
        client.force_login(front_desk())
        url = reverse("infusions:visit_replace", args=[visits[5].pk])
        assert f'href="{url}"' in client.get(reverse("infusions:series", args=[series.pk])).content.decode()
        page = client.get(url + "?date=2026-12-30")
        assert page.status_code == 200 and b"Replace visit 6" in page.content
        stamp = int(at(date(2026, 12, 30), 9).timestamp())
        asked = client.post(url, {"start": stamp, "chair": chair.pk})
        assert asked.status_code == 200 and b'data-testid="window-warning"' in asked.content
        assert b"Replace on" in asked.content
        done = client.post(url, {"start": stamp, "chair": chair.pk, "confirm": "1"})
        assert done.status_code == 302
        assert Appointment.objects.get(replaces=visits[5]).start == at(date(2026, 12, 30), 9)
        assert series.appointments.active().count() == 6


def test_a_clinician_cannot_replace(client, clinician, booked):
    _, visits, chair = booked
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        appointment_cancel(appointment=visits[2], by=front_desk(), reason="illness")
        client.force_login(clinician)
        url = reverse("infusions:visit_replace", args=[visits[2].pk])
        assert client.get(url).status_code == 403
        stamp = int(at(date(2026, 12, 14), 9).timestamp())
        assert client.post(url, {"start": stamp, "chair": chair.pk}).status_code == 403
    assert not Appointment.objects.filter(replaces=visits[2]).exists()
