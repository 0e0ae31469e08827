from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from clinic.refusals import Refused
from clinic.tests.factories import clinic_settings
from infusions.booking.services import (
    maintenance_book,
    series_book,
    series_complete,
)
from infusions.models import InfusionSeries
from infusions.tests.helpers import at, bookable_patient, clinic, complete, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)  # last visit on 22 December


@pytest.fixture
def completed(front_desk):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        chair, _ = clinic()
        series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk)
        traveller.move_to(datetime(2026, 12, 23, 1, 0, tzinfo=UTC))
        for visit in series.appointments.order_by("start"):
            complete(visit)
        series_complete(series=series, by=front_desk)
        yield series, chair, traveller


def test_it_suggests_one_booster_at_the_last_infusion_plus_the_interval_and_books_it(client, front_desk, completed):
    series, chair, _ = completed
    client.force_login(front_desk)
    response = client.get(reverse("infusions:maintenance_plan", args=[series.patient_id]))
    assert response.context["maintenance"].suggested == date(2027, 1, 19)  # 22 Dec + 4 weeks
    (row,) = response.context["visits"]
    assert row["visit"].start == at(date(2027, 1, 19), 8)
    response = client.post(
        reverse("infusions:maintenance_confirm", args=[series.patient_id]), {"v": response.context["encoded"]}
    )
    booster = InfusionSeries.objects.get(kind=InfusionSeries.Kind.MAINTENANCE)
    assert response["Location"] == reverse("infusions:series", args=[booster.pk])
    assert list(booster.appointments.values_list("start", flat=True)) == [at(date(2027, 1, 19), 8)]


def test_it_plans_k_visits_every_n_weeks(client, front_desk, completed):
    series, _, _ = completed
    client.force_login(front_desk)
    response = client.get(
        reverse("infusions:maintenance_plan", args=[series.patient_id]),
        {"count": 3, "every_weeks": 6, "first": "2027-01-05"},
    )
    starts = [row["visit"].start.date() for row in response.context["visits"]]
    assert starts == [date(2027, 1, 5), date(2027, 2, 16), date(2027, 3, 30)]


def test_a_screening_older_than_the_setting_must_be_renewed(front_desk, completed):
    series, chair, traveller = completed
    clinic_settings(screening_valid_days=10)
    with pytest.raises(Refused, match="older than 10 days"):
        maintenance_book(patient=series.patient, visits=[(at(date(2027, 1, 19), 9), chair.pk)], by=front_desk)


def test_maintenance_needs_a_completed_series(front_desk):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        chair, _ = clinic()
        with pytest.raises(Refused, match="after the initial series is completed"):
            maintenance_book(
                patient=bookable_patient(), visits=[(at(MONDAY + timedelta(days=1), 9), chair.pk)], by=front_desk
            )
