"""Odd values in the booking and schedule pages' addresses and forms: never a 5xx, always a message or a 400."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from clinic.tests.factories import clinician
from clinic.tests.factories import front_desk as make_front_desk
from infusions.booking.services import series_book
from infusions.models import MaintenanceOrder
from infusions.tests.helpers import bookable_patient, clinic, series_visits

pytestmark = pytest.mark.django_db
ODD_DATES = ["9999-12-31", "0001-01-01", "2026-02-30", "tomorrow"]
HUGE = ["9" * 30, "-" + "9" * 30, str(2**63), "99999999999"]


@pytest.fixture
def desk(client):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        (chair, _) = clinic()
        user = make_front_desk()
        patient = bookable_patient()
        MaintenanceOrder.objects.create(patient=patient, ordered_by=clinician())
        series = series_book(patient=bookable_patient(), visits=series_visits(date(2026, 12, 7), chair), by=user)
        client.force_login(user)
        yield client, patient, series.appointments.first(), chair


def _pages(patient, visit, chair):
    v = f"{chair.pk}@{int(visit.start.timestamp())}"
    return [
        (reverse("infusions:day"), {}, "date"),
        (reverse("infusions:week"), {}, "date"),
        (reverse("infusions:visit_move", args=[visit.pk]), {}, "date"),
        (reverse("infusions:book_plan", args=[patient.pk]), {}, "earliest"),
        (reverse("infusions:maintenance_plan", args=[patient.pk]), {}, "first"),
        (reverse("infusions:book_pick", args=[patient.pk]), {"v": v, "i": "0"}, "date"),
    ]


@pytest.mark.parametrize("value", ODD_DATES)
@pytest.mark.parametrize("page", range(6))
def test_an_odd_date_gets_a_message_next_to_the_field_never_a_5xx(desk, page, value):
    client, patient, visit, chair = desk
    url, extra, field = _pages(patient, visit, chair)[page]
    response = client.get(url, {**extra, field: value})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="field-error"' in text
    if value in ("9999-12-31", "0001-01-01"):
        assert "Choose a date between" in text


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("where", ["chair", "stamp"])
def test_huge_numbers_in_a_plans_visits_are_a_400(desk, value, where):
    client, patient, visit, chair = desk
    v = f"{value}@{int(visit.start.timestamp())}" if where == "chair" else f"{chair.pk}@{value}"
    for name in ("infusions:book_plan", "infusions:book_pick"):
        response = client.get(reverse(name, args=[patient.pk]), {"v": v, "i": "0"})
        assert response.status_code == 400, name
    response = client.post(reverse("infusions:book_confirm", args=[patient.pk]), {"v": v})
    assert response.status_code == 400


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("where", ["chair", "start"])
def test_huge_numbers_in_a_move_are_a_400(desk, value, where):
    client, _, visit, chair = desk
    data = {"start": str(int(visit.start.timestamp())), "chair": str(chair.pk), where: value}
    response = client.post(reverse("infusions:visit_move", args=[visit.pk]), data)
    assert response.status_code == 400


def test_confirm_with_no_visits_says_so(desk):
    client, patient, _, _ = desk
    response = client.post(reverse("infusions:book_confirm", args=[patient.pk]), {}, follow=True)
    assert response.status_code == 200
    assert "Choose at least one visit." in response.content.decode()
