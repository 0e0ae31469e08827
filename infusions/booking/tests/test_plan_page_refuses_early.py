"""The plan page refuses early and once: no plan for a patient with an active series, no Confirm on a broken plan."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from infusions.booking.services import ACTIVE_SERIES, series_book
from infusions.tests.helpers import at, bookable_patient, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        yield


def test_a_patient_with_an_active_series_gets_a_link_to_it_and_no_plan(client, front_desk):
    chair, _ = clinic()
    patient = bookable_patient()
    series = series_book(patient=patient, visits=series_visits(MONDAY, chair), by=front_desk)
    client.force_login(front_desk)
    response = client.get(reverse("infusions:book_plan", args=[patient.pk]))
    text = response.content.decode()
    assert response.status_code == 409
    assert text.count(ACTIVE_SERIES) == 1
    assert reverse("infusions:series", args=[series.pk]) in text
    assert 'data-testid="plan"' not in text and "Confirm and book" not in text


def test_a_plan_that_breaks_the_rules_shows_them_and_offers_no_confirm(client, front_desk):
    chair, _ = clinic()
    patient = bookable_patient()
    client.force_login(front_desk)
    visits = [f"{chair.pk}@{int(at(MONDAY + timedelta(days=n), 9).timestamp())}" for n in range(6)]  # daily
    text = client.get(reverse("infusions:book_plan", args=[patient.pk]), {"v": visits}).content.decode()
    assert 'data-testid="plan-problems"' in text and "at least 2 days apart" in text
    assert "Confirm and book" not in text


def test_a_refused_confirm_says_why_once(client, front_desk):
    chair, _ = clinic()
    patient = bookable_patient()
    client.force_login(front_desk)
    visits = [f"{chair.pk}@{int(at(MONDAY + timedelta(days=n), 9).timestamp())}" for n in range(6)]
    response = client.post(reverse("infusions:book_confirm", args=[patient.pk]), {"v": visits}, follow=True)
    text = response.content.decode()
    assert text.count("visits must be at least 2 days apart") == 5  # one line per visit, not repeated
