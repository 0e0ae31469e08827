"""A clinician orders maintenance; front desk books it without a completed initial series."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from clinic.refusals import Refused
from clinic.tests.factories import ScreeningFactory
from infusions.booking.services import (
    maintenance_book,
    maintenance_order,
    maintenance_order_cancel,
)
from infusions.models import InfusionSeries, MaintenanceOrder
from infusions.tests.helpers import at, bookable_patient, clinic, depression

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 08:00 in the clinic
TOMORROW = date(2026, 12, 2)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def chair():
    depression()
    chair, _ = clinic()
    return chair


@pytest.fixture
def patient():
    return bookable_patient(first_name="Ada", last_name="Lovelace")


def test_it_lets_front_desk_plan_and_book_maintenance_on_a_clinicians_order(
    client, clinician, front_desk, chair, patient
):
    client.force_login(clinician)
    response = client.post(
        reverse("infusions:maintenance_order", args=[patient.pk]), {"note": "boosters every 4 weeks"}
    )
    assert response.status_code == 302
    order = MaintenanceOrder.objects.get(patient=patient)
    assert (order.ordered_by, order.note, order.is_open) == (clinician, "boosters every 4 weeks", True)

    client.force_login(front_desk)
    response = client.get(reverse("infusions:maintenance_plan", args=[patient.pk]))
    assert response.status_code == 200
    assert b"boosters every 4 weeks" in response.content
    (row,) = response.context["visits"]
    assert row["visit"].start == at(date(2026, 12, 1), 8)  # no last infusion: the earliest free time
    response = client.post(
        reverse("infusions:maintenance_confirm", args=[patient.pk]), {"v": response.context["encoded"]}
    )
    booster = InfusionSeries.objects.get(patient=patient)
    assert booster.kind == InfusionSeries.Kind.MAINTENANCE
    assert response["Location"] == reverse("infusions:series", args=[booster.pk])
    order.refresh_from_db()
    assert order.fulfilled_series == booster
    assert not order.is_open


def test_a_fulfilled_order_lets_no_second_booking_through(front_desk, clinician, chair, patient):
    maintenance_order(patient=patient, by=clinician)
    maintenance_book(patient=patient, visits=[(at(TOMORROW, 9), chair.pk)], by=front_desk)
    with pytest.raises(Refused, match="or when a clinician orders them"):
        maintenance_book(patient=patient, visits=[(at(TOMORROW, 13), chair.pk)], by=front_desk)
    assert InfusionSeries.objects.filter(patient=patient).count() == 1


def test_the_order_is_fulfilled_in_the_booking_transaction(monkeypatch, front_desk, clinician, chair, patient):
    order = maintenance_order(patient=patient, by=clinician)

    def fail(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(MaintenanceOrder, "save", fail)
    with pytest.raises(RuntimeError):
        maintenance_book(patient=patient, visits=[(at(TOMORROW, 9), chair.pk)], by=front_desk)
    assert not InfusionSeries.objects.exists()  # the series rolled back with the failed fulfilment
    order.refresh_from_db()
    assert order.is_open


def test_a_refused_booking_leaves_the_order_open(front_desk, clinician, chair, patient):
    order = maintenance_order(patient=patient, by=clinician)
    with pytest.raises(Refused, match="in the past"):
        maintenance_book(patient=patient, visits=[(at(date(2026, 11, 30), 9), chair.pk)], by=front_desk)
    order.refresh_from_db()
    assert order.is_open


def test_an_order_does_not_override_eligibility(front_desk, clinician, chair):
    waiting = ScreeningFactory(outcome="review").patient
    maintenance_order(patient=waiting, by=clinician)
    with pytest.raises(Refused, match="Waiting for a clinician's review"):
        maintenance_book(patient=waiting, visits=[(at(TOMORROW, 9), chair.pk)], by=front_desk)
    assert MaintenanceOrder.objects.open().filter(patient=waiting).exists()


def test_without_an_order_or_a_completed_series_the_plan_page_refuses(client, front_desk, chair, patient):
    client.force_login(front_desk)
    response = client.get(reverse("infusions:maintenance_plan", args=[patient.pk]))
    assert response.status_code == 409
    assert b"or when a clinician orders them" in response.content


def test_it_refuses_a_second_open_order(clinician, patient):
    maintenance_order(patient=patient, by=clinician, note="first")
    with pytest.raises(Refused, match="already has an open maintenance order"):
        maintenance_order(patient=patient, by=clinician, note="second")
    assert list(MaintenanceOrder.objects.values_list("note", flat=True)) == ["first"]


def test_the_database_refuses_a_second_open_order(clinician, patient):
    MaintenanceOrder.objects.create(patient=patient, ordered_by=clinician)
    with pytest.raises(IntegrityError), transaction.atomic():
        MaintenanceOrder.objects.create(patient=patient, ordered_by=clinician)
    assert MaintenanceOrder.objects.count() == 1


def test_the_database_allows_a_new_order_once_the_last_is_closed(clinician, patient):
    MaintenanceOrder.objects.create(patient=patient, ordered_by=clinician, cancelled_at=NOW)
    MaintenanceOrder.objects.create(patient=patient, ordered_by=clinician)
    assert MaintenanceOrder.objects.open().count() == 1


def test_a_clinician_cancels_an_open_order_and_front_desk_can_no_longer_plan(
    client, clinician, front_desk, chair, patient
):
    order = maintenance_order(patient=patient, by=clinician)
    client.force_login(clinician)
    response = client.post(reverse("infusions:maintenance_order_cancel", args=[order.pk]))
    assert response["Location"] == reverse("infusions:maintenance_order", args=[patient.pk])
    order.refresh_from_db()
    assert order.cancelled_at == NOW
    assert order.history.first().history_user == clinician
    with pytest.raises(Refused, match="already cancelled"):
        maintenance_order_cancel(order=order, by=clinician)

    client.force_login(front_desk)
    assert client.get(reverse("infusions:maintenance_plan", args=[patient.pk])).status_code == 409
    maintenance_order(patient=patient, by=clinician)  # a new order after the cancelled one
    assert client.get(reverse("infusions:maintenance_plan", args=[patient.pk])).status_code == 200


def test_a_booked_order_cannot_be_cancelled(clinician, front_desk, chair, patient):
    order = maintenance_order(patient=patient, by=clinician)
    maintenance_book(patient=patient, visits=[(at(TOMORROW, 9), chair.pk)], by=front_desk)
    with pytest.raises(Refused, match="booked already"):
        maintenance_order_cancel(order=order, by=clinician)
    order.refresh_from_db()
    assert order.cancelled_at is None


def test_a_note_longer_than_200_characters_is_refused(client, clinician, patient):
    with pytest.raises(Refused, match="at most 200 characters"):
        maintenance_order(patient=patient, by=clinician, note="x" * 201)
    client.force_login(clinician)
    response = client.post(reverse("infusions:maintenance_order", args=[patient.pk]), {"note": "x" * 201})
    assert response.status_code == 400
    assert not MaintenanceOrder.objects.exists()


def test_the_clinicians_page_shows_the_form_then_the_open_order(client, clinician, patient):
    client.force_login(clinician)
    url = reverse("infusions:maintenance_order", args=[patient.pk])
    assert b"Order maintenance" in client.get(url).content
    client.post(url, {"note": "boosters every 4 weeks"})
    response = client.get(url)
    assert b'data-testid="open-order"' in response.content
    assert b"boosters every 4 weeks" in response.content
    assert b"Cancel the order" in response.content


def test_front_desk_sees_the_order_in_the_search_results(client, clinician, front_desk, patient):
    other = bookable_patient(first_name="Grace", last_name="Lovelace")
    maintenance_order(patient=patient, by=clinician)
    client.force_login(front_desk)
    response = client.get(reverse("infusions:book"), {"q": "Lovelace"})
    assert response.content.count(b'data-testid="maintenance-ordered"') == 1
    assert reverse("infusions:maintenance_order", args=[patient.pk]).encode() in response.content
    assert reverse("infusions:maintenance_order", args=[other.pk]).encode() not in response.content
    page = client.get(reverse("infusions:maintenance_order", args=[patient.pk]))
    assert page.status_code == 200
    assert b"Book maintenance" in page.content
    assert b"Cancel the order" not in page.content


def test_only_clinicians_order_or_cancel(client, coordinator, clinician, front_desk, patient):
    order = maintenance_order(patient=patient, by=clinician)
    page = reverse("infusions:maintenance_order", args=[patient.pk])
    cancel = reverse("infusions:maintenance_order_cancel", args=[order.pk])
    client.force_login(coordinator)
    assert client.get(page).status_code == 403
    assert client.post(page, {"note": ""}).status_code == 403
    assert client.post(cancel).status_code == 403
    client.force_login(front_desk)
    assert client.post(page, {"note": ""}).status_code == 403
    assert client.post(cancel).status_code == 403
    order.refresh_from_db()
    assert order.is_open
    assert MaintenanceOrder.objects.count() == 1


def test_a_clinician_cannot_book_maintenance(client, clinician, chair, patient):
    maintenance_order(patient=patient, by=clinician)
    client.force_login(clinician)
    assert client.get(reverse("infusions:maintenance_plan", args=[patient.pk])).status_code == 403
    response = client.post(
        reverse("infusions:maintenance_confirm", args=[patient.pk]), {"v": f"{chair.pk}@{int(NOW.timestamp())}"}
    )
    assert response.status_code == 403
    assert not InfusionSeries.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, patient):
    response = client.get(reverse("infusions:maintenance_order", args=[patient.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
