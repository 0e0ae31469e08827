"""Clinicians deciding the same case at the same moment: one decision wins, the others get a message."""

from functools import partial

from clinic.refusals import Refused
from clinic.tests.concurrency import run_at_once
from clinic.tests.factories import ScreeningFactory, clinician
from intake.models import ReviewDecision
from intake.services import review_decide
from intake.tests.postgres import CONCURRENT

pytestmark = CONCURRENT


def test_eight_clinicians_deciding_one_case_at_once_exactly_one_wins():
    screening = ScreeningFactory(outcome="review")
    doctors = [clinician() for _ in range(8)]
    outcomes = run_at_once(
        [
            partial(review_decide, screening=screening, by=doctor, decision=("approve", "decline")[n % 2])
            for n, doctor in enumerate(doctors)
        ],
        refusal=Refused,
        timeout=60,
    )

    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("refused: This case has already been decided by another clinician.") == 7, outcomes
    assert ReviewDecision.objects.filter(screening=screening).count() == 1
