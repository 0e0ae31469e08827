"""In Chromium: a clinician reads a course (chart and badges), records the end-of-series evaluation, follows the
queue to a patient the outcome rules flagged, and turns a booster suggestion into an order in one click."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from playwright.sync_api import expect

from infusions.booking.services import maintenance_book, series_complete
from infusions.models import MaintenanceOrder, SeriesEvaluation
from infusions.tests.helpers import answer_link, at, clinic, course_through_services
from intake.models import OutcomeReview

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BEFORE = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 08:00 in the clinic, before the series
MONDAY = date(2026, 12, 7)  # visits on 7, 10, 13, 16, 19 and 22 December at 09:00


def test_a_clinician_reads_a_remitters_course_and_records_the_evaluation(page, sign_in, clinician, front_desk):
    with time_machine.travel(BEFORE, tick=False):
        chair, _ = clinic()
        patient, series = course_through_services(
            MONDAY, chair, phq9=[14, 11, 9, 7, 5, 4], by=front_desk, first_name="Ines", last_name="Varga"
        )
    with time_machine.travel(at(date(2026, 12, 29), 10), tick=True):
        sign_in(clinician)
        page.goto(f"/infusions/patients/{patient.pk}/course/")
        phq9 = page.get_by_test_id("measure-phq9")
        expect(phq9.locator('svg[role="img"]')).to_be_visible()
        expect(phq9.locator("svg circle")).to_have_count(7)
        expect(phq9.get_by_role("img", name="PHQ-9")).to_be_visible()
        expect(phq9.get_by_test_id("remission")).to_have_text("remission")
        expect(phq9.get_by_test_id("response")).to_have_text("response")

        form = page.get_by_test_id("series-evaluation")
        form.get_by_label("Outcome").select_option(label="Remitter")
        form.get_by_label("Plan").select_option(label="Maintenance (boosters)")
        form.get_by_label("Note").fill("PHQ-9 4 after six infusions")
        form.get_by_role("button", name="Record the evaluation").click()
        expect(page.get_by_text("Evaluation recorded.")).to_be_visible()
        expect(page.get_by_test_id("series-evaluation")).to_contain_text("Remitter; plan: maintenance (boosters)")
    evaluation = SeriesEvaluation.objects.get(series=series)
    assert (evaluation.outcome, evaluation.plan, evaluation.decided_by) == ("remitter", "maintenance", clinician)
    order = MaintenanceOrder.objects.get(patient=patient)
    assert order.is_open and order.ordered_by == clinician


def test_a_non_responder_is_in_the_queue_after_the_4th_infusion(page, sign_in, clinician, front_desk):
    with time_machine.travel(BEFORE, tick=False):
        chair, _ = clinic()
        patient, _ = course_through_services(
            MONDAY, chair, phq9=[19, 18, 17, 17], by=front_desk, first_name="Noel", last_name="Harte"
        )
    with time_machine.travel(at(date(2026, 12, 16), 15), tick=True):
        sign_in(clinician)
        page.goto("/intake/queue/")
        row = page.get_by_test_id("outcome-review-row")
        expect(row).to_contain_text("Early non-response")
        expect(row).to_contain_text("PHQ-9 fell 15% from baseline by infusion 4 (less than 20%)")
        row.get_by_role("link", name="Harte, Noel").click()
        expect(page).to_have_url(f"/infusions/patients/{patient.pk}/course/")
        expect(page.get_by_test_id("outcome-review")).to_contain_text("Early non-response")
        expect(page.get_by_test_id("booster-suggestion")).to_have_count(0)  # no booster for this rule


def test_a_clinician_orders_the_suggested_booster_in_one_click(page, sign_in, clinician, front_desk):
    with time_machine.travel(BEFORE, tick=False) as traveller:
        chair, _ = clinic()
        patient, series = course_through_services(
            MONDAY, chair, phq9=[16, 14, 12, 10, 9, 8], by=front_desk, first_name="Rae", last_name="Lindgren"
        )
        traveller.move_to(at(date(2026, 12, 22), 15))
        series_complete(series=series, by=front_desk)
        booster = maintenance_book(patient=patient, visits=[(at(date(2027, 1, 26), 9), chair.pk)], by=front_desk)
        answer_link(booster.appointments.get(), phq9=12, when=at(date(2027, 1, 12), 10))
    assert OutcomeReview.objects.open().get().code == OutcomeReview.Code.LOSS_OF_RESPONSE

    with time_machine.travel(at(date(2027, 1, 12), 11), tick=True):
        sign_in(clinician)
        page.goto("/intake/queue/")
        row = page.get_by_test_id("outcome-review-row")
        expect(row).to_contain_text("Loss of response")
        expect(row).to_contain_text("Booster suggested for Tue 19 Jan 2027.")
        row.get_by_role("link", name="Lindgren, Rae").click()
        expect(page.get_by_test_id("booster-suggestion")).to_contain_text("Tue 19 Jan 2027")
        page.get_by_role("button", name="Order the booster").click()
        expect(page.get_by_text("Booster ordered: the front desk books it.")).to_be_visible()
        expect(page.get_by_test_id("outcome-reviews")).to_have_count(0)

        page.goto("/intake/queue/")
        expect(page.get_by_test_id("outcome-review-row")).to_have_count(0)
    order = MaintenanceOrder.objects.get(patient=patient)
    assert order.is_open and order.note == "Booster from Tue 19 Jan 2027."
    assert not OutcomeReview.objects.open().exists()
