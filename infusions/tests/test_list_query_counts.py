"""The front desk's list pages cost the same number of queries for a few rows as for many."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.tests.factories import ScreeningFactory, UserFactory, main_location
from infusions.models import Appointment, InfusionSeries, MaintenanceOrder
from infusions.tests.helpers import clinic, depression
from infusions.tests.reminder_helpers import failed_reminder, local
from intake.models import ReviewDecision

pytestmark = pytest.mark.django_db

NOW = local(2026, 2, 2, 7)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def queries(client, url, params=None) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    client.get(reverse("healthz"))  # renews the session (at most once a minute): measure page queries only
    return client


def searched_patients(count: int, clinician) -> None:
    """Patients named Kowalski in every state the search shows: clear, awaiting review, approved,
    declined, with an open maintenance order."""
    for n in range(count):
        screening = ScreeningFactory(outcome=("clear", "review", "review", "exclude")[n % 4])
        patient = screening.patient
        patient.last_name = f"Kowalski{n}"
        patient.save()
        if n % 4 == 2:
            ReviewDecision.objects.create(screening=screening, decision="approve", decided_by=clinician)
        if n % 4 == 3:
            ReviewDecision.objects.create(screening=screening, decision="decline", decided_by=clinician)
        if n % 3 == 0:
            MaintenanceOrder.objects.create(patient=patient, ordered_by=clinician)


def test_the_booking_search_costs_the_same_for_2_or_16_patients(desk, clinician):
    searched_patients(2, clinician)
    small, page = queries(desk, reverse("infusions:book"), {"q": "Kowalski"})
    assert page.count("Kowalski") >= 2
    searched_patients(16, clinician)
    large, page = queries(desk, reverse("infusions:book"), {"q": "Kowalski"})
    assert page.count("Kowalski") >= 18
    assert large == small


def todays_visits(chairs, count: int) -> None:
    user = UserFactory()
    for n in range(count):
        screening = ScreeningFactory(outcome=("clear", "review")[n % 2])
        series = InfusionSeries.objects.create(
            location=main_location(), patient=screening.patient, protocol=depression(), created_by=user
        )
        start = local(2026, 2, 2, 8) + timedelta(minutes=90 * (n // len(chairs)))
        Appointment.objects.create(
            series=series,
            patient=screening.patient,
            chair=chairs[n % len(chairs)],
            sequence=1,
            start=start.astimezone(UTC),
            end=(start + timedelta(minutes=90)).astimezone(UTC),
        )


def test_the_front_desks_home_costs_the_same_for_2_or_20_visits_today(desk):
    chairs = clinic(chairs=4)
    todays_visits(chairs, 2)
    small, page = queries(desk, reverse("infusions:home"))
    Appointment.objects.all().delete()
    todays_visits(chairs, 20)
    large, page = queries(desk, reverse("infusions:home"))
    assert page.count("On hold") == 10  # the review cases' visits, each asked once in one query
    assert large == small


def test_the_failed_reminders_list_costs_the_same_for_2_or_15_rows(desk):
    first = datetime(2026, 2, 10, 17, tzinfo=UTC)
    for n in range(2):
        failed_reminder(first + timedelta(days=n))
    small, page = queries(desk, reverse("infusions:reminders_failed"))
    assert page.count('data-testid="failed-') == 2
    for n in range(2, 15):
        failed_reminder(first + timedelta(days=n))
    large, page = queries(desk, reverse("infusions:reminders_failed"))
    assert page.count('data-testid="failed-') == 15
    assert large == small
