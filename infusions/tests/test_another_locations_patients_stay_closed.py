"""A Seattle patient's visit reminders, calendar, course, evaluation, outcome reviews, failed reminders and
maintenance order are closed to staff who work only in Denver, and to staff with no location; Seattle's staff
open them. Each refusal stores nothing and shows no name."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from clinic.locations import NO_LOCATION
from clinic.tests.factories import LocationFactory, clinician, front_desk
from infusions.models import MaintenanceOrder, Reminder, SeriesEvaluation
from infusions.tests.helpers import depression, screened_patient
from infusions.tests.reminder_helpers import local, visit
from intake.models import OutcomeReview, RecordAccess

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
START = local(2026, 12, 3, 10)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def seattle():
    depression()
    return LocationFactory(name="Seattle", time_zone="America/Los_Angeles")


@pytest.fixture
def denver():
    return LocationFactory(name="Denver", time_zone="America/Denver")


@pytest.fixture
def seattle_visit(seattle):
    return visit(START, location=seattle, patient=screened_patient(first_name="Ada", last_name="Lovelace"))


def _refused(response):
    assert response.status_code == 403
    assert "Lovelace" not in response.content.decode()


def test_the_visits_reminders_page(client, seattle, denver, seattle_visit):
    url = reverse("infusions:visit_reminders", args=[seattle_visit.pk])
    client.force_login(front_desk(locations=[denver]))
    _refused(client.get(url))
    client.force_login(front_desk(locations=[seattle]))
    assert "Lovelace" in client.get(url).content.decode()


def test_the_patients_calendar_file(client, seattle, denver, seattle_visit):
    url = reverse("infusions:patient_calendar", args=[seattle_visit.patient_id])
    client.force_login(front_desk(locations=[denver]))
    _refused(client.get(url))
    client.force_login(front_desk(locations=[]))
    response = client.get(url)
    assert response.status_code == 403 and NO_LOCATION in response.content.decode()
    client.force_login(front_desk(locations=[seattle]))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content


def test_the_course_page_writes_no_access_log_when_refused(client, seattle, denver, seattle_visit):
    url = reverse("infusions:course", args=[seattle_visit.patient_id])
    client.force_login(clinician(locations=[denver]))
    _refused(client.get(url))
    assert not RecordAccess.objects.exists()
    doc = clinician(locations=[seattle])
    client.force_login(doc)
    assert client.get(url).status_code == 200
    assert RecordAccess.objects.get().user == doc


def test_the_end_of_series_evaluation(client, seattle, denver, seattle_visit):
    url = reverse("infusions:series_evaluate", args=[seattle_visit.series_id])
    form = {"outcome": "responder", "plan": "stop"}
    client.force_login(clinician(locations=[denver]))
    _refused(client.post(url, form))
    assert not SeriesEvaluation.objects.exists()
    client.force_login(clinician(locations=[seattle]))
    assert client.post(url, form).status_code == 302
    assert SeriesEvaluation.objects.get().series_id == seattle_visit.series_id


def test_the_outcome_reviews_booster_and_resolve(client, seattle, denver, seattle_visit):
    review = OutcomeReview.objects.create(
        patient=seattle_visit.patient, code="LOSS_OF_RESPONSE", measure="phq9", reason="PHQ-9 up from 6 to 14"
    )
    booster = reverse("infusions:review_booster", args=[review.pk])
    resolve = reverse("infusions:review_resolve", args=[review.pk])
    client.force_login(clinician(locations=[denver]))
    _refused(client.post(booster))
    _refused(client.post(resolve, {"resolution": "seen"}))
    review.refresh_from_db()
    assert review.resolved_at is None and not MaintenanceOrder.objects.exists()
    client.force_login(clinician(locations=[seattle]))
    assert client.post(booster).status_code == 302
    review.refresh_from_db()
    assert review.resolved_at is not None
    assert MaintenanceOrder.objects.get().patient_id == seattle_visit.patient_id


def test_the_failed_reminders_list_and_retry(client, seattle, denver, seattle_visit):
    reminder = seattle_visit.reminders.filter(channel="email").first()
    Reminder.objects.filter(pk=reminder.pk).update(status="failed", attempts=5, last_error="SMTPException")
    denver_desk = front_desk(locations=[denver])
    client.force_login(denver_desk)
    listing = client.get(reverse("infusions:reminders_failed")).content.decode()
    assert f'data-testid="failed-{reminder.pk}"' not in listing and "Lovelace" not in listing
    _refused(client.post(reverse("infusions:reminder_retry", args=[reminder.pk])))
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("failed", 5)
    client.force_login(front_desk(locations=[]))
    assert client.get(reverse("infusions:reminders_failed")).status_code == 403
    client.force_login(front_desk(locations=[seattle]))
    assert f'data-testid="failed-{reminder.pk}"' in client.get(reverse("infusions:reminders_failed")).content.decode()
    assert client.post(reverse("infusions:reminder_retry", args=[reminder.pk])).status_code == 302
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("pending", 0)


def test_the_maintenance_order_page_and_its_cancel(client, seattle, denver, seattle_visit):
    page = reverse("infusions:maintenance_order", args=[seattle_visit.patient_id])
    client.force_login(clinician(locations=[denver]))
    _refused(client.get(page))
    _refused(client.post(page, {"note": "boosters every 4 weeks"}))
    assert not MaintenanceOrder.objects.exists()
    client.force_login(clinician(locations=[seattle]))
    assert client.post(page, {"note": "boosters every 4 weeks"}).status_code == 302
    order = MaintenanceOrder.objects.get()
    cancel = reverse("infusions:maintenance_order_cancel", args=[order.pk])
    client.force_login(clinician(locations=[denver]))
    _refused(client.post(cancel))
    order.refresh_from_db()
    assert order.is_open
    client.force_login(clinician(locations=[seattle]))
    assert client.post(cancel).status_code == 302
    order.refresh_from_db()
    assert not order.is_open
