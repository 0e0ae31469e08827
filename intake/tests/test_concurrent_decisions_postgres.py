"""Clinicians deciding the same case at the same moment: one decision wins, the others get a message."""

import threading

import pytest
from django.conf import settings
from django.db import connections

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
    barrier = threading.Barrier(len(doctors))
    outcomes = []
    lock = threading.Lock()

    def decide(doctor, decision):
        try:
            barrier.wait(timeout=30)
            review_decide(screening=screening, decided_by=doctor, decision=decision)
            outcome = "decided"
        except ReviewRefused as exc:
            outcome = f"refused: {exc}"
        except Exception as exc:  # noqa: BLE001 - any other error is what this test must catch
            outcome = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [
        threading.Thread(target=decide, args=(doctor, ("approve", "decline")[n % 2]))
        for n, doctor in enumerate(doctors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == 8
    assert outcomes.count("decided") == 1, outcomes
    assert outcomes.count("refused: This case has already been decided by another clinician.") == 7, outcomes
    assert ReviewDecision.objects.filter(screening=screening).count() == 1
