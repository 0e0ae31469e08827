"""A patient's visits are never closer than the protocol's minimum gap, in any series; one active initial series."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from clinic.refusals import Refused
from clinic.tests.factories import front_desk as make_front_desk
from clinic.tests.factories import main_location
from infusions.booking.services import maintenance_book, maintenance_propose, series_book
from infusions.models import InfusionSeries, MaintenanceOrder
from infusions.tests.helpers import at, bookable_patient, clinic, depression, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        yield


def _ordered(patient):
    from clinic.tests.factories import clinician

    return MaintenanceOrder.objects.create(patient=patient, ordered_by=clinician())


def _one_maintenance_visit(day):
    """A patient with one booked maintenance visit at 09:00 on `day` and a new order: (patient, chairs, user)."""
    chairs, user, patient = clinic(), make_front_desk(), bookable_patient()
    _ordered(patient)
    maintenance_book(patient=patient, visits=[(at(day, 9), chairs[0].pk)], by=user)
    _ordered(patient)
    return patient, chairs, user


def test_it_refuses_a_second_maintenance_visit_the_same_day_and_the_next_day():
    patient, (_, other), user = _one_maintenance_visit(MONDAY)
    with pytest.raises(Refused, match="at least 2 days apart, in any series"):
        maintenance_book(patient=patient, visits=[(at(MONDAY, 14), other.pk)], by=user)
    with pytest.raises(Refused, match="Tue 8 Dec 2026 is 1 day from the patient's visit on Mon 7 Dec 2026"):
        maintenance_book(patient=patient, visits=[(at(MONDAY + timedelta(days=1), 9), other.pk)], by=user)
    assert InfusionSeries.objects.filter(patient=patient).count() == 1


def test_it_refuses_a_series_visit_next_to_a_maintenance_visit():
    patient, (chair, _), user = _one_maintenance_visit(MONDAY - timedelta(days=1))
    with pytest.raises(Refused, match="in any series"):
        series_book(patient=patient, visits=series_visits(MONDAY, chair), by=user)


def test_the_maintenance_proposal_avoids_days_next_to_the_patients_other_visits():
    patient, _, _ = _one_maintenance_visit(MONDAY)
    proposal = maintenance_propose(location=main_location(), patient=patient, first=MONDAY)
    (visit,) = proposal.visits
    assert visit.start.date() == MONDAY + timedelta(days=2)


def test_the_database_holds_one_active_initial_series_per_patient():
    (chair,) = clinic(chairs=1)
    user = make_front_desk()
    patient = bookable_patient()
    series_book(patient=patient, visits=series_visits(MONDAY, chair), by=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        InfusionSeries.objects.create(location=main_location(), patient=patient, protocol=depression(), created_by=user)
    # Maintenance and finished series are not limited.
    InfusionSeries.objects.create(
        location=main_location(), patient=patient, protocol=depression(), created_by=user, kind="maintenance"
    )
    InfusionSeries.objects.create(
        location=main_location(), patient=patient, protocol=depression(), created_by=user, status="cancelled"
    )
