"""The review queue comes a page at a time; urgent cases first, and the urgent count covers every page."""

import pytest
from django.urls import reverse

from clinic.tests.factories import ScreeningFactory
from intake.selectors import QUEUE_PAGE_SIZE

pytestmark = pytest.mark.django_db


def test_it_shows_one_page_with_links_and_counts_urgent_cases_on_every_page(client, clinician):
    reviews = [ScreeningFactory(outcome="review") for _ in range(QUEUE_PAGE_SIZE + 5)]
    urgent = [ScreeningFactory(outcome="review", urgent=True) for _ in range(3)]
    client.force_login(clinician)

    first = client.get(reverse("intake:queue"))
    assert list(first.context["cases"])[:3] == urgent  # urgent first, though screened last
    assert len(first.context["cases"]) == QUEUE_PAGE_SIZE
    assert 'href="?page=2"' in first.content.decode()
    assert 'data-testid="urgent-count">3 urgent' in first.content.decode()
    assert f"{len(reviews) + 3} cases waiting, 3 urgent" in first.content.decode()

    second = client.get(reverse("intake:queue"), {"page": 2})
    assert second.status_code == 200
    assert list(second.context["cases"]) == reviews[QUEUE_PAGE_SIZE - 3 :]
    # No urgent case is on page 2, yet the badge still counts all three.
    assert 'data-testid="urgent-count">3 urgent' in second.content.decode()
    assert 'href="?page=1"' in second.content.decode()


def test_a_page_number_out_of_range_or_malformed_shows_the_nearest_page(client, clinician):
    cases = [ScreeningFactory(outcome="review") for _ in range(QUEUE_PAGE_SIZE + 1)]
    client.force_login(clinician)
    assert list(client.get(reverse("intake:queue"), {"page": 99}).context["cases"]) == cases[-1:]
    assert list(client.get(reverse("intake:queue"), {"page": "x"}).context["cases"]) == cases[:QUEUE_PAGE_SIZE]


def test_each_case_shows_the_patients_booked_future_visits_waiting_on_the_decision(client, clinician):
    from datetime import timedelta

    from django.utils import timezone

    from clinic.tests.factories import UserFactory, main_location
    from infusions.models import Appointment, InfusionSeries
    from infusions.tests.helpers import clinic, depression

    chair = clinic(chairs=1)[0]
    waiting = ScreeningFactory(outcome="review", intake__patient__last_name="Waiting")
    ScreeningFactory(outcome="review", intake__patient__last_name="Nothing")
    series = InfusionSeries.objects.create(
        location=main_location(), patient=waiting.patient, protocol=depression(), created_by=UserFactory()
    )
    now = timezone.now()
    for n, (days, status) in enumerate([(2, "scheduled"), (5, "scheduled"), (8, "cancelled"), (-3, "completed")]):
        start = now + timedelta(days=days)
        Appointment.objects.create(
            series=series,
            patient=waiting.patient,
            chair=chair,
            sequence=n + 1,
            start=start,
            end=start + timedelta(minutes=90),
            status=status,
        )
    client.force_login(clinician)
    rows = client.get(reverse("intake:queue")).content.decode().split('data-testid="case-row"')[1:]
    on_hold = {("Waiting" in row, 'data-testid="visits-on-hold">2 booked visits on hold<' in row) for row in rows}
    assert on_hold == {(True, True), (False, False)}
    assert sum("visits-on-hold" in row for row in rows) == 1
