"""The front desk's journey in Chromium: book a series, see it, move a visit, book maintenance."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from clinic.tests.factories import ScreeningFactory
from infusions.models import Appointment, InfusionSeries
from infusions.tests.helpers import LA, bookable_patient, clinic, complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_front_desk_books_a_series_moves_a_visit_and_books_maintenance(page, sign_in, front_desk):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=True) as traveller:  # 08:00 local
        clinic(chairs=2)
        bookable_patient(first_name="Ada", last_name="Lovelace")
        sign_in(front_desk)

        page.get_by_role("link", name="Book a series").first.click()
        page.get_by_label("Name or date of birth").fill("Lovelace")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_test_id("patient-results")).to_contain_text("Bookable")
        page.get_by_role("link", name="Plan series").click()
        expect(page.get_by_test_id("plan-visit")).to_have_count(6)
        page.get_by_role("button", name="Confirm and book 6 visits").click()
        expect(page.get_by_text("Booked 6 visits.")).to_be_visible()
        expect(page.get_by_test_id("series-visit")).to_have_count(6)

        # The day view of the second visit shows the patient.
        second = Appointment.objects.get(sequence=2)
        page.goto(f"/infusions/day/?date={second.start.astimezone(LA).date():%Y-%m-%d}")
        expect(page.get_by_test_id("day-view")).to_contain_text("Ada Lovelace")

        # Move the second visit to 13:00 that day.
        page.goto(f"/infusions/series/{second.series_id}/")
        page.get_by_role("link", name="Move visit 2").click()
        page.get_by_role("button", name=re.compile(r"^13:00")).click()
        expect(page.get_by_text("Visit moved.")).to_be_visible()
        second.refresh_from_db()
        assert second.start.astimezone(LA).hour == 13

        # Each visit is completed by the nurses' discharge (the infusion day's own tests drive those pages);
        # after the last one the front desk completes the series and books a booster.
        for visit in Appointment.objects.order_by("start"):
            complete(visit)
        last = Appointment.objects.order_by("-start").first()
        traveller.move_to(last.end + timedelta(hours=1))
        sign_in(front_desk)  # the idle session has expired meanwhile
        page.goto(f"/infusions/series/{second.series_id}/")
        expect(page.get_by_test_id("visit-status").filter(has_text="Completed")).to_have_count(6)
        expect(page.get_by_role("button", name=re.compile("^Completed"))).to_have_count(0)
        page.get_by_role("button", name="Mark series completed").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Completed")
        page.get_by_role("link", name="Book maintenance").click()
        expect(page.get_by_test_id("plan-visit")).to_have_count(1)
        page.get_by_role("button", name="Confirm and book 1 visit").click()
        expect(page.get_by_text("Booked 1 visit.")).to_be_visible()
    assert InfusionSeries.objects.filter(kind="maintenance").count() == 1


def test_a_patient_waiting_for_review_cannot_be_booked(page, sign_in, front_desk):
    clinic(chairs=1)
    waiting = ScreeningFactory(outcome="review", intake__patient__last_name="Babbage").patient
    sign_in(front_desk)
    page.goto("/infusions/book/?q=Babbage")
    expect(page.get_by_test_id("patient-results")).to_contain_text("Waiting for a clinician's review.")
    page.goto(f"/infusions/book/{waiting.pk}/")
    expect(page.get_by_test_id("not-bookable")).to_contain_text("Waiting for a clinician's review.")
    expect(page.get_by_role("button", name=re.compile("Confirm"))).to_have_count(0)
    assert not Appointment.objects.exists()
