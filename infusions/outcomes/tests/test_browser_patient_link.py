"""The patient's questions link in Chromium on a phone-sized screen: the patient opens the link from
the 24-hour reminder, answers the PHQ-9 by the wording of each answer, sends it and is thanked; the page fits
390 px without scrolling sideways, breaks no Content-Security-Policy rule, and a second visit to the link says
the answers were received.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from clinic.tests.factories import front_desk
from infusions.booking.services import series_book
from infusions.outcomes import course
from infusions.reminders import tokens
from infusions.tests.helpers import at, bookable_patient, clinic, series_visits
from intake.models import SafetyAlert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MONDAY = date(2026, 12, 7)
PHONE = {"width": 390, "height": 844}
SEVERAL, HALF, NOT_AT_ALL, NEARLY = "Several days", "More than half the days", "Not at all", "Nearly every day"
ANSWERS = [SEVERAL, HALF, SEVERAL, HALF, SEVERAL, SEVERAL, NEARLY, NOT_AT_ALL, NOT_AT_ALL]


def watch_for_csp_violations(page, found: list[str]) -> None:
    """Collect every Content-Security-Policy refusal (Chromium logs them to the console) and page error."""
    page.on("console", lambda message: "Content Security Policy" in message.text and found.append(message.text))
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def item(page, number: int):
    """One PHQ-9 question: its wording, its answers and its own error."""
    return page.locator(f"#div_id_phq9_{number}")


def test_the_patient_answers_on_a_phone_and_the_link_then_says_it_was_received(page, live_server):
    violations: list[str] = []
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=True) as traveller:
        chair, _ = clinic()
        series = series_book(
            patient=bookable_patient(first_name="Ada", last_name="Lovelace"),
            visits=series_visits(MONDAY, chair),
            by=front_desk(),
        )
        visit = series.appointments.get(sequence=1)
        path = f"/infusions/q/{tokens.questions_token(visit)}/"
        traveller.move_to(at(MONDAY - timedelta(days=1), 10, 0))  # the day before, after the 24-hour reminder

        page.set_viewport_size(PHONE)
        watch_for_csp_violations(page, violations)
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text("Before your visit, please answer a few questions")
        expect(page.locator("body")).not_to_contain_text("Ada")
        expect(page.locator("body")).not_to_contain_text("Lovelace")
        expect(page.locator("nav")).to_have_count(0)
        expect(item(page, 9)).to_contain_text("9. Thoughts that you would be better off dead")
        assert not scrolls_sideways(page)

        # Send with one question left out: it is marked next to it, and the other answers are kept.
        for number, answer in enumerate(ANSWERS, start=1):
            if number != 4:
                item(page, number).get_by_label(answer, exact=True).check()
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_load_state()
        expect(item(page, 4)).to_contain_text("Answer this item")
        expect(page.locator(".invalid-feedback:visible")).to_have_count(1)
        expect(item(page, 2).get_by_label(HALF, exact=True)).to_be_checked()
        expect(item(page, 7).get_by_label(NEARLY, exact=True)).to_be_checked()
        assert not course.link_answers(visit)
        assert not scrolls_sideways(page)

        item(page, 4).get_by_label(HALF, exact=True).check()
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_test_id("received")).to_have_text("Thank you, your answers were received.")
        expect(page.get_by_test_id("crisis-box")).to_have_count(0)
        assert not scrolls_sideways(page)
        assert course.link_answers(visit) == {"phq9": [1, 2, 1, 2, 1, 1, 3, 0, 0]}
        assert not SafetyAlert.objects.exists()

        # Opening the link again: the answers were received, nothing more can be sent.
        page.goto(path)
        expect(page.get_by_test_id("received")).to_have_text("Thank you, your answers were received.")
        expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)
        assert not scrolls_sideways(page)
    assert violations == []


def test_a_positive_item_9_shows_988_at_once(page, live_server):
    violations: list[str] = []
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=True) as traveller:
        chair, _ = clinic()
        series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
        visit = series.appointments.get(sequence=1)
        traveller.move_to(at(MONDAY - timedelta(days=1), 20, 0))
        page.set_viewport_size(PHONE)
        watch_for_csp_violations(page, violations)
        page.goto(f"/infusions/q/{tokens.questions_token(visit)}/")
        for number, answer in enumerate([*ANSWERS[:8], SEVERAL], start=1):
            item(page, number).get_by_label(answer, exact=True).check()
        page.get_by_role("button", name="Send my answers").click()
        crisis = page.get_by_test_id("crisis-box")
        expect(crisis).to_contain_text("988 Suicide & Crisis Lifeline: call or text 988. In an emergency call 911.")
        expect(page.get_by_test_id("received")).to_have_text("Thank you, your answers were received.")
        assert not scrolls_sideways(page)
        assert SafetyAlert.objects.filter(patient=visit.patient, resolved_at__isnull=True).count() == 1
    assert violations == []
