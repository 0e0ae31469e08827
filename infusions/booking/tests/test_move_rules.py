"""Moving a visit keeps the planning rules; going past the max gap or the window is confirmed and recorded."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from clinic.refusals import Refused
from clinic.tests.factories import front_desk
from infusions.booking.services import NeedsConfirmation, appointment_move, series_book
from infusions.tests.helpers import at, bookable_patient, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)  # visits on the 7th, 10th, 13th, 16th, 19th and 22nd


@pytest.fixture
def booked():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        chair, _ = clinic()
        series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
        yield list(series.appointments.order_by("sequence")), chair


def test_moving_a_visit_eleven_days_after_the_one_before_needs_a_confirmation(booked):
    visits, chair = booked
    # Visit 6 to the 30th: 11 days after the 19th (at most 7) and 23 days after the first (window 21).
    with pytest.raises(NeedsConfirmation, match="should be at most 7 days apart"):
        appointment_move(appointment=visits[5], start=at(date(2026, 12, 30), 9), chair_id=chair.pk, by=front_desk())
    visits[5].refresh_from_db()
    assert visits[5].start == at(date(2026, 12, 22), 9)


def test_a_confirmed_move_past_the_protocol_is_recorded_with_who_confirmed_it(booked):
    visits, chair = booked
    user = front_desk()
    appointment_move(
        appointment=visits[5], start=at(date(2026, 12, 30), 9), chair_id=chair.pk, by=user, confirm_past_window=True
    )
    change = visits[5].history.order_by("-history_id").first()
    assert change.history_user == user
    assert change.history_change_reason == "rule_override: max_gap, window"
    assert change.start == at(date(2026, 12, 30), 9)


def test_a_move_within_the_rules_records_no_override(booked):
    visits, chair = booked
    appointment_move(appointment=visits[5], start=at(date(2026, 12, 21), 9), chair_id=chair.pk, by=front_desk())
    assert not visits[5].history.order_by("-history_id").first().history_change_reason


def test_the_minimum_gap_is_never_overridable(booked):
    visits, chair = booked
    with pytest.raises(Refused, match="at least 2 days apart"):
        appointment_move(
            appointment=visits[5],
            start=at(date(2026, 12, 20), 9),
            chair_id=chair.pk,
            by=front_desk(),
            confirm_past_window=True,
        )
