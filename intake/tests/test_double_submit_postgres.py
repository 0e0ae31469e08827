"""Two POSTs of one intake form at the same moment (real threads, real PostgreSQL) make one patient."""

from functools import partial

from clinic.tests.concurrency import run_at_once
from intake import services
from intake.models import Intake, Patient, Screening
from intake.tests.helpers import answers
from intake.tests.postgres import CONCURRENT

pytestmark = CONCURRENT


def test_eight_submissions_of_one_form_at_once_make_exactly_one_patient(coordinator):
    token = "double-click-token-0123456789"
    results = []

    def submit():
        results.append(services.intake_create(answers=answers(), by=coordinator, submission_token=token).pk)

    outcomes = run_at_once([partial(submit) for _ in range(8)], refusal=services.AlreadySubmitted)
    assert outcomes == ["ok"] * 8, outcomes
    assert Patient.objects.count() == 1 and Intake.objects.count() == 1 and Screening.objects.count() == 1
    assert set(results) == {Screening.objects.get().pk}
