from datetime import UTC, date, datetime

import pytest
import time_machine

from clinic.tests.factories import PatientFactory, ScreeningFactory, clinician
from intake.eligibility import booking_eligibility, booking_eligibility_for
from intake.models import ReviewDecision

pytestmark = pytest.mark.django_db


def decided(screening, decision, rescreen_on=None):
    ReviewDecision.objects.create(
        screening=screening, decision=decision, rescreen_on=rescreen_on, decided_by=clinician()
    )
    return screening


def test_no_screening_is_not_bookable():
    result = booking_eligibility(PatientFactory())
    assert (result.bookable, result.status) == (False, "no_screening")
    assert not result


def test_a_clear_screening_is_bookable():
    screening = ScreeningFactory(outcome="clear")
    result = booking_eligibility(screening.patient)
    assert (result.bookable, result.status, result.indication) == (True, "bookable", "depression")
    assert result


@pytest.mark.parametrize("outcome", ["review", "defer", "exclude"])
def test_a_flagged_screening_waits_for_review(outcome):
    result = booking_eligibility(ScreeningFactory(outcome=outcome).patient)
    assert (result.bookable, result.status) == (False, "awaiting_review")


def test_an_approved_case_is_bookable():
    screening = decided(ScreeningFactory(outcome="exclude"), "approve")
    result = booking_eligibility(screening.patient)
    assert (result.bookable, result.status) == (True, "bookable")
    assert "Approved" in result.reason


def test_the_indication_is_the_one_that_was_screened():
    screening = ScreeningFactory(outcome="clear", answers={"indication": "migraine"})
    assert booking_eligibility(screening.patient).indication == "migraine"


def test_a_declined_case_is_not_bookable():
    screening = decided(ScreeningFactory(outcome="review"), "decline")
    result = booking_eligibility(screening.patient)
    assert (result.bookable, result.status) == (False, "declined")


def test_a_deferred_case_is_not_bookable_and_says_when_to_rescreen():
    screening = decided(ScreeningFactory(outcome="defer"), "defer", rescreen_on=date(2027, 2, 1))
    result = booking_eligibility(screening.patient)
    assert (result.bookable, result.status, result.rescreen_on) == (False, "deferred", date(2027, 2, 1))
    assert "Mon 1 Feb 2027" in result.reason


def test_a_newer_screening_supersedes_an_approval():
    approved = decided(ScreeningFactory(outcome="review"), "approve")
    ScreeningFactory(intake=approved.intake, patient=approved.patient, outcome="review")
    result = booking_eligibility(approved.patient)
    assert (result.bookable, result.status) == (False, "awaiting_review")


def test_a_newer_clear_screening_lifts_a_decline():
    declined = decided(ScreeningFactory(outcome="review"), "decline")
    ScreeningFactory(intake=declined.intake, patient=declined.patient, outcome="clear")
    assert booking_eligibility(declined.patient).bookable


def test_the_reason_never_names_what_was_found():
    screening = ScreeningFactory(outcome="exclude")
    reason = booking_eligibility(screening.patient).reason.lower()
    assert "exclude" not in reason and "seizure" not in reason


def test_an_old_screening_expires_for_a_maximum_age():
    with time_machine.travel(datetime(2026, 1, 1, 12, tzinfo=UTC), tick=False):
        screening = ScreeningFactory(outcome="clear")
        approved = decided(ScreeningFactory(outcome="review"), "approve")
    with time_machine.travel(datetime(2026, 7, 3, 12, tzinfo=UTC), tick=False):  # 183 days later
        assert booking_eligibility(screening.patient, max_screening_age_days=183).status == "bookable"
        assert booking_eligibility(screening.patient).status == "bookable"
    with time_machine.travel(datetime(2026, 7, 4, 12, tzinfo=UTC), tick=False):
        for patient in (screening.patient, approved.patient):
            result = booking_eligibility(patient, max_screening_age_days=183)
            assert (result.bookable, result.status) == (False, "screening_expired")
        assert booking_eligibility(screening.patient).bookable  # no maximum: the series may go on


def _patients_in_every_state():
    approved_then_rescreened = decided(ScreeningFactory(outcome="review"), "approve")
    ScreeningFactory(intake=approved_then_rescreened.intake, patient=approved_then_rescreened.patient, outcome="review")
    return [
        PatientFactory(),  # no screening
        ScreeningFactory(outcome="clear").patient,
        ScreeningFactory(outcome="exclude").patient,
        decided(ScreeningFactory(outcome="review"), "approve").patient,
        decided(ScreeningFactory(outcome="review"), "decline").patient,
        decided(ScreeningFactory(outcome="defer"), "defer", rescreen_on=date(2027, 1, 5)).patient,
        approved_then_rescreened.patient,
    ]


def test_many_patients_get_the_same_answer_as_one_at_a_time():
    patients = _patients_in_every_state()
    many = booking_eligibility_for(patients)
    assert list(many) == [p.pk for p in patients]
    assert [many[p.pk] for p in patients] == [booking_eligibility(p) for p in patients]
    assert [many[p.pk].status for p in patients] == [
        "no_screening",
        "bookable",
        "awaiting_review",
        "bookable",
        "declined",
        "deferred",
        "awaiting_review",
    ]


def test_many_patients_cost_one_query(django_assert_num_queries):
    few = _patients_in_every_state()[:2]
    with django_assert_num_queries(1):
        booking_eligibility_for(few)
    everyone = _patients_in_every_state() + _patients_in_every_state()
    with django_assert_num_queries(1):
        booking_eligibility_for(everyone)
