"""The front desk's floor in Chromium: book from an empty cell, move a visit by picking a cell, a busy day on
a tablet, the worklists' counts in the navigation."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from clinic.tests.factories import UserFactory, main_location
from infusions.booking import services
from infusions.models import Appointment, InfusionSeries
from infusions.tests.browser import sticking_out
from infusions.tests.helpers import LA, at, bookable_patient, clinic, depression, series_visits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 08:00 in Los Angeles


def _csp_violations(page):
    found = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    return found


def test_front_desk_books_a_series_from_an_empty_cell(page, sign_in, front_desk):
    with time_machine.travel(NOW, tick=True):
        chairs = clinic(chairs=3)
        bookable_patient(first_name="Ada", last_name="Lovelace")
        sign_in(front_desk)
        violations = _csp_violations(page)
        page.get_by_role("link", name="Grid").first.click()
        page.get_by_label("Day", exact=True).fill(DAY.isoformat())
        page.get_by_role("button", name="Show").click()
        page.get_by_role("link", name="Book Chair 3 10:30").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Book in Chair 3")
        page.get_by_label("Name or date of birth").fill("Lovelace")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name="Plan series").click()
        expect(page.get_by_test_id("plan-visit")).to_have_count(6)
        first = page.get_by_test_id("plan-visit").first
        expect(first).to_contain_text("10:30")
        expect(first).to_contain_text("Chair 3")
        expect(page.get_by_test_id("plan-problems")).to_have_count(0)
        page.get_by_role("button", name="Confirm and book 6 visits").click()
        expect(page.get_by_text("Booked 6 visits.")).to_be_visible()
        assert violations == [], violations
    visit = Appointment.objects.get(sequence=1)
    assert (visit.start, visit.chair_id) == (at(DAY, 10, 30), chairs[2].pk)


def test_front_desk_moves_a_visit_by_picking_a_cell(page, sign_in, front_desk):
    with time_machine.travel(NOW, tick=True):
        chair, other = clinic(chairs=2)
        series = services.series_book(
            patient=bookable_patient(last_name="Babbage"), visits=series_visits(DAY, chair), by=front_desk
        )
        second = series.appointments.get(sequence=2)
        day = second.start.astimezone(LA).date()
        sign_in(front_desk)
        page.goto(f"/infusions/grid/?date={day:%Y-%m-%d}")
        block = page.locator(f'[data-visit="{second.pk}"]')
        expect(block.get_by_test_id("state")).to_have_text("booked")
        expect(block).to_contain_text("visit 2 of 6")
        block.get_by_test_id("move").click()
        expect(page.get_by_test_id("moving")).to_contain_text("Babbage")
        page.get_by_role("button", name="Move to Chair 2 14:00").click()
        expect(page.get_by_text("Visit moved.")).to_be_visible()
    second.refresh_from_db()
    assert (second.start, second.chair_id) == (at(day, 14), other.pk)


def _busy_day(chairs, count=30):
    """`count` visits over the chairs in every state, made directly: this test is about showing them."""
    protocol, user = depression(), UserFactory()
    states = [
        {},
        {"confirmed_at": NOW},
        {"status": "arrived"},
        {"status": "completed"},
        {"status": "no_show"},
        {"status": "cancelled"},
    ]
    rows = []
    for n in range(count):
        chair = chairs[n % len(chairs)]
        slot = n // len(chairs)
        patient = bookable_patient(first_name=f"Pat{n}", last_name=f"Busyday{n}")
        series = InfusionSeries.objects.create(
            location=main_location(), patient=patient, protocol=protocol, created_by=user
        )
        start = at(DAY, 8) + timedelta(minutes=120 * slot + 15 * (n % 3))
        rows.append(
            Appointment(
                series=series,
                patient=patient,
                chair=chair,
                sequence=1 + n % 6,
                start=start,
                end=start + timedelta(minutes=90),
                **states[n % len(states)],
            )
        )
    Appointment.objects.bulk_create(rows)


def test_a_busy_day_on_a_tablet_scrolls_inside_the_grid_not_the_page(page, sign_in, front_desk):
    with time_machine.travel(NOW, tick=True):
        chairs = clinic(chairs=8)
        _busy_day(chairs)
        sign_in(front_desk)
        violations = _csp_violations(page)
        page.set_viewport_size({"width": 768, "height": 1024})
        page.goto(f"/infusions/grid/?date={DAY:%Y-%m-%d}")
        expect(page.get_by_test_id("grid-visit")).to_have_count(30)
        expect(page.get_by_test_id("grid-chair")).to_have_count(8)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{overflow}px of horizontal page scroll at 768px"
        inner = page.get_by_test_id("grid-scroll").evaluate("e => e.scrollWidth - e.clientWidth")
        assert inner > 0, "8 chairs scroll inside the grid's own container"
        # A 90-minute visit is six quarter hours tall.
        block = page.get_by_test_id("grid-visit").first.bounding_box()
        row = page.get_by_test_id("grid-cell").first.bounding_box()
        assert 5.5 * row["height"] < block["height"] + 4 < 6.5 * row["height"] + 8
        page.screenshot(path="/tmp/busy_day_tablet.png", full_page=True)
        page.set_viewport_size({"width": 1440, "height": 1900})  # a desk screen, tall enough for the whole day
        page.goto(f"/infusions/grid/?date={DAY:%Y-%m-%d}")
        expect(page.get_by_test_id("grid-visit")).to_have_count(30)
        page.screenshot(path="/tmp/busy_day.png", full_page=True)
        for word in ("booked", "confirmed", "waiting", "completed", "no-show", "cancelled"):
            expect(
                page.get_by_test_id("grid").get_by_test_id("state").filter(has_text=re.compile(f"^{word}$")).first
            ).to_be_visible()
        assert violations == [], violations


def test_the_worklist_counts_are_in_the_navigation(page, sign_in, front_desk):
    with time_machine.travel(NOW, tick=True):
        clinic(chairs=1)
        bookable_patient(last_name="Waiting")
        sign_in(front_desk)
        page.goto("/infusions/")
        expect(page.get_by_test_id("worklist-total")).to_have_text("1")
        page.get_by_test_id("nav-worklists").get_by_role("button", name=re.compile("Worklists")).click()
        page.get_by_role("link", name=re.compile("Approved, not booked")).first.click()
        expect(page.get_by_test_id("list-approved")).to_contain_text("Waiting")


def test_front_desk_works_tomorrows_call_list(page, sign_in, front_desk):
    """The "not confirmed tomorrow" list: the phone to call, then "Mark confirmed (phoned)" takes the visit off
    the list and the navigation's count goes down."""
    tomorrow = date(2026, 12, 2)
    with time_machine.travel(NOW, tick=True):
        chair, other = clinic(chairs=2)
        protocol, user = depression(), UserFactory()
        for last_name, phone, chair_, hour in (
            ("Callme", "+12065550143", chair, 9),
            ("Ringer", "+12065550199", other, 11),
        ):
            patient = bookable_patient(first_name="Sam", last_name=last_name, phone=phone)
            series = InfusionSeries.objects.create(
                location=main_location(), patient=patient, protocol=protocol, created_by=user
            )
            Appointment.objects.create(
                series=series,
                patient=patient,
                chair=chair_,
                sequence=1,
                start=at(tomorrow, hour),
                end=at(tomorrow, hour) + timedelta(minutes=90),
            )
        sign_in(front_desk)
        violations = _csp_violations(page)
        page.goto("/infusions/")
        expect(page.get_by_test_id("worklist-total")).to_have_text("2")
        page.get_by_test_id("nav-worklists").get_by_role("button", name=re.compile("Worklists")).click()
        page.get_by_role("link", name=re.compile("Tomorrow, not confirmed")).first.click()
        calls = page.get_by_test_id("list-tomorrow")
        expect(calls.get_by_test_id("row")).to_have_count(2)
        callme = calls.get_by_test_id("row").filter(has_text="Callme")
        expect(callme.get_by_test_id("phone")).to_have_attribute("href", "tel:+12065550143")
        callme.get_by_role("button", name=re.compile("Mark confirmed")).click()
        expect(page.get_by_text("Callme, Sam: visit confirmed.")).to_be_visible()
        expect(calls.get_by_test_id("row")).to_have_count(1)
        expect(calls.get_by_test_id("row")).to_contain_text("Ringer")
        expect(page.get_by_test_id("worklist-total")).to_have_text("1")
        page.set_viewport_size({"width": 390, "height": 844})
        assert not sticking_out(page), f"the worklists scroll sideways at 390 px: {sticking_out(page)}"
        calls.get_by_role("button", name=re.compile("Mark confirmed")).click()
        expect(calls).to_contain_text("Everyone has confirmed.")
        assert violations == [], violations
    assert Appointment.objects.filter(confirmed_at__isnull=True).count() == 0


@pytest.mark.parametrize("width", [390, 768])
def test_the_grid_fits_a_phone_and_a_tablet_without_sideways_page_scroll(page, sign_in, front_desk, width):
    with time_machine.travel(NOW, tick=True):
        chairs = clinic(chairs=8)
        _busy_day(chairs)
        sign_in(front_desk)
        page.set_viewport_size({"width": width, "height": 844 if width == 390 else 1024})
        for path in (f"/infusions/grid/?date={DAY:%Y-%m-%d}", f"/infusions/grid/week/?date={DAY:%Y-%m-%d}"):
            page.goto(path)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path}: {overflow}px of horizontal page scroll at {width}px"
        page.goto(f"/infusions/grid/?date={DAY:%Y-%m-%d}")
        # The chairs' header and a visit's name are readable: not squeezed below a usable width.
        block = page.get_by_test_id("grid-visit").first.bounding_box()
        assert block["width"] >= 80, f"a visit block is {block['width']}px wide at {width}px"
        page.screenshot(path=f"/tmp/busy_day_{width}.png", full_page=False)
