"""The infusion day's and the outcomes' logs carry ids and steps, never what was found: no measure, no gate, no
alert tied to a patient, no cancel reason (logs leave the clinic's control more easily than the database)."""

import logging
from datetime import UTC, date, datetime

import pytest
import time_machine

from clinic.roles import NURSE
from clinic.tests.factories import UserFactory, clinician, front_desk
from infusions.booking import services
from infusions.infusion_day import services as visit_record
from infusions.outcomes import course
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
CLINICAL = ("phq9", "gad7", "pcl5", "pain", "ITEM9", "EARLY_NON", "LOSS_OF", "illness", "check_in)", "patient_link")


def test_a_positive_item_9_a_link_answer_a_released_gate_and_a_cancel_log_no_clinical_fact(caplog):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        chair, _ = clinic()
        patient = bookable_patient()
        series = services.series_book(patient=patient, visits=series_visits(MONDAY, chair), by=front_desk())
        first, second = series.appointments.order_by("start")[:2]
        with caplog.at_level(logging.DEBUG):
            course.score_from_link(appointment=first, answers={"phq9": [1] * 8 + [2]})
            traveller.move_to(at(MONDAY, 9, 0))
            record = visit_record.record_check_in(
                appointment=first,
                values=clean_check_in(questionnaires={"phq9": [1] * 8 + [1]}),
                by=UserFactory(role=NURSE),
            )
            visit_record.record_release_gate(record=record, gate="ITEM9_FOLLOW_UP", note="Called.", by=clinician())
            services.appointment_cancel(appointment=second, by=front_desk(), reason="illness")
    messages = [r.getMessage() for r in caplog.records]
    assert any("safety alert" in m for m in messages)  # the steps are logged
    for message in messages:
        assert not any(word in message for word in CLINICAL), message
        assert f"patient {patient.pk}" not in message or "alert" not in message, message
