"""An end-of-series evaluation is recorded only by a clinician who works at the series' location: the service
refuses one of another location (whatever calls it), and the course page does not open for them (the loader)."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from clinic.tests.factories import LocationFactory, clinician, front_desk
from infusions.booking.services import series_book
from infusions.models import MaintenanceOrder, SeriesEvaluation
from infusions.outcomes import course
from infusions.tests.helpers import bookable_patient, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)


@pytest.fixture
def series():
    """A six-visit series at the main location."""
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        chair, _ = clinic()
        return series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())


def evaluate(series, by):
    return course.series_evaluate(series=series, outcome="responder", plan="maintenance", by=by)


def test_a_clinician_of_another_location_is_refused_and_nothing_is_recorded(series):
    with pytest.raises(PermissionDenied):
        evaluate(series, clinician(locations=[LocationFactory(name="Denver")]))
    assert not SeriesEvaluation.objects.exists() and not MaintenanceOrder.objects.exists()


def test_a_clinician_there_records_it(series):
    doctor = clinician()
    evaluate(series, doctor)
    assert SeriesEvaluation.objects.get(series=series).decided_by == doctor
    assert MaintenanceOrder.objects.get(patient=series.patient).ordered_by == doctor


def test_the_course_page_opens_only_where_the_clinician_works(client, series):
    url = reverse("infusions:course", args=[series.patient_id])
    client.force_login(clinician(locations=[LocationFactory(name="Denver")]))
    assert client.get(url).status_code == 403
    client.force_login(clinician())
    assert "Record the evaluation" in client.get(url).content.decode()
