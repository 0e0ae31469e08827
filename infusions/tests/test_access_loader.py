"""infusions.access: which record a user of which location may load, what 404 and 403 mean, and the zone."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from clinic.locations import NO_LOCATION
from clinic.models import CurrentLocation
from clinic.tests.factories import ChairFactory, IntakeFactory, LocationFactory, clinician, front_desk
from infusions import access
from infusions.models import Appointment, MaintenanceOrder
from infusions.tests.helpers import complete, depression, screened_patient
from infusions.tests.reminder_helpers import local, visit
from intake.models import OutcomeReview

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
START = local(2026, 12, 3, 10)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield
    timezone.deactivate()


@pytest.fixture
def seattle():
    depression()
    return LocationFactory(name="Seattle", time_zone="America/Los_Angeles", position=1)


@pytest.fixture
def denver():
    return LocationFactory(name="Denver", time_zone="America/Denver", position=2)


def _as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_no_such_record_is_404(seattle):
    request = _as(clinician(locations=[seattle]))
    for load in (access.load_visit, access.load_series, access.load_record, access.load_reminder):
        with pytest.raises(Http404):
            load(request, 999_999)
    for load in (access.load_patient, access.load_order, access.load_review, access.load_patient_to_book):
        with pytest.raises(Http404):
            load(request, 999_999)


def test_a_user_with_no_location_is_told_so_before_anything_is_looked_up(seattle):
    appointment = visit(START, location=seattle)
    request = _as(clinician(locations=[]))
    for load, pk in ((access.load_visit, appointment.pk), (access.load_series, appointment.series_id)):
        with pytest.raises(PermissionDenied, match=NO_LOCATION):
            load(request, pk)
    with pytest.raises(PermissionDenied, match=NO_LOCATION):
        access.load_visit(request, 999_999)  # not a 404: the same answer whether the visit exists or not
    with pytest.raises(PermissionDenied, match=NO_LOCATION):
        access.load_patient_to_book(request, appointment.patient_id)


def test_each_kind_is_at_its_visits_or_series_location(seattle, denver):
    appointment = visit(START, location=seattle, patient=screened_patient())
    record = complete(appointment)
    reminder = appointment.reminders.first()
    order = MaintenanceOrder.objects.create(patient=appointment.patient, ordered_by=clinician())
    review = OutcomeReview.objects.create(patient=appointment.patient, code="LOSS_OF_RESPONSE", measure="phq9")
    loads = [
        (access.load_visit, appointment.pk),
        (access.load_series, appointment.series_id),
        (access.load_record, record.pk),
        (access.load_reminder, reminder.pk),
        (access.load_patient, appointment.patient_id),
        (access.load_order, order.pk),
        (access.load_review, review.pk),
    ]
    here, elsewhere = _as(clinician(locations=[seattle])), _as(clinician(locations=[denver]))
    for load, pk in loads:
        assert load(here, pk).pk == pk
        with pytest.raises(PermissionDenied, match="You do not work at that location."):
            load(elsewhere, pk)


def test_a_clinician_opens_a_record_at_any_of_their_locations_in_its_zone(seattle, denver):
    appointment = visit(START, location=denver)
    doc = clinician(locations=[seattle, denver])
    CurrentLocation.objects.create(user=doc, location=seattle)  # working in Seattle now
    access.load_visit(_as(doc), appointment.pk)
    assert timezone.get_current_timezone_name() == "America/Denver"


def test_a_patient_is_at_their_intakes_location_before_any_series(seattle, denver):
    patient = IntakeFactory(location=denver).patient
    assert access.load_patient(_as(clinician(locations=[denver])), patient.pk) == patient
    with pytest.raises(PermissionDenied):
        access.load_patient(_as(clinician(locations=[seattle])), patient.pk)


def test_a_patient_is_also_where_a_visit_was_moved(seattle, denver):
    appointment = visit(START, location=seattle)
    Appointment.objects.filter(pk=appointment.pk).update(chair=ChairFactory(location=denver, name="Denver A"))
    desk = front_desk(locations=[denver])
    assert access.load_patient(_as(desk), appointment.patient_id) == appointment.patient
    with pytest.raises(PermissionDenied):
        access.load_series(_as(desk), appointment.series_id)  # the series stays Seattle's


def test_a_patient_known_at_no_location_is_the_organisations(seattle):
    patient = IntakeFactory(location=None).patient
    assert access.load_patient(_as(clinician(locations=[seattle])), patient.pk) == patient
    with pytest.raises(PermissionDenied, match=NO_LOCATION):
        access.load_patient(_as(clinician(locations=[])), patient.pk)


def test_a_patient_of_two_locations_opens_in_the_current_ones_zone(seattle, denver):
    patient = visit(START, location=seattle).patient
    IntakeFactory(patient=patient, location=denver)
    doc = clinician(locations=[seattle, denver])
    CurrentLocation.objects.create(user=doc, location=denver)
    access.load_patient(_as(doc), patient.pk)
    assert timezone.get_current_timezone_name() == "America/Denver"


def test_a_patient_to_book_is_any_of_the_organisations(seattle, denver):
    patient = visit(START, location=seattle).patient
    assert access.load_patient_to_book(_as(front_desk(locations=[denver])), patient.pk) == patient


def test_the_caller_chooses_what_comes_with_the_record(seattle, django_assert_num_queries):
    appointment = visit(START, location=seattle)
    request = _as(clinician(locations=[seattle]))
    access.load_visit(request, appointment.pk)  # the user's locations, once per request
    with django_assert_num_queries(1):
        loaded = access.load_visit(request, appointment.pk, "series__protocol", "patient")
        assert (loaded.series.protocol.indication, loaded.patient.pk) == ("depression", appointment.patient_id)
