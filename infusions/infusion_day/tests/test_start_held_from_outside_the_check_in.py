"""The start waits for what the check-in itself does not show, read at the start under the record's lock:

- a positive PHQ-9 item 9 answered elsewhere (the patient's link the evening before, the intake) until a
  prescriber records the follow-up, here or in the clinicians' queue, however the nurse answered item 9 today;
- an eligibility lapsed since the check-in (a new screening waiting for review);
- another visit of the patient deferred earlier the same local day ("not today" holds the whole day), which also
  refuses the check-in.

Through the services and through the record page. A nurse releases no gate and orders no dose.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from clinic.refusals import Refused
from clinic.tests.factories import PatientFactory, ScreeningFactory, front_desk
from infusions.booking.services import series_book
from infusions.infusion_day.services import (
    record_check_in,
    record_order_dose,
    record_release_gate,
    record_start,
)
from infusions.models import Appointment, InfusionRecord
from infusions.outcomes import course
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, phq9_items, series_visits
from intake.models import Decision, Flag, ReviewDecision, SafetyAlert
from intake.services import review_decide, safety_alert_resolve

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
EVENING_BEFORE = at(MONDAY - timedelta(days=1), 16, 0)  # 17 hours before the 09:00 visit
ITEM9_ELSEWHERE = "answered positive before this check-in"
Stage = InfusionRecord.Stage


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:  # booking day
        yield traveller


@pytest.fixture
def chair(traveller):
    chair, _ = clinic()
    return chair


@pytest.fixture
def visit(chair):
    """The first visit of a series, at 09:00 on MONDAY (Lovelace, Ada)."""
    patient = bookable_patient(first_name="Ada", last_name="Lovelace")
    series = series_book(patient=patient, visits=series_visits(MONDAY, chair), by=front_desk())
    return series.appointments.get(sequence=1)


def link_answers(visit, traveller, item9):
    """The patient answers PHQ-9 by their link the evening before (17 h before the visit)."""
    traveller.move_to(EVENING_BEFORE)
    course.score_from_link(appointment=visit, answers={"phq9": [*phq9_items(10)[:8], item9]})


def checked_in_and_ordered(visit, traveller, nurse, prescriber, **changes) -> InfusionRecord:
    traveller.move_to(at(MONDAY, 9, 0))
    record = record_check_in(appointment=visit, values=clean_check_in(**changes), by=nurse)
    record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
    return record


def stage(record) -> str:
    return InfusionRecord.objects.get(pk=record.pk).stage


# --- Item 9 from the patient's link ----------------------------------------------------------------------


def test_an_item9_alert_from_the_link_17_hours_earlier_holds_the_start_until_a_prescriber_follows_up(
    visit, traveller, nurse, prescriber
):
    link_answers(visit, traveller, item9=2)
    (alert,) = SafetyAlert.objects.open()
    assert alert.source == SafetyAlert.Source.PATIENT_LINK and alert.patient_id == visit.patient_id
    # The nurse's check-in records item 9 as 0: no new alert, and the earlier one still holds the start.
    record = checked_in_and_ordered(visit, traveller, nurse, prescriber)
    assert record.item9 == 0 and SafetyAlert.objects.count() == 1

    traveller.move_to(at(MONDAY, 9, 10))
    with pytest.raises(Refused, match=ITEM9_ELSEWHERE) as refused:
        record_start(record=record, by=nurse)
    assert "988" in refused.value.message
    assert stage(record) == Stage.CHECKED_IN and InfusionRecord.objects.get(pk=record.pk).started_at is None

    with pytest.raises(PermissionDenied):  # the follow-up is a prescriber's
        record_release_gate(record=record, gate="ITEM9_FOLLOW_UP", note="Talked.", by=nurse)
    alert.refresh_from_db()
    assert alert.is_open

    record_release_gate(record=record, gate="ITEM9_FOLLOW_UP", note="Called her: safe, plan agreed.", by=prescriber)
    alert.refresh_from_db()
    assert alert.resolved_by == prescriber and alert.follow_up == "Called her: safe, plan agreed."
    record.refresh_from_db()
    assert record.follow_up_by == prescriber and record.follow_up_note == "Called her: safe, plan agreed."

    record_start(record=record, by=nurse)
    assert stage(record) == Stage.IN_CHAIR


def test_the_follow_up_recorded_from_the_queue_releases_the_start_too(visit, traveller, nurse, prescriber):
    link_answers(visit, traveller, item9=1)
    record = checked_in_and_ordered(visit, traveller, nurse, prescriber)
    with pytest.raises(Refused, match=ITEM9_ELSEWHERE):
        record_start(record=record, by=nurse)
    safety_alert_resolve(alert=SafetyAlert.objects.get(), by=prescriber, follow_up="Phoned: no plan, safe.")
    record_start(record=record, by=nurse)
    assert stage(record) == Stage.IN_CHAIR


def test_an_alert_of_another_patient_does_not_hold_this_start(visit, chair, traveller, nurse, prescriber):
    other = series_book(
        patient=bookable_patient(), visits=series_visits(MONDAY, chair, hour=12), by=front_desk()
    ).appointments.get(sequence=1)
    link_answers(other, traveller, item9=3)
    record = checked_in_and_ordered(visit, traveller, nurse, prescriber)
    record_start(record=record, by=nurse)
    assert stage(record) == Stage.IN_CHAIR
    assert SafetyAlert.objects.open().count() == 1  # the other patient's alert is left for its own follow-up


def test_the_record_page_shows_the_alert_disables_start_and_a_prescriber_releases_it(
    client, visit, traveller, nurse, prescriber
):
    link_answers(visit, traveller, item9=2)
    traveller.move_to(at(MONDAY, 8, 55))
    record_url = reverse("infusions:record", args=[visit.pk])
    client.force_login(nurse)
    before = client.get(record_url).content.decode()
    assert 'data-testid="item9-earlier"' in before and "988" in before  # before the check-in already

    record = checked_in_and_ordered(visit, traveller, nurse, prescriber)
    html = client.get(record_url).content.decode()
    assert 'data-testid="item9-earlier"' in html and "the patient&#x27;s questionnaire link" in html
    assert "<code>ITEM9_FOLLOW_UP</code>" in html
    assert "A start gate blocks" in html
    assert reverse("infusions:record_gate", args=[visit.pk]) not in html  # a nurse is offered no release

    response = client.post(reverse("infusions:record_start", args=[visit.pk]), follow=True)
    assert ITEM9_ELSEWHERE in response.content.decode()
    assert stage(record) == Stage.CHECKED_IN
    assert (
        client.post(
            reverse("infusions:record_gate", args=[visit.pk]), {"gate-gate": "ITEM9_FOLLOW_UP", "gate-note": "x"}
        ).status_code
        == 403
    )

    client.force_login(prescriber)
    assert reverse("infusions:record_gate", args=[visit.pk]) in client.get(record_url).content.decode()
    client.post(
        reverse("infusions:record_gate", args=[visit.pk]),
        {"gate-gate": "ITEM9_FOLLOW_UP", "gate-note": "Called her: safe, plan agreed."},
    )
    assert not SafetyAlert.objects.open().exists()

    client.force_login(nurse)
    html = client.get(record_url).content.decode()
    assert 'data-testid="item9-earlier"' not in html and 'data-testid="follow-up"' in html
    client.post(reverse("infusions:record_start", args=[visit.pk]))
    assert stage(record) == Stage.IN_CHAIR


# --- Item 9 from the intake ------------------------------------------------------------------------------


def suicide_risk_screening(patient, **fields):
    screening = ScreeningFactory(intake__patient=patient, outcome="exclude", urgent=True, **fields)
    Flag.objects.create(
        screening=screening, position=0, code="SUICIDE_RISK", severity="urgent", reason="PHQ-9 item 9.", source="-"
    )
    return screening


def test_an_intake_item9_never_reviewed_holds_the_start_after_the_intake_was_edited_to_0(
    chair, traveller, nurse, prescriber
):
    """The intake said item 9 = 2 (urgent, no decision); the coordinator edited it to 0 (a newer, clear
    screening): the patient became bookable, but no clinician ever followed the answer up."""
    flagged = suicide_risk_screening(PatientFactory())
    patient = flagged.patient
    ScreeningFactory(intake=flagged.intake, outcome="clear")  # the edit's screening, newer
    visit = series_book(patient=patient, visits=series_visits(MONDAY, chair), by=front_desk()).appointments.first()
    record = checked_in_and_ordered(visit, traveller, nurse, prescriber)

    with pytest.raises(Refused, match="the intake screening of"):
        record_start(record=record, by=nurse)
    record_release_gate(
        record=record, gate="ITEM9_FOLLOW_UP", note="Reviewed the intake answer with her.", by=prescriber
    )
    record_start(record=record, by=nurse)
    assert stage(record) == Stage.IN_CHAIR


def test_an_intake_item9_a_clinician_decided_on_does_not_hold_the_start(chair, traveller, nurse, prescriber):
    flagged = suicide_risk_screening(PatientFactory())
    with time_machine.travel(datetime(2026, 12, 1, 15, 0, tzinfo=UTC), tick=False):
        review_decide(screening=flagged, by=prescriber, decision=Decision.APPROVE, justification="Seen today; safe.")
    assert ReviewDecision.objects.filter(screening=flagged).exists()
    visit = series_book(
        patient=flagged.patient, visits=series_visits(MONDAY, chair), by=front_desk()
    ).appointments.first()
    record = checked_in_and_ordered(visit, traveller, nurse, prescriber)
    record_start(record=record, by=nurse)
    assert stage(record) == Stage.IN_CHAIR


# --- Eligibility lapsed between check-in and start --------------------------------------------------------


def test_an_eligibility_lapse_after_the_check_in_holds_the_start(client, visit, traveller, nurse, prescriber):
    record = checked_in_and_ordered(visit, traveller, nurse, prescriber)
    # The coordinator re-screens the patient after the check-in: flagged, waiting for a clinician's review.
    newer = ScreeningFactory(intake=visit.patient.intakes.first(), outcome="review")

    with pytest.raises(Refused, match="On hold since the check-in: Waiting for a clinician's review."):
        record_start(record=record, by=nurse)
    assert stage(record) == Stage.CHECKED_IN

    client.force_login(nurse)
    html = client.get(reverse("infusions:record", args=[visit.pk])).content.decode()
    assert "<code>ON_HOLD</code>" in html and "A start gate blocks" in html
    client.post(reverse("infusions:record_start", args=[visit.pk]))
    assert stage(record) == Stage.CHECKED_IN

    review_decide(screening=newer, by=prescriber, decision=Decision.APPROVE)
    record_start(record=record, by=nurse)
    assert stage(record) == Stage.IN_CHAIR


# --- A deferral earlier the same day ---------------------------------------------------------------------


def another_visit_today(visit, hour) -> Appointment:
    """A second visit of the patient the same day, written directly (no booking path makes one any more)."""
    start = at(MONDAY, hour, 0)
    return Appointment.objects.create(
        series=visit.series,
        patient=visit.patient,
        chair=visit.chair,
        sequence=7,
        start=start,
        end=start + timedelta(minutes=90),
    )


def test_a_visit_deferred_earlier_the_day_refuses_a_later_check_in(visit, traveller, nurse):
    traveller.move_to(at(MONDAY, 9, 0))
    record_check_in(appointment=visit, values=clean_check_in(systolic=185, diastolic=105), by=nurse)
    evening = another_visit_today(visit, 15)
    traveller.move_to(at(MONDAY, 15, 0))
    with pytest.raises(Refused, match="was deferred at check-in"):
        record_check_in(appointment=evening, values=clean_check_in(), by=nurse)
    assert not InfusionRecord.objects.filter(appointment=evening).exists()


def test_a_deferral_after_the_check_in_holds_the_start(visit, traveller, nurse, prescriber):
    later = another_visit_today(visit, 15)
    record = checked_in_and_ordered(later, traveller, nurse, prescriber)  # checked in at 09:00 for 15:00
    traveller.move_to(at(MONDAY, 9, 5))
    record_check_in(appointment=visit, values=clean_check_in(systolic=185, diastolic=105), by=nurse)
    with pytest.raises(Refused, match="no infusion for the rest of that day"):
        record_start(record=record, by=nurse)
    assert stage(record) == Stage.CHECKED_IN
