"""Outcomes across the course (DOMAIN §8), through the real services: the check-in's scores and the patient's
link put a patient in the clinicians' queue (early non-response, loss of response with a booster date), a
clinician turns a suggestion into an order, a prescriber evaluates the series; the front desk sees only the order.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.refusals import Refused
from infusions.booking.services import maintenance_book, series_book, series_complete
from infusions.models import Appointment, InfusionSeries, MaintenanceOrder, OutcomeScore, SeriesEvaluation
from infusions.outcomes import course
from infusions.tests.helpers import (
    answer_link,
    at,
    clinic,
    complete_with_scores,
    course_through_services,
    phq9_items,
    screened_patient,
    series_visits,
)
from intake.models import OutcomeReview

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 08:00 in the clinic
MONDAY = date(2026, 12, 7)  # visits on 7, 10, 13, 16, 19 and 22 December at 09:00
LAST_INFUSION = date(2026, 12, 22)
EARLY = OutcomeReview.Code.EARLY_NON_RESPONSE
LOST = OutcomeReview.Code.LOSS_OF_RESPONSE


@pytest.fixture(autouse=True)
def traveller():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def chair():
    chair, _ = clinic()
    return chair


def booked(chair, by, **patient):
    person = screened_patient(phq9=20, **patient)
    series = series_book(patient=person, visits=series_visits(MONDAY, chair), by=by)
    return person, list(series.appointments.order_by("start"))


# --- Early non-response at the 4th infusion ------------------------------------------------------------


def test_less_than_20_percent_by_the_4th_infusion_puts_the_patient_in_the_queue(client, chair, front_desk, clinician):
    patient, visits = booked(chair, front_desk, first_name="Noel", last_name="Harte")
    for visit, total in zip(visits[:3], (19, 18, 17), strict=True):
        complete_with_scores(visit, phq9=total)
    assert not OutcomeReview.objects.exists()  # before the 4th infusion there is nothing to say
    complete_with_scores(visits[3], phq9=17)

    review = OutcomeReview.objects.open().get(patient=patient)
    assert (review.code, review.measure) == (EARLY, "phq9")
    assert review.reason == "PHQ-9 fell 15% from baseline by infusion 4 (less than 20%): review the plan."
    assert review.suggested_booster is None

    client.force_login(clinician)
    response = client.get(reverse("intake:queue"))
    content = response.content.decode()
    assert 'data-testid="queue-outcome-reviews"' in content
    assert "Harte, Noel" in content
    assert "Early non-response" in content and review.reason in content
    assert reverse("infusions:course", args=[patient.pk]) in content


def test_exactly_20_percent_by_the_4th_infusion_is_not_early_non_response(chair, front_desk):
    patient, visits = booked(chair, front_desk)
    for visit, total in zip(visits[:4], (19, 18, 17, 16), strict=True):
        complete_with_scores(visit, phq9=total)
    assert OutcomeScore.objects.filter(patient=patient, source=OutcomeScore.Source.CHECK_IN).count() == 4
    assert not OutcomeReview.objects.exists()


def test_a_second_run_of_the_rules_opens_no_second_review(chair, front_desk):
    patient, visits = booked(chair, front_desk)
    for visit, total in zip(visits[:5], (19, 18, 17, 17, 18), strict=True):
        complete_with_scores(visit, phq9=total)  # the rules ran after the 4th and again after the 5th
    assert course.rules_apply(patient_id=patient.pk) == []
    assert OutcomeReview.objects.filter(patient=patient, code=EARLY).count() == 1


# --- Loss of response in maintenance, a booster suggested -------------------------------------------------


@pytest.fixture
def responder(chair, front_desk, traveller):
    """20 at baseline, 8 at the end of the series (a 60% fall: a responder), the series completed."""
    patient, series = course_through_services(
        MONDAY, chair, phq9=[16, 14, 12, 10, 9, 8], by=front_desk, first_name="Rae", last_name="Lindgren"
    )
    traveller.move_to(at(LAST_INFUSION, 15))
    series_complete(series=series, by=front_desk)
    assert not OutcomeReview.objects.exists()
    return patient, chair


def booster(patient, chair, day, by):
    """A booked maintenance visit at 09:00 on `day`."""
    series = maintenance_book(patient=patient, visits=[(at(day, 9), chair.pk)], by=by)
    return series.appointments.get()


def test_a_responder_who_loses_response_gets_a_booster_at_the_clinics_default_the_first_time(
    responder, front_desk, client, clinician
):
    patient, chair = responder
    visit = booster(patient, chair, date(2027, 1, 26), front_desk)
    answer_link(visit, phq9=12, when=at(date(2027, 1, 12), 10))  # 21 days after the last infusion

    review = OutcomeReview.objects.open().get(patient=patient)
    assert review.code == LOST
    assert review.reason == (
        "PHQ-9 is 12 in maintenance, fell 40% from baseline 20 (less than 50%) and 10 or more: a booster is suggested."
    )
    assert review.suggested_booster == LAST_INFUSION + timedelta(weeks=4) == date(2027, 1, 19)
    assert review.suggestion_reason == "4 weeks after the last infusion: the clinic's default"

    client.force_login(clinician)
    content = client.get(reverse("intake:queue")).content.decode()
    assert "Loss of response" in content and "Booster suggested for Tue 19 Jan 2027." in content

    assert course.rules_apply(patient_id=patient.pk) == []  # one open review per rule
    assert OutcomeReview.objects.filter(patient=patient, code=LOST).count() == 1


def test_a_patient_who_lost_response_before_gets_the_booster_at_their_own_interval(
    responder, front_desk, clinician, traveller
):
    patient, chair = responder
    first = booster(patient, chair, date(2027, 1, 26), front_desk)
    answer_link(first, phq9=12, when=at(date(2027, 1, 12), 10))  # lost 21 days after the last infusion
    course.review_resolve(review=OutcomeReview.objects.get(), by=clinician, resolution="Keep the booked booster.")

    complete_with_scores(first, phq9=6)  # the booster on 26 January: well again
    assert not OutcomeReview.objects.open().exists()
    traveller.move_to(at(date(2027, 1, 27), 8))
    second = booster(patient, chair, date(2027, 3, 9), front_desk)
    answer_link(second, phq9=13, when=at(date(2027, 2, 23), 10))

    review = OutcomeReview.objects.open().get(patient=patient)
    assert review.code == LOST
    assert review.suggested_booster == date(2027, 1, 26) + timedelta(days=21) == date(2027, 2, 16)
    assert review.suggestion_reason == "21 days after the last infusion: the patient's own interval last time"


def test_ordering_the_booster_opens_an_order_the_front_desk_sees_and_resolves_the_review(
    responder, front_desk, clinician, client
):
    patient, chair = responder
    visit = booster(patient, chair, date(2027, 1, 26), front_desk)
    answer_link(visit, phq9=12, when=at(date(2027, 1, 12), 10))
    review = OutcomeReview.objects.open().get(patient=patient)

    client.force_login(clinician)
    response = client.post(reverse("infusions:review_booster", args=[review.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("infusions:course", args=[patient.pk])

    order = MaintenanceOrder.objects.get(patient=patient)
    assert order.is_open and order.ordered_by == clinician
    assert order.note == "Booster from Tue 19 Jan 2027."
    for clinical in ("PHQ", "12", "response", "maintenance,", "baseline"):
        assert clinical not in order.note  # the front desk reads the note: a date, nothing clinical
    review.refresh_from_db()
    assert review.resolved_at is not None and review.resolved_by == clinician
    assert review.resolution == "Booster ordered from Tue 19 Jan 2027."
    assert not OutcomeReview.objects.open().exists()
    assert "Lindgren" not in client.get(reverse("intake:queue")).content.decode()

    client.force_login(front_desk)
    content = client.get(reverse("infusions:book"), {"q": "Lindgren"}).content.decode()
    assert 'data-testid="maintenance-ordered"' in content
    assert "PHQ" not in content and "response" not in content.lower()


# --- The end-of-series evaluation -------------------------------------------------------------------


def test_an_evaluation_with_a_maintenance_plan_opens_the_order_and_is_made_once(
    responder, clinician, client, front_desk
):
    patient, _ = responder
    series = InfusionSeries.objects.get(patient=patient, kind=InfusionSeries.Kind.INITIAL)
    client.force_login(clinician)
    url = reverse("infusions:series_evaluate", args=[series.pk])
    response = client.post(url, {"outcome": "responder", "plan": "maintenance", "note": "boosters"})
    assert response["Location"] == reverse("infusions:course", args=[patient.pk])
    evaluation = SeriesEvaluation.objects.get(series=series)
    assert (evaluation.outcome, evaluation.plan, evaluation.decided_by) == ("responder", "maintenance", clinician)
    order = MaintenanceOrder.objects.get(patient=patient)
    assert order.is_open and order.note == "Maintenance after the series."

    response = client.post(url, {"outcome": "remitter", "plan": "stop"}, follow=True)
    assert "This series was evaluated already." in response.content.decode()
    assert SeriesEvaluation.objects.get(series=series).outcome == "responder"
    with pytest.raises(Refused, match="evaluated already"):
        course.series_evaluate(series=series, outcome="remitter", plan="stop", by=clinician)
    assert MaintenanceOrder.objects.filter(patient=patient).count() == 1


def test_the_front_desk_may_not_see_the_course_nor_decide_anything(responder, front_desk, clinician, client):
    patient, chair = responder
    visit = booster(patient, chair, date(2027, 1, 26), front_desk)
    answer_link(visit, phq9=12, when=at(date(2027, 1, 12), 10))
    review = OutcomeReview.objects.open().get(patient=patient)
    series = InfusionSeries.objects.get(patient=patient, kind=InfusionSeries.Kind.INITIAL)

    client.force_login(front_desk)
    assert client.get(reverse("infusions:course", args=[patient.pk])).status_code == 403
    for url, data in (
        (reverse("infusions:series_evaluate", args=[series.pk]), {"outcome": "responder", "plan": "maintenance"}),
        (reverse("infusions:review_booster", args=[review.pk]), {}),
        (reverse("infusions:review_resolve", args=[review.pk]), {"resolution": "done"}),
    ):
        assert client.post(url, data).status_code == 403
    assert not SeriesEvaluation.objects.exists()
    assert not MaintenanceOrder.objects.exists()
    review.refresh_from_db()
    assert review.resolved_at is None

    client.force_login(clinician)
    assert client.get(reverse("infusions:course", args=[patient.pk])).status_code == 200


# --- The course page reads a fixed number of queries -------------------------------------------------


def scores(patient, visits, count):
    """`count` scores on the series' visits (PHQ-9 then GAD-7), written directly: this test is about reading."""
    rows = []
    for n in range(count):
        visit = visits[n % len(visits)]
        measure = "phq9" if n < len(visits) else "gad7"
        items = phq9_items(15) if measure == "phq9" else [2, 2, 2, 1, 1, 1, 1]
        rows.append(
            OutcomeScore(
                patient=patient,
                appointment=visit,
                measure=measure,
                items=items,
                total=sum(items),
                source=OutcomeScore.Source.CHECK_IN,
                taken_at=visit.start,
            )
        )
    OutcomeScore.objects.bulk_create(rows)


def test_the_course_page_costs_the_same_queries_with_3_and_12_scores(chair, front_desk, clinician, client):
    client.force_login(clinician)
    counts = []
    for count in (3, 12):
        patient = screened_patient(phq9=20, gad7=12)
        series = series_book(
            patient=patient, visits=series_visits(MONDAY, chair, hour=9 + len(counts) * 2), by=front_desk
        )
        visits = list(series.appointments.order_by("start"))
        Appointment.objects.filter(pk__in=[v.pk for v in visits]).update(status=Appointment.Status.COMPLETED)
        scores(patient, visits, count)
        url = reverse("infusions:course", args=[patient.pk])
        client.get(url)  # warm the session and the per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count("<circle") == count + 2  # and the two baselines
        counts.append(len(queries))
    assert counts[0] == counts[1]
