"""`bookable_now()`, the eligibility rule as a query condition (lists that say it of many visits in their own
query: the prescriber's list, the infusion room), answers as `booking_eligibility` does for every case."""

from datetime import date

import pytest
from django.db.models import BooleanField, ExpressionWrapper, OuterRef

from clinic.tests.factories import PatientFactory, ScreeningFactory, clinician
from intake.eligibility import bookable_now, booking_eligibility
from intake.models import Patient, ReviewDecision

pytestmark = pytest.mark.django_db


def decided(screening, decision, rescreen_on=None):
    ReviewDecision.objects.create(
        screening=screening, decision=decision, rescreen_on=rescreen_on, decided_by=clinician()
    )
    return screening


def newer(screening, outcome):
    return ScreeningFactory(intake=screening.intake, outcome=outcome)


CASES = {
    "no screening": lambda: PatientFactory(),
    "clear": lambda: ScreeningFactory(outcome="clear").patient,
    "flagged, waiting": lambda: ScreeningFactory(outcome="review").patient,
    "approved": lambda: decided(ScreeningFactory(outcome="exclude"), "approve").patient,
    "declined": lambda: decided(ScreeningFactory(outcome="review"), "decline").patient,
    "deferred": lambda: decided(ScreeningFactory(outcome="defer"), "defer", date(2030, 1, 1)).patient,
    "approved, then a newer flagged one": lambda: (
        newer(decided(ScreeningFactory(outcome="review"), "approve"), "review").patient
    ),
    "declined, then a newer clear one": lambda: (
        newer(decided(ScreeningFactory(outcome="review"), "decline"), "clear").patient
    ),
    "clear, then a newer flagged one": lambda: newer(ScreeningFactory(outcome="clear"), "exclude").patient,
}


def test_the_query_condition_agrees_with_the_rule_for_every_case():
    patients = {name: make() for name, make in CASES.items()}
    answers = dict(
        Patient.objects.annotate(
            ok=ExpressionWrapper(bookable_now(OuterRef("pk")), output_field=BooleanField())
        ).values_list("pk", "ok")
    )
    expected = {name: booking_eligibility(patient).bookable for name, patient in patients.items()}
    assert {name: bool(answers[patient.pk]) for name, patient in patients.items()} == expected
    assert set(expected.values()) == {True, False}  # both answers are exercised
