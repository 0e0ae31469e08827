from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from clinic.refusals import Refused
from clinic.tests.factories import front_desk
from infusions.booking.services import (
    NeedsConfirmation,
    SlotTaken,
    appointment_cancel,
    appointment_mark,
    appointment_move,
    series_book,
    series_cancel_rest,
    series_complete,
)
from infusions.models import Appointment, InfusionSeries
from infusions.tests.helpers import at, bookable_patient, clinic, complete, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)  # visits on the 7th, 10th, 13th, 16th, 19th and 22nd


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def booked(traveller):
    chair, other = clinic()
    series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
    return series, list(series.appointments.order_by("sequence")), chair, other


def test_it_moves_a_visit_to_another_chair_and_time_that_keeps_the_spacing(booked):
    series, visits, chair, other = booked
    moved = appointment_move(
        appointment=visits[2], start=at(date(2026, 12, 14), 13, 30), chair_id=other.pk, by=front_desk()
    )
    moved.refresh_from_db()
    assert (moved.start, moved.end, moved.chair_id) == (
        at(date(2026, 12, 14), 13, 30),
        at(date(2026, 12, 14), 15),
        other.pk,
    )


def test_it_refuses_a_move_closer_than_the_minimum_spacing(booked):
    _, visits, chair, _ = booked
    with pytest.raises(Refused, match="at least 2 days apart"):
        appointment_move(appointment=visits[2], start=at(date(2026, 12, 11), 9), chair_id=chair.pk, by=front_desk())
    visits[2].refresh_from_db()
    assert visits[2].start == at(date(2026, 12, 13), 9)


def test_moving_past_the_window_needs_a_confirm_and_past_28_days_is_refused(booked):
    _, visits, chair, _ = booked
    last = visits[5]
    # The first visit is on the 7th: the 30th is 23 days on (past 21), the 5th of January 29 days (past 28).
    with pytest.raises(NeedsConfirmation, match="past its window of 21 days"):
        appointment_move(appointment=last, start=at(date(2026, 12, 30), 9), chair_id=chair.pk, by=front_desk())
    last.refresh_from_db()
    assert last.start == at(date(2026, 12, 22), 9)
    appointment_move(
        appointment=last, start=at(date(2026, 12, 30), 9), chair_id=chair.pk, by=front_desk(), confirm_past_window=True
    )
    last.refresh_from_db()
    assert last.start == at(date(2026, 12, 30), 9)
    with pytest.raises(Refused, match="never span more than 28 days"):
        appointment_move(
            appointment=last,
            start=at(date(2027, 1, 5), 9),
            chair_id=chair.pk,
            by=front_desk(),
            confirm_past_window=True,
        )


def test_it_refuses_a_move_onto_a_taken_chair(booked):
    _, visits, chair, _ = booked
    other = series_book(
        patient=bookable_patient(),
        visits=series_visits(MONDAY, chair, hour=13),
        by=front_desk(),
    )
    assert other
    with pytest.raises(SlotTaken):
        appointment_move(appointment=visits[1], start=at(date(2026, 12, 10), 14), chair_id=chair.pk, by=front_desk())


def test_it_cancels_one_visit_and_then_the_rest_of_the_series(booked):
    series, visits, _, _ = booked
    appointment_cancel(appointment=visits[0], by=front_desk(), reason="patient_request")
    with pytest.raises(Refused, match="Only a scheduled visit can be cancelled."):
        appointment_cancel(appointment=visits[0], by=front_desk(), reason="patient_request")
    assert series_cancel_rest(series=series, by=front_desk(), reason="patient_request") == 5
    assert set(series.appointments.values_list("status", flat=True)) == {Appointment.Status.CANCELLED}
    series.refresh_from_db()
    assert series.status == InfusionSeries.Status.CANCELLED
    with pytest.raises(Refused, match="Only an active series can be cancelled."):
        series_cancel_rest(series=series, by=front_desk(), reason="patient_request")


def test_it_marks_visits_only_on_their_day_and_only_from_the_right_status(booked, traveller):
    series, visits, _, _ = booked
    with pytest.raises(Refused, match="starts at 09:00"):
        appointment_mark(appointment=visits[0], status="arrived", by=front_desk())
    traveller.move_to(datetime(2026, 12, 7, 16, 0, tzinfo=UTC))  # 08:00 local on the first visit's day
    with pytest.raises(Refused, match="can be marked no-show from then"):
        appointment_mark(appointment=visits[0], status="no_show", by=front_desk())
    traveller.move_to(datetime(2026, 12, 7, 17, 5, tzinfo=UTC))  # 09:05 local
    appointment_mark(appointment=visits[0], status="arrived", by=front_desk())
    with pytest.raises(Refused, match="completed by its discharge"):
        appointment_mark(appointment=visits[0], status="completed", by=front_desk())
    complete(visits[0])
    with pytest.raises(Refused, match="completed visit cannot be marked no-show"):
        appointment_mark(appointment=visits[0], status="no_show", by=front_desk())
    with pytest.raises(Refused, match="Only a scheduled visit can be cancelled."):
        appointment_cancel(appointment=visits[0], by=front_desk(), reason="patient_request")
    visits[0].refresh_from_db()
    assert visits[0].status == Appointment.Status.COMPLETED


def test_a_series_completes_only_when_no_visit_is_open(booked, traveller):
    series, visits, _, _ = booked
    with pytest.raises(Refused, match="6 visit"):
        series_complete(series=series, by=front_desk())
    traveller.move_to(datetime(2026, 12, 23, 1, 0, tzinfo=UTC))  # 17:00 local on the 22nd
    for visit, status in zip(visits, ["completed"] * 4 + ["no_show", "completed"], strict=True):
        if status == "completed":
            complete(visit)
        else:
            appointment_mark(appointment=visit, status=status, by=front_desk())
    series_complete(series=series, by=front_desk())
    series.refresh_from_db()
    assert series.status == InfusionSeries.Status.COMPLETED
    assert Appointment.objects.filter(status="no_show").count() == 1
    assert timedelta(0) < visits[5].end - visits[5].start
