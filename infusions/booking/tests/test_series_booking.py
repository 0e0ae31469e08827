from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from clinic.refusals import Refused
from clinic.tests.factories import ScreeningFactory, front_desk
from infusions.booking.services import SlotTaken, series_book
from infusions.models import Appointment, InfusionSeries
from infusions.tests.helpers import at, bookable_patient, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        yield


def test_it_books_all_six_visits_in_one_series():
    chair, _ = clinic()
    patient = bookable_patient()
    series = series_book(patient=patient, visits=series_visits(MONDAY, chair), by=front_desk())
    visits = list(series.appointments.order_by("sequence"))
    assert [v.sequence for v in visits] == [1, 2, 3, 4, 5, 6]
    assert visits[0].start == at(MONDAY, 9)
    assert visits[0].end == at(MONDAY, 10, 30)
    assert {v.status for v in visits} == {Appointment.Status.SCHEDULED}
    assert series.kind == InfusionSeries.Kind.INITIAL and series.status == InfusionSeries.Status.ACTIVE


def test_it_refuses_a_patient_waiting_for_review_with_the_reason():
    chair, _ = clinic()
    patient = ScreeningFactory(outcome="review").patient
    with pytest.raises(Refused, match="Waiting for a clinician's review"):
        series_book(patient=patient, visits=series_visits(MONDAY, chair), by=front_desk())
    assert not Appointment.objects.exists()
    assert not InfusionSeries.objects.exists()


def test_a_series_whose_fourth_visit_collides_leaves_nothing_booked():
    chair, _ = clinic()
    other = bookable_patient()
    visits = series_visits(MONDAY, chair)
    # Someone else holds the chair at 10:00 on the day of the fourth visit.
    fourth_day = visits[3][0].date()
    series_book(
        patient=other,
        visits=[(at(fourth_day + timedelta(days=3 * n - 9), 10), chair.pk) for n in range(6)],
        by=front_desk(),
    )
    before = Appointment.objects.count()
    with pytest.raises(SlotTaken, match="That time was just taken"):
        series_book(patient=bookable_patient(), visits=visits, by=front_desk())
    assert Appointment.objects.count() == before
    assert InfusionSeries.objects.count() == 1


def test_back_to_back_visits_in_one_chair_both_fit():
    chair, _ = clinic()
    first = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
    # 09:00-10:30 is taken; 10:30-12:00 touches it without overlapping (half-open ranges).
    second = series_book(
        patient=bookable_patient(),
        visits=[(start.replace(hour=10, minute=30), c) for start, c in series_visits(MONDAY, chair)],
        by=front_desk(),
    )
    assert first.appointments.count() == 6 and second.appointments.count() == 6


def test_it_refuses_visits_on_consecutive_days():
    chair, _ = clinic()
    with pytest.raises(Refused, match="at least 2 days apart"):
        series_book(
            patient=bookable_patient(),
            visits=series_visits(MONDAY, chair, gap_days=1),
            by=front_desk(),
        )
    assert not Appointment.objects.exists()


def test_it_refuses_a_visit_outside_opening_hours():
    chair, _ = clinic()
    visits = series_visits(MONDAY, chair)
    visits[2] = (visits[2][0].replace(hour=16, minute=30), chair.pk)  # would end at 18:00, after 17:30
    with pytest.raises(Refused, match="opening hours"):
        series_book(patient=bookable_patient(), visits=visits, by=front_desk())
    assert not Appointment.objects.exists()


def test_it_refuses_a_second_active_series_for_one_patient():
    chair, other_chair = clinic()
    patient = bookable_patient()
    series_book(patient=patient, visits=series_visits(MONDAY, chair), by=front_desk())
    with pytest.raises(Refused, match="already has an active series"):
        series_book(patient=patient, visits=series_visits(MONDAY, other_chair), by=front_desk())
    assert Appointment.objects.filter(chair=other_chair).count() == 0
