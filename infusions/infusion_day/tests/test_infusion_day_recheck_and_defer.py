"""A checked-in patient is never stuck: a re-check clears fasting or escort, a deferral ends the day; and a
follow-up recorded from the clinicians' queue releases the start as one recorded on the visit does."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from clinic.refusals import Refused
from clinic.roles import NURSE
from clinic.tests.factories import UserFactory, clinician, front_desk
from infusions.booking.services import series_book
from infusions.infusion_day.services import (
    record_check_in,
    record_defer,
    record_order_dose,
    record_recheck,
    record_start,
)
from infusions.models import Appointment, InfusionRecord
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, series_visits
from intake.services import safety_alert_resolve

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)


@pytest.fixture
def visit():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        chair, _ = clinic()
        series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
        traveller.move_to(at(MONDAY, 9, 0))
        yield series.appointments.get(sequence=1)


def _ordered(record):
    record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=clinician())
    return InfusionRecord.objects.get(pk=record.pk)


def test_it_starts_once_the_escort_has_arrived_and_the_fast_is_confirmed(visit):
    nurse = UserFactory(role=NURSE)
    record = _ordered(
        record_check_in(appointment=visit, values=clean_check_in(fasting_kept=False, escort_name=""), by=nurse)
    )
    with pytest.raises(Refused):
        record_start(record=record, by=nurse)
    record_recheck(record=record, fasting_kept=True, escort_name="Sam Driver", escort_phone="+15550109999", by=nurse)
    record_start(record=record, by=nurse)
    assert InfusionRecord.objects.get(pk=record.pk).stage == InfusionRecord.Stage.IN_CHAIR


def test_a_checked_in_visit_can_be_deferred_with_a_reason_and_is_then_rebooked_not_started(visit):
    nurse = UserFactory(role=NURSE)
    record = record_check_in(appointment=visit, values=clean_check_in(escort_name=""), by=nurse)
    with pytest.raises(Refused) as refused:
        record_defer(record=record, reason="  ", by=nurse)
    assert "reason" in refused.value.fields
    record_defer(record=record, reason="No one came to take the patient home.", by=nurse)
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.DEFERRED
    with pytest.raises(Refused):
        record_start(record=record, by=nurse)


def test_a_follow_up_recorded_from_the_queue_releases_the_start(visit):
    nurse = UserFactory(role=NURSE)
    record = _ordered(
        record_check_in(appointment=visit, values=clean_check_in(questionnaires={"phq9": [1] * 8 + [1]}), by=nurse)
    )
    with pytest.raises(Refused, match="988"):
        record_start(record=record, by=nurse)
    safety_alert_resolve(alert=record.safety_alert, by=clinician(), follow_up="Called; safe, plan agreed.")
    record_start(record=InfusionRecord.objects.get(pk=record.pk), by=nurse)
    assert InfusionRecord.objects.get(pk=record.pk).started_at is not None
