"""The one door from an id in an address to a record, so that no page forgets where its user works.

404 when there is none; 403 unless the user works at the record's location (any of theirs, not only the
current one), and first of all for a user with no location. A visit is at its chair's location, a series
at its own, a record or a reminder at its visit's; a patient, with their maintenance orders and outcome
reviews (which have no location of their own), at every location of their series, visits and intakes. The
page then shows times in that location's zone.
"""

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clinic.compiled import bind, compiled_query
from clinic.locations import NO_LOCATION, user_locations, works_at
from clinic.models import Location
from infusions.models import Appointment, InfusionRecord, InfusionSeries, MaintenanceOrder, Reminder
from intake.models import Intake, OutcomeReview, Patient

ELSEWHERE = "You do not work at that location."


def _mine(request) -> list[Location]:
    locations = user_locations(request.user)
    if not locations:
        raise PermissionDenied(NO_LOCATION)
    return locations


def _fetch(queryset: QuerySet, pk, related) -> Model:
    return get_object_or_404(queryset.select_related(*related), pk=pk)


def _admit(request, location_ids) -> Location:
    """The user's location among these, the current one first; 403 if none. The page in its zone."""
    mine = [location for location in _mine(request) if location.pk in location_ids]
    if not mine:
        raise PermissionDenied(ELSEWHERE)
    location = next((location for location in mine if location.is_current), mine[0])
    timezone.activate(location.tz)
    return location


def _at(request, location: Location) -> None:
    if not works_at(request.user, location.pk):
        raise PermissionDenied(ELSEWHERE)
    timezone.activate(location.tz)


def _patient_locations_query(patient_id):
    series = InfusionSeries.objects.filter(patient_id=patient_id).order_by().values_list("location_id")
    visits = Appointment.objects.filter(patient_id=patient_id).order_by().values_list("chair__location_id")
    intakes = Intake.objects.filter(patient_id=patient_id, location__isnull=False).order_by().values_list("location_id")
    return series.union(visits, intakes)


def patient_location_ids(patient_id: int) -> set[int]:
    """Where a patient belongs: their series', visits' and intakes' locations (one query, compiled once per
    process: the patient pages ask it on every request).

    An open maintenance order has no location of its own: it is the patient's, so it counts where the
    patient's series are, already here.
    """
    sql, slots = compiled_query("patient_locations", _patient_locations_query, patient_id=-730_005)
    with connection.cursor() as cursor:
        cursor.execute(sql, bind(slots, {"patient_id": patient_id}))
        return {row[0] for row in cursor.fetchall()}


def load_visit(request, pk, *related, queryset=None) -> Appointment:
    _mine(request)
    visit = _fetch(queryset if queryset is not None else Appointment.objects, pk, ("chair__location", *related))
    _at(request, visit.chair.location)
    return visit


def load_series(request, pk, *related) -> InfusionSeries:
    _mine(request)
    series = _fetch(InfusionSeries.objects, pk, ("location", *related))
    _at(request, series.location)
    return series


def load_record(request, pk, *related) -> InfusionRecord:
    _mine(request)
    record = _fetch(InfusionRecord.objects, pk, ("appointment__chair__location", *related))
    _at(request, record.appointment.chair.location)
    return record


def load_reminder(request, pk, *related) -> Reminder:
    _mine(request)
    reminder = _fetch(Reminder.objects, pk, ("appointment__chair__location", *related))
    _at(request, reminder.appointment.chair.location)
    return reminder


def _admit_patient(request, patient_id: int) -> None:
    where = patient_location_ids(patient_id)
    # A patient known at no location yet (only an intake from before locations, or taken by a user with no
    # location) is the organisation's, as on the intake pages: else nobody could ever open them.
    if where:
        _admit(request, where)


def load_patient(request, pk, *related) -> Patient:
    _mine(request)
    patient = _fetch(Patient.objects, pk, related)
    _admit_patient(request, patient.pk)
    return patient


def load_order(request, pk, *related) -> MaintenanceOrder:
    _mine(request)
    order = _fetch(MaintenanceOrder.objects, pk, related)
    _admit_patient(request, order.patient_id)
    return order


def load_review(request, pk, *related) -> OutcomeReview:
    _mine(request)
    review = _fetch(OutcomeReview.objects, pk, related)
    _admit_patient(request, review.patient_id)
    return review


def load_patient_to_book(request, pk, *related) -> Patient:
    """A patient to book at one of the user's locations: the organisation's patients may be booked at any
    site, so the plan's location (checked by the plan pages) is the one that must be the user's."""
    _mine(request)
    return _fetch(Patient.objects, pk, related)
