"""When a patient's eligibility lapses after booking, their booked visits show as on hold and cannot be started."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from clinic.refusals import Refused
from clinic.tests.factories import ScreeningFactory
from infusions.booking.services import appointment_mark, series_book
from infusions.tests.helpers import bookable_patient, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
ON_HOLD = "On hold: Waiting for a clinician&#x27;s review."


@pytest.fixture
def lapsed(front_desk):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        chair, _ = clinic()
        patient = bookable_patient()
        series = series_book(patient=patient, visits=series_visits(MONDAY, chair), by=front_desk)
        # A new screening with a flag, waiting for a clinician: the patient may not be booked now.
        ScreeningFactory(intake__patient=patient, outcome="review")
        traveller.move_to(datetime(2026, 12, 7, 17, 5, tzinfo=UTC))  # 09:05 local on the first visit's day
        yield series, traveller


def test_the_front_desk_sees_the_booked_visits_on_hold_on_every_page(client, front_desk, lapsed):
    series, _ = lapsed
    client.force_login(front_desk)
    pages = {
        "series": client.get(reverse("infusions:series", args=[series.pk])),
        "day": client.get(reverse("infusions:day"), {"date": "2026-12-07"}),
        "week": client.get(reverse("infusions:week"), {"date": "2026-12-07"}),
        "home": client.get(reverse("infusions:home")),
    }
    for name, page in pages.items():
        assert ON_HOLD in page.content.decode(), name
    series_page = pages["series"].content.decode()
    assert series_page.count(ON_HOLD) == 6
    assert 'value="arrived"' not in series_page


def test_a_visit_on_hold_cannot_be_marked_arrived(front_desk, lapsed):
    series, _ = lapsed
    visit = series.appointments.get(sequence=1)
    with pytest.raises(Refused, match="On hold: Waiting for a clinician's review."):
        appointment_mark(appointment=visit, status="arrived", by=front_desk)
    visit.refresh_from_db()
    assert visit.status == "scheduled"


def test_visits_of_a_bookable_patient_are_not_on_hold(client, front_desk):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        chair, _ = clinic()
        series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk)
        client.force_login(front_desk)
        assert "On hold" not in client.get(reverse("infusions:series", args=[series.pk])).content.decode()


def test_the_clinicians_queue_shows_how_many_booked_visits_wait_on_the_decision(client, clinician, lapsed):
    series, _ = lapsed
    from django.utils import timezone

    waiting = series.appointments.filter(status="scheduled", start__gte=timezone.now()).count()
    assert waiting >= 5
    client.force_login(clinician)
    page = client.get(reverse("intake:queue")).content.decode()
    assert f"{waiting} booked visits on hold" in page
