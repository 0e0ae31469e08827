"""Clinicians deciding the same case at the same moment: one decision wins, the others get a message."""

from functools import partial

import pytest
from django.conf import settings

from clinic.tests.concurrency import run_at_once
from clinic.tests.factories import ScreeningFactory, clinician
from intake.models import ReviewDecision
from intake.services import ReviewRefused, review_decide

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs PostgreSQL (real concurrent connections): set DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic",
    ),
]


def test_eight_clinicians_deciding_one_case_at_once_exactly_one_wins():
    screening = ScreeningFactory(outcome="review")
    doctors = [clinician() for _ in range(8)]
    outcomes = run_at_once(
        [
            partial(review_decide, screening=screening, by=doctor, decision=("approve", "decline")[n % 2])
            for n, doctor in enumerate(doctors)
        ],
        refusal=ReviewRefused,
        timeout=60,
    )

    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("refused: This case has already been decided by another clinician.") == 7, outcomes
    assert ReviewDecision.objects.filter(screening=screening).count() == 1
