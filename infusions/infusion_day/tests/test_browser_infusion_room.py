"""The infusion room in Chromium: the board refreshes itself (htmx) and shows an overdue reading without a reload."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from playwright.sync_api import expect

from clinic.roles import NURSE
from clinic.tests.factories import UserFactory, clinician, front_desk
from infusions.booking.services import series_book
from infusions.infusion_day import services as visit_record
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, series_visits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MONDAY = date(2026, 12, 7)


def csp_violations(page) -> list[str]:
    """Every Content-Security-Policy refusal the page reports from now on (Chromium logs them to the console)."""
    found: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and found.append(message.text))
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    return found


def test_a_nurse_sees_a_reading_fall_overdue_without_reloading_the_page(page, sign_in):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=True) as traveller:
        chairs = clinic(chairs=3)
        series = series_book(
            patient=bookable_patient(first_name="Ada", last_name="Lovelace"),
            visits=series_visits(MONDAY, chairs[0]),
            by=front_desk(),
        )
        visit = series.appointments.get(sequence=1)
        nurse = UserFactory(role=NURSE)

        traveller.move_to(at(MONDAY, 9, 0))  # the live server's clock moves too: same process
        record = visit_record.record_check_in(appointment=visit, values=clean_check_in(), by=nurse)
        visit_record.record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=clinician())
        visit_record.record_start(record=record, by=nurse)  # first reading due at 09:10

        violations = csp_violations(page)
        sign_in(nurse)
        page.goto("/infusions/room/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Infusion room")
        expect(page.get_by_test_id("chair-card")).to_have_count(3)
        lovelace = page.get_by_test_id("room-visit").filter(has_text="Lovelace, Ada")
        expect(lovelace.get_by_test_id("stage")).to_have_text("In chair")
        expect(lovelace.get_by_test_id("timer")).to_have_text("In chair 0 min")
        expect(page.get_by_test_id("overdue")).to_have_count(0)
        page.wait_for_function("() => window.htmx !== undefined")

        # A mark that a full page load would wipe out.
        page.evaluate("() => { window.roomMarker = 'still here' }")
        traveller.move_to(at(MONDAY, 9, 12))
        # Poll every second instead of every 30 (same element, URL and swap; htmx re-reads changed attributes).
        page.evaluate(
            """() => {
                const board = document.getElementById('room-board');
                board.setAttribute('hx-trigger', 'every 1s');
                htmx.process(board);
            }"""
        )
        expect(page.get_by_test_id("overdue")).to_have_text("Reading overdue since 09:10", timeout=35_000)
        expect(lovelace).to_have_class(re.compile(r"\broom-visit-overdue\b"))
        expect(lovelace.get_by_test_id("timer")).to_have_text("In chair 11 min")  # 09:00:00.x to 09:12:00.y
        assert page.evaluate("() => window.roomMarker") == "still here"
        # The swapped-in board polls on its own schedule again, from the server's markup.
        expect(page.locator("#room-board")).to_have_attribute("hx-trigger", "every 30s")
        record_url = f"/infusions/visits/{visit.pk}/record/"
        expect(lovelace.get_by_test_id("record-link")).to_have_attribute("href", record_url)

        # A tablet held upright: the chairs in columns, nothing wider than the screen.
        page.set_viewport_size({"width": 768, "height": 1024})
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{overflow}px of horizontal scroll at 768px"
        cards = page.get_by_test_id("chair-card")
        first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
        assert first["y"] == second["y"] and second["x"] > first["x"], "two chairs side by side at 768px"

        assert violations == [], violations


def test_the_front_desk_sees_the_stage_but_no_readings(page, sign_in):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=True) as traveller:
        chairs = clinic(chairs=2)
        series = series_book(
            patient=bookable_patient(first_name="Ada", last_name="Lovelace"),
            visits=series_visits(MONDAY, chairs[0]),
            by=front_desk(),
        )
        visit = series.appointments.get(sequence=1)
        nurse = UserFactory(role=NURSE)
        traveller.move_to(at(MONDAY, 9, 0))
        record = visit_record.record_check_in(appointment=visit, values=clean_check_in(), by=nurse)
        visit_record.record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=clinician())
        visit_record.record_start(record=record, by=nurse)
        traveller.move_to(at(MONDAY, 9, 30))  # overdue since 09:10

        violations = csp_violations(page)
        sign_in(front_desk())
        page.set_viewport_size({"width": 1280, "height": 800})
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Infusion room").click()
        lovelace = page.get_by_test_id("room-visit").filter(has_text="Lovelace, Ada")
        expect(lovelace.get_by_test_id("stage")).to_have_text("In chair")
        expect(lovelace.get_by_test_id("timer")).to_have_text("In chair 30 min")
        expect(page.get_by_test_id("overdue")).to_have_count(0)
        expect(page.get_by_test_id("record-link")).to_have_count(0)
        assert violations == [], violations
