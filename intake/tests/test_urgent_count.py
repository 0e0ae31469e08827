"""The urgent figure on every clinician page: one query, compiled once per process, and the same
number as counting the review queue's urgent cases and the open safety alerts through the ORM."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.tests.factories import IntakeFactory, ScreeningFactory, UserFactory
from intake.models import ReviewDecision, SafetyAlert, Screening
from intake.selectors import urgent_count

pytestmark = pytest.mark.django_db


def _by_the_orm() -> int:
    return Screening.objects.awaiting_review().filter(urgent=True).count() + SafetyAlert.objects.open().count()


def test_it_counts_what_waits_and_nothing_else_in_one_query():
    clinician = UserFactory()
    waiting = ScreeningFactory(outcome="review", urgent=True)
    ScreeningFactory(outcome="exclude", urgent=True)
    ScreeningFactory(outcome="review")  # not urgent
    decided = ScreeningFactory(outcome="review", urgent=True)
    ReviewDecision.objects.create(screening=decided, decision="decline", decided_by=clinician)
    superseded = ScreeningFactory(outcome="review", urgent=True)
    ScreeningFactory(intake=IntakeFactory(patient=superseded.patient), patient=superseded.patient)  # newer, clear
    SafetyAlert.objects.create(patient=waiting.patient, source="checkin", detail="item 9")
    SafetyAlert.objects.create(
        patient=waiting.patient,
        source="checkin",
        detail="item 9",
        resolved_at=timezone.now(),
        resolved_by=clinician,
        follow_up="Called the same day.",
    )
    with CaptureQueriesContext(connection) as captured:
        count = urgent_count()
    assert count == 3 == _by_the_orm()  # two urgent cases waiting, one open alert
    assert len(captured) == 1


def test_a_change_counts_on_the_next_call():
    first = urgent_count()
    screening = ScreeningFactory(outcome="defer", urgent=True)
    assert urgent_count() == first + 1
    ReviewDecision.objects.create(
        screening=screening, decision="defer", rescreen_on=timezone.localdate(), decided_by=UserFactory()
    )
    assert urgent_count() == first
