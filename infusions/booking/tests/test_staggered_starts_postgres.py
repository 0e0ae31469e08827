"""Staggered starts span chairs, so no per-chair constraint holds them: on PostgreSQL the bookings and moves at
one location serialise on the location's row, and the second of two for the same quarter hour is refused."""

from datetime import timedelta
from functools import partial

import pytest
from django.conf import settings

from clinic.context import clinic_context
from clinic.tests.concurrency import run_at_once
from clinic.tests.factories import front_desk, main_location
from infusions.booking.services import SlotTaken, appointment_move, series_book
from infusions.models import Appointment
from infusions.tests.helpers import at, bookable_patient, clinic, series_visits

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs PostgreSQL (real concurrent connections): "
        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic",
    ),
]
FULL = "another infusion starts at 08:00–08:15 at this location: one nurse places one IV at a time"


def _first_day():
    return clinic_context().today() + timedelta(days=3)


def _cap(n):
    location = main_location()
    location.starts_per_quarter_hour = n
    location.save(update_fields=["starts_per_quarter_hour"])


def test_two_bookings_in_two_chairs_for_the_same_0800_at_once_exactly_one_wins():
    chairs = clinic(chairs=2)
    user = front_desk()
    calls = [
        partial(series_book, patient=bookable_patient(), visits=series_visits(_first_day(), chair, hour=8), by=user)
        for chair in chairs
    ]

    outcomes = run_at_once(calls, refusal=SlotTaken)

    assert outcomes.count("ok") == 1, outcomes
    (refused,) = [o for o in outcomes if o != "ok"]
    assert refused.startswith("refused: Visit 1 (") and FULL in refused, outcomes
    assert Appointment.objects.count() == 6
    assert Appointment.objects.values("patient").distinct().count() == 1


def test_with_cap_2_both_bookings_at_once_win_and_a_third_is_refused():
    chairs = clinic(chairs=3)
    _cap(2)
    user = front_desk()
    calls = [
        partial(series_book, patient=bookable_patient(), visits=series_visits(_first_day(), chair, hour=8), by=user)
        for chair in chairs
    ]

    outcomes = run_at_once(calls, refusal=SlotTaken)

    assert outcomes.count("ok") == 2, outcomes
    (refused,) = [o for o in outcomes if o != "ok"]
    assert "2 other infusions start at 08:00–08:15 at this location" in refused, outcomes
    assert Appointment.objects.count() == 12


def test_a_move_and_a_booking_into_the_same_quarter_hour_at_once_exactly_one_wins():
    first_chair, second_chair = clinic(chairs=2)
    user = front_desk()
    day = _first_day()
    moved = series_book(patient=bookable_patient(), visits=series_visits(day, first_chair, hour=10), by=user)
    visit = moved.appointments.order_by("sequence").first()
    calls = [
        partial(appointment_move, appointment=visit, start=at(day, 8, 5), chair_id=first_chair.pk, by=user),
        partial(series_book, patient=bookable_patient(), visits=series_visits(day, second_chair, hour=8), by=user),
    ]

    outcomes = run_at_once(calls, refusal=SlotTaken)

    assert outcomes.count("ok") == 1, outcomes
    assert Appointment.objects.filter(start__gte=at(day, 8), start__lt=at(day, 8, 15)).count() == 1
