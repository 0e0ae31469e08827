"""Pages, reminders and notices write a visit's time one way ("Tue 1 Dec 2026", "14:30") and name the visit's
location's zone for that date: Pacific time at the main location (Los Angeles), Mountain time in Denver,
PDT/MDT in summer and PST/MST in winter."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from clinic.tests.factories import ChairFactory, LocationFactory, clinic_settings, front_desk, main_location
from infusions.models import Appointment, PatientNotice
from infusions.reminders import notices, rendering
from infusions.tests.helpers import LA
from infusions.tests.reminder_helpers import visit

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 6, 1, 16, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def denver():
    return LocationFactory(name="Denver", time_zone="America/Denver", address="1600 Larimer Street, Denver")


# --- Reminders and notices ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "start", "shown"),
    [
        ("main", datetime(2026, 12, 1, 14, 30, tzinfo=LA), "Tue 1 Dec 2026 at 14:30 PST"),
        ("main", datetime(2026, 7, 7, 14, 30, tzinfo=LA), "Tue 7 Jul 2026 at 14:30 PDT"),
        ("denver", datetime(2026, 12, 1, 8, 0, tzinfo=DENVER), "Tue 1 Dec 2026 at 08:00 MST"),
        ("denver", datetime(2026, 7, 7, 8, 0, tzinfo=DENVER), "Tue 7 Jul 2026 at 08:00 MDT"),
    ],
)
def test_a_reminder_writes_the_visits_local_time_and_names_its_zone(request, where, start, shown):
    location = main_location() if where == "main" else request.getfixturevalue("denver")
    appointment = visit(start, location=location, first_name="Maya", last_name="Okonkwo", sync=False)
    text = rendering.render(appointment, clinic_settings(name="Harbour Clinic"), offset_hours=72)
    assert text.subject == f"Reminder: your visit on {shown} – Harbour Clinic"
    assert text.sms.startswith(f"Maya, reminder: your visit at Harbour Clinic is on {shown}. ")
    assert f"This is a reminder of your visit at Harbour Clinic on {shown}.\n" in text.body
    assert "Okonkwo" not in text.subject + text.body + text.sms  # first name, time and place only


def test_a_move_notice_names_the_zone_of_each_time_across_the_change_of_the_clocks(denver):
    # Moved from Friday 30 October (still MDT) to Monday 2 November (MST): each time with its own abbreviation.
    appointment = visit(datetime(2026, 11, 2, 9, 0, tzinfo=DENVER), location=denver, first_name="Maya", sync=False)
    notice = PatientNotice(
        appointment=appointment,
        kind=PatientNotice.Kind.MOVED,
        channel="sms",
        previous_start=datetime(2026, 10, 30, 9, 0, tzinfo=DENVER),
        visit_start=appointment.start,
    )
    text = notices.texts(notice, clinic_settings(name="Harbour Clinic"))
    assert "your visit on Fri 30 Oct 2026 at 09:00 MDT was moved to Mon 2 Nov 2026 at 09:00 MST" in text.sms


# --- Pages -------------------------------------------------------------------------------------


def _page(client, user, name, *args, **query) -> str:
    client.force_login(user)
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_day_view_names_the_locations_zone_for_that_day(client, denver):
    visit(datetime(2026, 7, 7, 9, 0, tzinfo=DENVER), location=denver, sync=False)
    text = _page(client, front_desk(locations=[denver]), "infusions:day", date="2026-07-07")
    assert '<h1 class="h3">Day: Tue 7 Jul 2026</h1>' in text
    assert "Denver · times in Mountain time (MDT)" in text
    assert "<strong>09:00–10:30</strong>" in text
    winter = _page(client, front_desk(locations=[denver]), "infusions:day", date="2026-12-01")
    assert "times in Mountain time (MST)" in winter


def test_the_day_view_at_the_main_location_is_in_pacific_time(client):
    visit(datetime(2026, 12, 1, 14, 30, tzinfo=LA), sync=False)
    text = _page(client, front_desk(), "infusions:day", date="2026-12-01")
    assert "times in Pacific time (PST)" in text
    assert "<strong>14:30–16:00</strong>" in text


def test_a_week_across_the_change_of_the_clocks_names_both_abbreviations(client):
    text = _page(client, front_desk(), "infusions:week", date="2026-10-28")
    assert "Week of Mon 26 Oct 2026" in text
    assert "times in Pacific time (PDT/PST)" in text
    assert ">Sun 1 Nov</a>" in text


def test_the_series_page_writes_each_visits_time_with_its_abbreviation(client, denver):
    first = visit(datetime(2026, 10, 30, 9, 0, tzinfo=DENVER), location=denver, sync=False)
    text = _page(client, front_desk(locations=[denver]), "infusions:series", first.series_id)
    assert "Booked at Denver · times in Mountain time" in text
    assert "<td>Fri 30 Oct 2026</td>" in text
    assert "09:00–10:30 MDT" in text


def test_a_visit_at_another_location_is_written_on_its_own_clock_and_names_its_zone(client, denver):
    first = visit(datetime(2026, 12, 7, 9, 0, tzinfo=LA), sync=False)
    Appointment.objects.create(
        series=first.series,
        patient=first.patient,
        chair=ChairFactory(location=denver),
        sequence=2,
        start=datetime(2026, 12, 10, 9, 0, tzinfo=DENVER),
        end=datetime(2026, 12, 10, 10, 30, tzinfo=DENVER),
    )
    text = _page(client, front_desk(locations=[main_location(), denver]), "infusions:series", first.series_id)
    assert "times in Pacific time" in text
    assert "09:00–10:30 PST" in text  # visit 1, Seattle's clock
    assert "09:00–10:30 Mountain time (MST)" in text  # visit 2, Denver's
