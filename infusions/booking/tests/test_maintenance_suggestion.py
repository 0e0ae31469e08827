"""The maintenance suggestion counts from the last infusion of the series, booked ones included."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from clinic.tests.factories import clinician, front_desk, main_location
from infusions.booking.services import maintenance_propose, series_book
from infusions.models import MaintenanceOrder
from infusions.tests.helpers import bookable_patient, clinic, complete, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)  # visits on the 7th, 10th, 13th, 16th, 19th and 22nd


def test_it_suggests_the_booster_four_weeks_after_the_last_booked_visit_not_the_last_completed_one():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        chair, _ = clinic()
        series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
        traveller.move_to(datetime(2026, 12, 8, 1, 0, tzinfo=UTC))  # the evening of the 7th
        complete(series.appointments.get(sequence=1))
        MaintenanceOrder.objects.create(patient=series.patient, ordered_by=clinician())
        proposal = maintenance_propose(location=main_location(), patient=series.patient)
    assert proposal.maintenance.suggested == date(2027, 1, 19)  # 22 December + 4 weeks, not 7 December's
