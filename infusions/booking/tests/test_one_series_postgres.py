"""One patient, many front-desk sessions at once: at most one active initial series (PostgreSQL, real threads)."""

from datetime import timedelta
from functools import partial

import pytest
from django.conf import settings

from clinic.context import clinic_context
from clinic.refusals import Refused
from clinic.tests.concurrency import run_at_once
from clinic.tests.factories import front_desk
from infusions.booking.services import series_book
from infusions.models import Appointment, InfusionSeries
from infusions.tests.helpers import bookable_patient, clinic, series_visits

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic"
    ),
]


def _first_day():
    return clinic_context().today() + timedelta(days=3)


def test_it_books_one_series_when_twenty_sessions_confirm_twenty_different_plans_for_one_patient():
    chairs = clinic(chairs=4)
    user = front_desk()
    patient = bookable_patient()
    plans = [series_visits(_first_day() + timedelta(days=n % 5), chairs[n % 4], hour=8 + n % 8) for n in range(20)]
    outcomes = run_at_once(
        [partial(series_book, patient=patient, visits=visits, by=user) for visits in plans], refusal=Refused
    )

    assert outcomes.count("ok") == 1, outcomes
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    assert InfusionSeries.objects.filter(patient=patient, status="active").count() == 1
    assert Appointment.objects.filter(patient=patient).count() == 6


def test_two_sessions_per_patient_give_each_patient_one_series():
    chairs = clinic(chairs=4)
    user = front_desk()
    patients = [bookable_patient() for _ in range(2)]
    calls = [
        partial(
            series_book, patient=p, visits=series_visits(_first_day() + timedelta(days=k), chairs[2 * i + k]), by=user
        )
        for i, p in enumerate(patients)
        for k in range(2)
    ]
    outcomes = run_at_once(calls, refusal=Refused)

    assert outcomes.count("ok") == 2, outcomes
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    for p in patients:
        assert InfusionSeries.objects.filter(patient=p, status="active").count() == 1
