"""In Chromium, two clinic locations in one installation: Seattle and Denver.

Staff see and book only the chairs of the location they work at, every time is on that location's
wall clock, reminders and calendar files name the visit's own address and zone, the navigation's
switcher moves a user between their locations, and a location they do not work at is refused.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar
from playwright.sync_api import expect

from clinic.models import Location
from clinic.tests.factories import ChairFactory, LocationFactory, clinician, front_desk, main_location, open_every_day
from infusions.booking import services
from infusions.models import InfusionSeries, Reminder
from infusions.reminders import sms
from infusions.tests.helpers import LA, bookable_patient, depression
from infusions.tests.reminder_helpers import dispatch_due

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DENVER = ZoneInfo("America/Denver")
DENVER_ADDRESS = "300 Sample St, Denver, CO 80202"
SEATTLE_ADDRESS = "1 Harbor Ave, Seattle, WA 98101"
# Monday 11 January 2027, 09:00 in Denver and 08:00 in Seattle: the zones are an hour apart all day.
NOW = datetime(2027, 1, 11, 16, 0, tzinfo=UTC)


@dataclass
class Sites:
    seattle: Location
    denver: Location
    patient: object


@pytest.fixture(autouse=True)
def _sms_in_memory(settings):
    settings.SMS_BACKEND = "infusions.reminders.sms.LocmemBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def sites(traveller):
    """Seattle (the main location, the server's zone) and Denver, each with two chairs, open 08:00-17:30
    local; Seattle's chairs come first in every list, so a plan that leaks across locations takes them."""
    seattle = main_location()
    Location.objects.filter(pk=seattle.pk).update(name="Seattle", address=SEATTLE_ADDRESS, position=0)
    seattle.refresh_from_db()
    denver = LocationFactory(name="Denver", time_zone="America/Denver", address=DENVER_ADDRESS, position=1)
    open_every_day(time(8, 0), time(17, 30), location=seattle)
    open_every_day(time(8, 0), time(17, 30), location=denver)
    for position, (location, name) in enumerate(
        [(seattle, "Seattle 1"), (seattle, "Seattle 2"), (denver, "Denver A"), (denver, "Denver B")], start=1
    ):
        ChairFactory(location=location, name=name, position=position)
    depression()
    patient = bookable_patient(first_name="Ada", last_name="Lovelace")
    return Sites(seattle=seattle, denver=denver, patient=patient)


@pytest.fixture
def denver_series(sites):
    """Ada's series in Denver: six visits at 09:00 Denver time from Tuesday 12 January, in Denver A."""
    chair = sites.denver.chairs.get(name="Denver A")
    first = datetime(2027, 1, 12, 9, 0, tzinfo=DENVER)
    visits = [(first + timedelta(days=3 * n), chair.pk) for n in range(6)]
    by = front_desk(username="booker", locations=[sites.denver])
    return services.series_book(patient=sites.patient, visits=visits, by=by, location=sites.denver)


def day_url(appointment) -> str:
    return f"/infusions/day/?date={appointment.start.astimezone(DENVER):%Y-%m-%d}"


def chair_columns(page) -> list[str]:
    return page.get_by_test_id("day-view").locator("section h2").all_inner_texts()


def clock(instant: datetime, zone) -> str:
    """The reminder's way of writing a time, e.g. 09:00 MST."""
    return instant.astimezone(zone).strftime("%H:%M %Z")


def ics_event(raw: str, appointment):
    events = {str(e["uid"]): e for e in Calendar.from_ical(raw).walk("VEVENT")}
    return events[f"appointment-{appointment.pk}@infusion-clinic"]


def assert_denver_event(raw: str, appointment):
    local = appointment.start.astimezone(DENVER)
    assert f"DTSTART;TZID=America/Denver:{local:%Y%m%dT%H%M%S}" in raw
    event = ics_event(raw, appointment)
    assert event.decoded("dtstart") == appointment.start
    assert str(event["location"]) == DENVER_ADDRESS


# --- 1. Booking at Denver ----------------------------------------------------------------------


def test_denver_front_desk_books_at_denver_with_denver_chairs_address_and_time(page, sign_in, sites):
    desk = front_desk(username="denverdesk", locations=[sites.denver])
    sign_in(desk)
    expect(page.get_by_test_id("current-location")).to_have_text("Denver")
    expect(page.get_by_test_id("location-switcher")).to_have_count(0)

    page.get_by_role("link", name="Book a series").first.click()
    page.get_by_label("Name or date of birth").fill("Lovelace")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("patient-results")).to_contain_text("Bookable")
    page.get_by_role("link", name="Plan series").click()
    expect(page.get_by_test_id("plan-visit")).to_have_count(6)
    expect(page.get_by_test_id("location-line")).to_contain_text("At Denver")
    expect(page.get_by_test_id("location-line")).to_contain_text(DENVER_ADDRESS)
    expect(page.get_by_test_id("location-line")).to_contain_text("times in Mountain time")
    plan_chairs = page.get_by_test_id("plan-visit").locator("td:nth-child(4)").all_inner_texts()
    assert set(plan_chairs) <= {"Denver A", "Denver B"}, plan_chairs
    expect(page.get_by_test_id("plan")).not_to_contain_text("Seattle")

    page.get_by_role("button", name="Confirm and book 6 visits").click()
    expect(page.get_by_text("Booked 6 visits.")).to_be_visible()
    expect(page.get_by_test_id("series-visit")).to_have_count(6)
    expect(page.get_by_test_id("location-line")).to_contain_text("Booked at Denver · times in Mountain time")
    expect(page.get_by_test_id("series-visits")).not_to_contain_text("Seattle")

    series = InfusionSeries.objects.select_related("location").get()
    assert series.location == sites.denver
    visits = list(series.appointments.select_related("chair__location").order_by("start"))
    assert len(visits) == 6
    assert {a.chair.location_id for a in visits} == {sites.denver.pk}
    assert {a.chair.name for a in visits} <= {"Denver A", "Denver B"}

    # The series page writes each visit on Denver's clock, with its Denver chair.
    rows = page.get_by_test_id("series-visit")
    for n, appointment in enumerate(visits):
        local_start = appointment.start.astimezone(DENVER)
        expect(rows.nth(n).locator("td").nth(1)).to_have_text(f"{local_start:%a} {local_start.day} {local_start:%b %Y}")
        expect(rows.nth(n).locator("td").nth(2)).to_contain_text(f"{local_start:%H:%M}–")
        expect(rows.nth(n).locator("td").nth(3)).to_have_text(appointment.chair.name)

    # The day of the first visit: Denver's chairs only, and Ada's visit at its Denver time.
    first = visits[0]
    page.goto(day_url(first))
    expect(page.get_by_test_id("location-line")).to_have_text("Denver · times in Mountain time (MST)")
    assert chair_columns(page) == ["Denver A", "Denver B"]
    expect(page.get_by_test_id("day-view")).to_contain_text("Ada Lovelace")
    expect(page.get_by_test_id("day-visit").first).to_contain_text(f"{first.start.astimezone(DENVER):%H:%M}–")

    # The patient's calendar file, from the series page's link: Denver's address, Denver's zone.
    page.goto(f"/infusions/series/{series.pk}/")
    href = page.get_by_role("link", name="Calendar of booked visits (.ics)").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    raw = response.text()
    for appointment in visits:
        assert_denver_event(raw, appointment)
    assert SEATTLE_ADDRESS not in raw

    # The reminders due a day before the second visit (the first is today, too soon for one): Denver's
    # address and Denver's wall clock, never the server's (Seattle's).
    second = visits[1]
    with time_machine.travel(second.start - timedelta(hours=24) + timedelta(minutes=1), tick=False):
        outcome = dispatch_due()
    assert outcome.sent >= 2, outcome  # at least visit 2's e-mail and SMS
    assert mail.outbox, "no reminder e-mail was sent"
    by_id = {str(r.pk): r.appointment for r in Reminder.objects.select_related("appointment")}
    reminded = set()
    for message in mail.outbox:
        appointment = by_id[message.extra_headers["X-Clinic-Reminder"]]
        reminded.add(appointment.pk)
        assert DENVER_ADDRESS in message.body
        assert SEATTLE_ADDRESS not in message.body
        assert clock(appointment.start, DENVER) in message.body, (clock(appointment.start, DENVER), message.body)
        assert clock(appointment.start, LA) not in message.body  # the server's (Seattle's) clock
        (name, content, _) = message.attachments[0]
        assert name == "visit.ics"
        assert_denver_event(content if isinstance(content, str) else content.decode(), appointment)
    assert second.pk in reminded


# --- 2. The switcher ---------------------------------------------------------------------------


def test_a_clinician_at_both_locations_switches_between_their_schedules(page, sign_in, sites, denver_series):
    doc = clinician(username="bothdoc", locations=[sites.seattle, sites.denver])
    first = denver_series.appointments.order_by("start").first()
    sign_in(doc)
    switcher = page.get_by_test_id("location-switcher")
    expect(switcher).to_be_visible()
    expect(switcher.get_by_label("Location").locator("option")).to_have_text(["Seattle", "Denver"])

    switcher.get_by_label("Location").select_option(label="Denver")
    switcher.get_by_role("button", name="Switch").click()
    expect(page.get_by_test_id("location-switcher").get_by_label("Location")).to_have_value(str(sites.denver.pk))
    page.goto(day_url(first))
    expect(page.get_by_test_id("location-line")).to_have_text("Denver · times in Mountain time (MST)")
    assert chair_columns(page) == ["Denver A", "Denver B"]
    expect(page.get_by_test_id("day-view")).to_contain_text("Ada Lovelace")
    expect(page.get_by_test_id("day-visit")).to_contain_text("09:00–10:30")  # 09:00 on Denver's clock

    # Back to Seattle: the switcher returns to the same day, now Seattle's chairs, free all day.
    page.get_by_test_id("location-switcher").get_by_label("Location").select_option(label="Seattle")
    page.get_by_test_id("location-switcher").get_by_role("button", name="Switch").click()
    expect(page.get_by_test_id("location-line")).to_have_text("Seattle · times in Pacific time (PST)")
    assert page.url.endswith(day_url(first))
    assert chair_columns(page) == ["Seattle 1", "Seattle 2"]
    expect(page.get_by_test_id("day-view")).not_to_contain_text("Denver")
    expect(page.get_by_test_id("day-view")).not_to_contain_text("Ada Lovelace")
    expect(page.get_by_test_id("day-visit")).to_have_count(0)

    # The Denver series opens for the clinician whichever location they are working at now.
    for location in ("Seattle", "Denver"):
        page.get_by_test_id("location-switcher").get_by_label("Location").select_option(label=location)
        page.get_by_test_id("location-switcher").get_by_role("button", name="Switch").click()
        response = page.goto(f"/infusions/series/{denver_series.pk}/")
        assert response.status == 200, location
        expect(page.get_by_test_id("location-line")).to_contain_text("Booked at Denver · times in Mountain time")
        expect(page.get_by_test_id("series-visit")).to_have_count(6)
        expect(page.get_by_test_id("series-visits")).to_contain_text("Denver A")


# --- 3. Refusals ----------------------------------------------------------------------------


def test_seattle_front_desk_is_refused_the_denver_series(page, sign_in, sites, denver_series):
    desk = front_desk(username="seattledesk", locations=[sites.seattle])
    sign_in(desk)
    response = page.goto(f"/infusions/series/{denver_series.pk}/")
    assert response.status == 403
    expect(page.get_by_test_id("series-visit")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Lovelace")
    # Nor does the day of its first visit show it at Seattle.
    page.goto(day_url(denver_series.appointments.order_by("start").first()))
    expect(page.get_by_test_id("day-view")).not_to_contain_text("Lovelace")


def test_a_user_with_a_role_but_no_location_is_told_to_ask_the_staff_admin(page, sign_in, sites):
    nowhere = front_desk(username="nowhere", locations=[])
    sign_in(nowhere)
    response = page.goto("/infusions/")
    assert response.status == 403
    expect(page.locator("main")).to_contain_text("ask the staff admin")


# --- 4. Narrow screens --------------------------------------------------------------------------


def test_the_series_and_day_pages_do_not_scroll_sideways_at_768_px(page, sign_in, sites, denver_series):
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(front_desk(username="denverdesk", locations=[sites.denver]))
    first = denver_series.appointments.order_by("start").first()
    for path in (f"/infusions/series/{denver_series.pk}/", day_url(first)):
        page.goto(path)
        expect(page.get_by_test_id("location-line")).to_be_visible()
        widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1] + 1, f"{path} scrolls sideways: {widths}"
