"""Cancelling a visit: a confirmation with a reason, the late-cancel mark, undo the same day while the slot is free."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from clinic.refusals import Refused
from clinic.tests.factories import front_desk
from infusions.booking.services import (
    SlotTaken,
    appointment_cancel,
    appointment_mark,
    appointment_undo_cancel,
    appointment_undo_mark,
    series_book,
    series_cancel_rest,
)
from infusions.models import Appointment, Reminder
from infusions.tests.helpers import bookable_patient, clinic, series_visits
from infusions.tests.reminder_helpers import visit

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)  # visits at 09:00 local on the 7th, 10th, 13th, 16th, 19th and 22nd
S = Appointment.Status


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def booked(traveller):
    chair, other = clinic()
    series = series_book(
        patient=bookable_patient(email="p@example.org", consent_email=True),
        visits=series_visits(MONDAY, chair),
        by=front_desk(),
    )
    return list(series.appointments.order_by("sequence")), chair


@pytest.mark.parametrize("reason", ["", "because", None])
def test_a_reason_is_required(booked, reason):
    visits, _ = booked
    with pytest.raises(Refused, match="Choose why"):
        appointment_cancel(appointment=visits[1], by=front_desk(), reason=reason)
    assert Appointment.objects.get(pk=visits[1].pk).status == S.SCHEDULED


@pytest.mark.parametrize(
    ("before", "late"), [(timedelta(hours=24, minutes=1), False), (timedelta(hours=23, minutes=59), True)]
)
def test_a_cancel_within_24_hours_of_the_start_is_marked_late(booked, traveller, before, late):
    visits, _ = booked
    traveller.move_to(visits[1].start - before)
    cancelled = appointment_cancel(appointment=visits[1], by=front_desk(), reason="illness")
    cancelled.refresh_from_db()
    assert (cancelled.status, cancelled.cancel_reason, cancelled.late_cancel) == (S.CANCELLED, "illness", late)
    assert cancelled.cancelled_at == visits[1].start - before


def test_the_late_cancel_hours_are_a_setting(booked, traveller):
    from clinic.tests.factories import clinic_settings

    clinic_settings(late_cancel_hours=48)
    visits, _ = booked
    traveller.move_to(visits[1].start - timedelta(hours=30))
    assert appointment_cancel(appointment=visits[1], by=front_desk(), reason="transport").late_cancel


def test_undo_the_same_day_restores_the_visit_and_its_reminders(booked):
    visits, _ = booked
    user = front_desk()
    appointment_cancel(appointment=visits[2], by=user, reason="patient_request")
    assert not Reminder.objects.filter(appointment=visits[2], status="pending").exists()
    restored = appointment_undo_cancel(appointment=visits[2], by=user)
    restored.refresh_from_db()
    assert (restored.status, restored.cancel_reason, restored.cancelled_at) == (S.SCHEDULED, "", None)
    assert Reminder.objects.filter(appointment=visits[2], status="pending", visit_start=restored.start).exists()
    change = restored.history.order_by("-history_id").first()
    assert (change.history_user, change.history_change_reason) == (user, "undo_cancel")
    with pytest.raises(Refused, match="no cancel to undo"):
        appointment_undo_cancel(appointment=visits[2], by=user)


def test_undo_is_refused_the_next_day(booked, traveller):
    visits, _ = booked
    appointment_cancel(appointment=visits[2], by=front_desk(), reason="patient_request")  # 08:00 local on the 1st
    traveller.move_to(datetime(2026, 12, 2, 8, 0, tzinfo=UTC))  # 00:00 local on the 2nd
    visit = Appointment.objects.get(pk=visits[2].pk)
    assert not visit.can_undo_cancel
    with pytest.raises(Refused, match="only on the day it was made"):
        appointment_undo_cancel(appointment=visit, by=front_desk())
    assert Appointment.objects.get(pk=visits[2].pk).status == S.CANCELLED


def test_undo_is_refused_when_the_slot_was_taken(booked):
    visits, chair = booked
    appointment_cancel(appointment=visits[0], by=front_desk(), reason="clinic")
    # Another patient is booked on that chair at that time meanwhile.
    visit(visits[0].start, chair=chair)
    with pytest.raises(SlotTaken, match="given to another visit"):
        appointment_undo_cancel(appointment=visits[0], by=front_desk())
    assert Appointment.objects.get(pk=visits[0].pk).status == S.CANCELLED


def test_the_confirmation_page_asks_for_a_reason_then_cancels_and_offers_undo(client, booked):
    visits, _ = booked
    client.force_login(front_desk())
    series_page = client.get(reverse("infusions:series", args=[visits[0].series_id])).content.decode()
    url = reverse("infusions:visit_cancel", args=[visits[1].pk])
    assert f'href="{url}"' in series_page
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Clinic&#x27;s decision" in text and 'type="radio"' in text
    assert "late cancel" not in text  # 8 days ahead
    missing = client.post(url, {})
    assert missing.status_code == 400 and b"Choose why the visit is cancelled." in missing.content
    assert Appointment.objects.get(pk=visits[1].pk).status == S.SCHEDULED
    done = client.post(url, {"reason": "transport"})
    assert done.status_code == 302
    visit = Appointment.objects.get(pk=visits[1].pk)
    assert (visit.status, visit.cancel_reason) == (S.CANCELLED, "transport")
    series_page = client.get(reverse("infusions:series", args=[visits[0].series_id])).content.decode()
    assert "Undo cancel" in series_page and "Transport" in series_page
    client.post(reverse("infusions:visit_undo_cancel", args=[visits[1].pk]))
    assert Appointment.objects.get(pk=visits[1].pk).status == S.SCHEDULED


def test_the_confirmation_page_warns_of_a_late_cancel(client, booked, traveller):
    visits, _ = booked
    traveller.move_to(visits[0].start - timedelta(hours=3))
    client.force_login(front_desk())
    page = client.get(reverse("infusions:visit_cancel", args=[visits[0].pk]))
    assert b'data-testid="late-cancel-warning"' in page.content


def test_a_clinician_cannot_cancel(client, clinician, booked):
    visits, _ = booked
    client.force_login(clinician)
    url = reverse("infusions:visit_cancel", args=[visits[1].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "illness"}).status_code == 403
    assert client.post(reverse("infusions:visit_undo_cancel", args=[visits[1].pk])).status_code == 403
    assert Appointment.objects.get(pk=visits[1].pk).status == S.SCHEDULED


def test_undo_is_refused_when_another_infusion_now_starts_in_that_quarter_hour(booked):
    """One nurse starts one IV at a time: a visit booked meanwhile on another chair at the same quarter hour
    (the location's cap is 1) keeps the cancelled visit from coming back."""
    visits, chair = booked
    other_chair = Appointment.objects.get(pk=visits[0].pk).chair.location.chairs.exclude(pk=chair.pk).first()
    appointment_cancel(appointment=visits[0], by=front_desk(), reason="clinic")
    visit(visits[0].start + timedelta(minutes=10), chair=other_chair)
    with pytest.raises(SlotTaken, match="same quarter hour"):
        appointment_undo_cancel(appointment=visits[0], by=front_desk())
    assert Appointment.objects.get(pk=visits[0].pk).status == S.CANCELLED


def test_undo_is_allowed_beside_another_start_when_the_cap_allows_two(booked):
    visits, chair = booked
    location = Appointment.objects.get(pk=visits[0].pk).chair.location
    location.starts_per_quarter_hour = 2
    location.save(update_fields=["starts_per_quarter_hour"])
    appointment_cancel(appointment=visits[0], by=front_desk(), reason="clinic")
    visit(visits[0].start + timedelta(minutes=10), chair=location.chairs.exclude(pk=chair.pk).first())
    assert appointment_undo_cancel(appointment=visits[0], by=front_desk()).status == S.SCHEDULED


def test_undoing_a_no_show_is_refused_when_its_quarter_hour_is_full(booked, traveller):
    visits, chair = booked
    traveller.move_to(visits[0].start + timedelta(minutes=20))
    appointment_mark(appointment=visits[0], status=S.NO_SHOW, by=front_desk())
    # A visit that starts in the same quarter hour on another chair (written meanwhile, e.g. by an import).
    other_chair = Appointment.objects.get(pk=visits[0].pk).chair.location.chairs.exclude(pk=chair.pk).first()
    visit(visits[0].start, chair=other_chair)
    with pytest.raises(SlotTaken, match="same quarter hour"):
        appointment_undo_mark(appointment=visits[0], by=front_desk())
    assert Appointment.objects.get(pk=visits[0].pk).status == S.NO_SHOW


@pytest.mark.parametrize("reason", ["", "because"])
def test_cancelling_the_rest_of_a_series_needs_a_reason(booked, reason):
    visits, _ = booked
    with pytest.raises(Refused, match="Choose why"):
        series_cancel_rest(series=visits[0].series, by=front_desk(), reason=reason)
    assert set(Appointment.objects.values_list("status", flat=True)) == {S.SCHEDULED}


def test_cancelling_the_rest_records_the_reason_the_time_and_the_late_ones(booked, traveller):
    visits, _ = booked
    traveller.move_to(visits[0].start - timedelta(hours=3))
    assert series_cancel_rest(series=visits[0].series, by=front_desk(), reason="transport") == 6
    rows = list(Appointment.objects.order_by("sequence"))
    assert {(r.status, r.cancel_reason) for r in rows} == {(S.CANCELLED, "transport")}
    assert [r.late_cancel for r in rows] == [True, False, False, False, False, False]
    assert {r.cancelled_at for r in rows} == {visits[0].start - timedelta(hours=3)}


def test_the_cancel_rest_page_lists_the_visits_asks_a_reason_and_keeps_them_without_one(client, booked, traveller):
    visits, _ = booked
    traveller.move_to(visits[0].start - timedelta(hours=3))
    client.force_login(front_desk())
    series_url = reverse("infusions:series", args=[visits[0].series_id])
    url = reverse("infusions:series_cancel_rest", args=[visits[0].series_id])
    assert f'href="{url}"' in client.get(series_url).content.decode()
    page = client.get(url).content.decode()
    assert page.count("<li>Visit ") == 6 and page.count("late cancel") == 1
    missing = client.post(url, {})
    assert missing.status_code == 400 and b"Choose why the rest of the series is cancelled." in missing.content
    assert set(Appointment.objects.values_list("status", flat=True)) == {S.SCHEDULED}
    assert client.post(url, {"reason": "illness"}).status_code == 302
    assert set(Appointment.objects.values_list("cancel_reason", flat=True)) == {"illness"}


def test_the_cancel_rest_page_is_refused_to_roles_that_may_not_change_series(client, booked):
    from clinic.tests.factories import coordinator

    visits, _ = booked
    client.force_login(coordinator())
    url = reverse("infusions:series_cancel_rest", args=[visits[0].series_id])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "illness"}).status_code == 403
    assert set(Appointment.objects.values_list("status", flat=True)) == {S.SCHEDULED}
