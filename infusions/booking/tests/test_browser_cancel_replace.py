"""The front desk on a phone: cancel a visit with a reason, undo it, cancel again and replace it on another day."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from playwright.sync_api import expect

from clinic.tests.factories import front_desk as make_front_desk
from infusions.booking.services import series_book
from infusions.models import Appointment
from infusions.tests.browser import sticking_out
from infusions.tests.helpers import LA, bookable_patient, clinic, series_visits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MONDAY = date(2026, 12, 7)  # visits at 09:00 local on the 7th, 10th, 13th, 16th, 19th and 22nd
WIDTHS = (390, 768)


def no_sideways_scroll(page):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844 if width == 390 else 1024})
        assert not sticking_out(page), f"{page.url} scrolls sideways at {width} px: {sticking_out(page)}"
    page.set_viewport_size({"width": 390, "height": 844})


def test_front_desk_cancels_undoes_and_replaces_a_visit_on_a_phone(page, sign_in, front_desk):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=True):  # 08:00 local
        chair, _ = clinic(chairs=2)
        patient = bookable_patient(first_name="Ada", last_name="Lovelace")
        series = series_book(patient=patient, visits=series_visits(MONDAY, chair), by=make_front_desk())
        third = series.appointments.get(sequence=3)
        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(front_desk)

        page.goto(f"/infusions/series/{series.pk}/")
        expect(page.get_by_test_id("series-visit")).to_have_count(6)
        no_sideways_scroll(page)
        page.get_by_role("link", name="Cancel visit 3").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Cancel visit 3")
        no_sideways_scroll(page)
        page.get_by_role("button", name="Cancel the visit").click()  # no reason yet: asked again
        expect(page.get_by_test_id("reason-errors")).to_contain_text("Choose why the visit is cancelled.")
        page.get_by_label("Illness").check()
        page.get_by_role("button", name="Cancel the visit").click()
        expect(page.get_by_text("Visit cancelled.")).to_be_visible()
        expect(page.get_by_test_id("visit-status").nth(2)).to_contain_text("Cancelled (Illness)")
        no_sideways_scroll(page)

        page.get_by_role("button", name="Undo cancel").click()
        expect(page.get_by_text("Cancel undone.")).to_be_visible()
        expect(page.get_by_test_id("visit-status").nth(2)).to_have_text("Scheduled")
        expect(page.get_by_role("link", name="Replace visit 3")).to_have_count(0)

        page.get_by_role("link", name="Cancel visit 3").click()
        page.get_by_label("Transport").check()
        page.get_by_role("button", name="Cancel the visit").click()
        expect(page.get_by_text("Visit cancelled.")).to_be_visible()
        page.get_by_role("link", name="Replace visit 3").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Replace visit 3")
        page.get_by_label("Day").fill("2026-12-14")
        page.get_by_role("button", name="Show free times").click()
        expect(page.get_by_text("Free times on Mon 14 Dec 2026")).to_be_visible()
        no_sideways_scroll(page)
        page.get_by_role("button", name=re.compile(r"^10:00")).first.click()
        expect(page.get_by_text("Visit 3 replaced.")).to_be_visible()
        expect(page.get_by_test_id("series-visit")).to_have_count(7)
        expect(page.get_by_role("link", name="Replace visit 3")).to_have_count(0)
        expect(page.get_by_role("button", name="Undo cancel")).to_have_count(0)
        no_sideways_scroll(page)

    new = Appointment.objects.get(replaces=third)
    assert (new.sequence, new.status) == (3, Appointment.Status.SCHEDULED)
    assert new.start.astimezone(LA).date() == date(2026, 12, 14) and new.start.astimezone(LA).hour == 10
    assert series.appointments.active().count() == 6


def test_front_desk_cancels_the_rest_of_a_series_with_a_reason_on_a_phone(page, sign_in, front_desk):
    with time_machine.travel(datetime(2026, 12, 6, 20, 0, tzinfo=UTC), tick=True):  # 12:00 local, the day before
        chair, _ = clinic(chairs=2)
        patient = bookable_patient(first_name="Ada", last_name="Lovelace")
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        series = series_book(patient=patient, visits=series_visits(MONDAY, chair), by=make_front_desk())
    with time_machine.travel(datetime(2026, 12, 6, 20, 0, tzinfo=UTC), tick=True):
        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(front_desk)
        page.goto(f"/infusions/series/{series.pk}/")
        page.get_by_role("link", name="Cancel the rest of the series").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Cancel the rest of the series")
        expect(page.get_by_test_id("rest-visits").locator("li")).to_have_count(6)
        expect(page.get_by_test_id("rest-visits").get_by_text(re.compile("late cancel"))).to_have_count(1)
        no_sideways_scroll(page)
        page.get_by_role("button", name="Cancel these visits and the series").click()
        expect(page.get_by_test_id("reason-errors")).to_contain_text("Choose why the rest of the series is cancelled.")
        page.get_by_label("Clinic's decision").check()
        page.get_by_role("button", name="Cancel these visits and the series").click()
        expect(page.get_by_text("Cancelled the rest of the series (6 visits).")).to_be_visible()
        expect(page.get_by_test_id("visit-status").first).to_contain_text("Cancelled (Clinic's decision, late)")
        no_sideways_scroll(page)
    assert set(series.appointments.values_list("cancel_reason", flat=True)) == {"clinic"}
