from datetime import date
from unittest import mock

import pytest

from clinic.refusals import Refused
from clinic.tests.factories import ScreeningFactory
from intake import services
from intake.models import ReviewDecision

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def decide(screening, user, decision, **kwargs):
    return services.review_decide(screening=screening, by=user, decision=decision, today=TODAY, **kwargs)


def test_it_records_who_decided_what(clinician):
    screening = ScreeningFactory(outcome="review")
    made = decide(screening, clinician, "approve")
    assert made.screening == screening and made.decided_by == clinician and made.decision == "approve"
    assert made.rescreen_on is None


def test_it_refuses_a_second_decision(clinician):
    screening = ScreeningFactory(outcome="review")
    decide(screening, clinician, "decline")
    with pytest.raises(Refused, match="already been decided"):
        decide(screening, clinician, "approve")
    assert ReviewDecision.objects.get().decision == "decline"


def test_a_racing_second_decision_gets_a_clear_refusal_not_a_crash(clinician):
    screening = ScreeningFactory(outcome="review")
    decide(screening, clinician, "decline")
    # The other clinician's check ran before this decision was saved: the database refuses it.
    with mock.patch.object(services.ReviewDecision.objects, "filter") as filter_:
        filter_.return_value.exists.return_value = False
        with pytest.raises(Refused, match="already been decided"):
            decide(screening, clinician, "approve")
    assert ReviewDecision.objects.count() == 1


def test_it_refuses_a_screening_that_is_not_the_patients_newest(clinician):
    old = ScreeningFactory(outcome="review")
    ScreeningFactory(intake=old.intake, patient=old.patient, outcome="review")
    with pytest.raises(Refused, match="newer screening"):
        decide(old, clinician, "approve")
    assert not ReviewDecision.objects.exists()


def test_it_refuses_a_clear_screening(clinician):
    with pytest.raises(Refused, match="clear"):
        decide(ScreeningFactory(outcome="clear"), clinician, "approve")


def test_approving_an_exclude_case_needs_a_justification(clinician):
    screening = ScreeningFactory(outcome="exclude")
    with pytest.raises(Refused) as refused:
        decide(screening, clinician, "approve", justification="   ")
    assert set(refused.value.fields) == {"justification"}
    assert not ReviewDecision.objects.exists()
    made = decide(screening, clinician, "approve", justification="Seizure-free 12 years, neurologist agrees.")
    assert made.justification == "Seizure-free 12 years, neurologist agrees."


def test_declining_an_exclude_case_needs_no_justification(clinician):
    assert decide(ScreeningFactory(outcome="exclude"), clinician, "decline").decision == "decline"


def test_a_deferral_needs_a_rescreen_date_in_the_future(clinician):
    screening = ScreeningFactory(outcome="defer")
    with pytest.raises(Refused) as refused:
        decide(screening, clinician, "defer")
    assert set(refused.value.fields) == {"rescreen_on"}
    with pytest.raises(Refused, match="future"):
        decide(screening, clinician, "defer", rescreen_on=TODAY)
    made = decide(screening, clinician, "defer", rescreen_on=date(2027, 1, 10))
    assert made.rescreen_on == date(2027, 1, 10)


def test_a_rescreen_date_is_dropped_unless_deferring(clinician):
    made = decide(ScreeningFactory(outcome="review"), clinician, "approve", rescreen_on=date(2027, 1, 10))
    assert made.rescreen_on is None


def test_it_refuses_an_unknown_decision(clinician):
    with pytest.raises(Refused, match="Choose approve, decline or defer.") as refused:
        decide(ScreeningFactory(outcome="review"), clinician, "maybe")
    assert set(refused.value.fields) == {"decision"}
