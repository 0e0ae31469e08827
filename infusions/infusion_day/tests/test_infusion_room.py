"""The infusion room: every chair of the current location, its visits' stage and timer; readings for nurses only."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.roles import NURSE
from clinic.tests.factories import ChairFactory, LocationFactory, UserFactory, front_desk, open_every_day
from infusions.booking.services import series_book
from infusions.infusion_day import services as visit_record
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
ROOM = reverse("infusions:room")
BOARD = reverse("infusions:room_board")


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:  # booking day
        yield traveller


def book(chair, hour=9, minute=0, **patient):
    """One series whose first visit is on MONDAY at hour:minute (local) in `chair`; returns that visit."""
    visits = [(start.replace(minute=minute), c) for start, c in series_visits(MONDAY, chair, hour=hour)]
    series = series_book(patient=bookable_patient(**patient), visits=visits, by=front_desk(locations=[chair.location]))
    return series.appointments.get(sequence=1)


def start(visit, nurse, prescriber):
    """Check in, order and start (at the frozen now, which must be on the visit's day)."""
    record = visit_record.record_check_in(appointment=visit, values=clean_check_in(), by=nurse)
    visit_record.record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
    return visit_record.record_start(record=record, by=nurse)


def reading(record, nurse, **values):
    values = {"systolic": 120, "diastolic": 80, "heart_rate": 70, "spo2": 98, **values}
    return visit_record.record_add_reading(record=record, values=visit_record.ReadingValues(**values), by=nurse)


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def count(html: str, testid: str) -> int:
    return html.count(f'data-testid="{testid}"')


def test_the_room_lists_the_current_locations_chairs_only(client, traveller, nurse):
    main_chairs = clinic(chairs=3)
    book(main_chairs[0], last_name="Lovelace", first_name="Ada")
    uptown = LocationFactory(name="Uptown")
    open_every_day(location=uptown)
    far = ChairFactory(location=uptown, name="Far chair")
    book(far, last_name="Babbage", first_name="Charles")
    traveller.move_to(at(MONDAY, 8, 30))

    client.force_login(nurse)
    html = html_of(client.get(ROOM, {"date": "2026-12-07"}))
    assert count(html, "chair-card") == 3
    assert all(chair.name in html for chair in main_chairs)
    assert "Far chair" not in html and "Babbage" not in html
    assert "Lovelace, Ada" in html and "09:00" in html
    assert re.search(r'data-testid="stage">Booked<', html)
    assert "Main location" in html and "times in Pacific time (PST)" in html


def test_visits_are_in_time_order_in_their_chair(client, traveller, nurse):
    chair, _ = clinic(chairs=2)
    book(chair, hour=12, minute=30, last_name="Later")
    book(chair, hour=8, last_name="Earlier")
    traveller.move_to(at(MONDAY, 7, 30))
    client.force_login(nurse)
    html = html_of(client.get(BOARD))
    assert html.index("Earlier") < html.index("Later")


def test_an_overdue_reading_shows_to_a_nurse_only_after_it_is_due(client, traveller, nurse, prescriber):
    chair, _ = clinic()
    visit = book(chair, last_name="Lovelace", first_name="Ada")
    traveller.move_to(at(MONDAY, 9, 0))
    start(visit, nurse, prescriber)  # the first reading is due 10 minutes after the start: 09:10
    client.force_login(nurse)

    traveller.move_to(at(MONDAY, 9, 5))
    html = html_of(client.get(BOARD))
    assert count(html, "overdue") == 0 and "Reading overdue" not in html
    assert re.search(r'data-testid="stage">In chair<', html)
    assert "In chair 5 min" in html

    traveller.move_to(at(MONDAY, 9, 10))  # due, not yet overdue (strictly after)
    assert count(html_of(client.get(BOARD)), "overdue") == 0

    traveller.move_to(at(MONDAY, 9, 11))
    html = html_of(client.get(BOARD))
    assert count(html, "overdue") == 1
    assert "Reading overdue since 09:10" in html
    assert "room-visit-overdue" in html
    assert reverse("infusions:record", args=[visit.pk]) in html


def test_a_reading_taken_moves_the_due_time(client, traveller, nurse, prescriber):
    chair, _ = clinic()
    visit = book(chair)
    traveller.move_to(at(MONDAY, 9, 0))
    record = start(visit, nurse, prescriber)
    traveller.move_to(at(MONDAY, 9, 8))
    reading(record, nurse)
    client.force_login(nurse)
    traveller.move_to(at(MONDAY, 9, 15))  # past 09:10, but the next is due at 09:18
    assert count(html_of(client.get(BOARD)), "overdue") == 0
    traveller.move_to(at(MONDAY, 9, 19))
    assert "Reading overdue since 09:18" in html_of(client.get(BOARD))


def test_the_latest_reading_out_of_range_is_marked_for_a_clinician(client, traveller, nurse, prescriber):
    chair, _ = clinic()
    visit = book(chair)
    traveller.move_to(at(MONDAY, 9, 0))
    record = start(visit, nurse, prescriber)
    traveller.move_to(at(MONDAY, 9, 5))
    reading(record, nurse, systolic=190, action_note="Rechecked, prescriber told.")
    client.force_login(prescriber)
    html = html_of(client.get(BOARD))
    assert count(html, "out-of-range") == 1 and "Out of range" in html

    traveller.move_to(at(MONDAY, 9, 9))
    reading(record, nurse)  # back in range: the latest reading counts
    assert count(html_of(client.get(BOARD)), "out-of-range") == 0


def test_front_desk_sees_where_patients_are_but_no_readings(client, traveller, nurse, prescriber):
    chair, _ = clinic()
    visit = book(chair, last_name="Lovelace", first_name="Ada")
    waiting = book(chair, hour=12, minute=30, last_name="Hopper", first_name="Grace")
    traveller.move_to(at(MONDAY, 9, 0))
    record = start(visit, nurse, prescriber)
    visit_record.record_check_in(appointment=waiting, values=clean_check_in(), by=nurse)
    traveller.move_to(at(MONDAY, 9, 5))
    reading(record, nurse, systolic=190, action_note="Rechecked, prescriber told.")
    traveller.move_to(at(MONDAY, 9, 30))  # the next reading is overdue since 09:15

    client.force_login(nurse)
    nurse_html = html_of(client.get(BOARD))
    assert count(nurse_html, "overdue") == 1 and count(nurse_html, "out-of-range") == 1

    client.force_login(front_desk())
    for html in (html_of(client.get(ROOM)), html_of(client.get(BOARD))):
        assert "Lovelace, Ada" in html and "Hopper, Grace" in html
        assert re.search(r'data-testid="stage">In chair<', html) and "In chair 30 min" in html
        assert re.search(r'data-testid="stage">Waiting<', html)
        assert count(html, "overdue") == 0 and "overdue" not in html.lower()
        assert count(html, "out-of-range") == 0 and "Out of range" not in html
        assert "/record/" not in html and count(html, "record-link") == 0


def test_the_board_takes_the_same_queries_for_2_or_12_started_visits(client, traveller, nurse, prescriber):
    chairs = clinic(chairs=4)
    # Each chair 15 minutes after the one before: one infusion starts per quarter hour (staggered starts).
    starts = [(n, 8 * 60 + 90 * k + 15 * n) for n in range(4) for k in range(3)]  # 08:00, 09:30, 11:00 in chair 1
    visits = [book(chairs[n], hour=t // 60, minute=t % 60) for n, t in starts]
    traveller.move_to(at(MONDAY, 7, 0))
    for n, visit in enumerate(visits):
        record = start(visit, nurse, prescriber)
        reading(record, nurse, **({"systolic": 190, "action_note": "Told."} if n % 2 else {}))
        reading(record, nurse)
    client.force_login(nurse)
    client.get(BOARD)  # warm-up: the session's renewal, the user's locations

    def queries_for_board():
        with CaptureQueriesContext(connection) as queries:
            html = html_of(client.get(BOARD))
        return len(queries), count(html, "room-visit")

    many, shown = queries_for_board()
    assert shown == 12
    # Down to 2 visits: the others are cancelled (the room leaves cancelled visits out).
    for visit in visits[2:]:
        visit.status = visit.Status.CANCELLED
        visit.save(update_fields=["status"])
    few, shown = queries_for_board()
    assert shown == 2
    assert many == few


def test_a_user_working_at_no_location_is_refused(client, traveller):
    clinic()
    client.force_login(UserFactory(role=NURSE, locations=[]))
    assert client.get(ROOM).status_code == 403
    assert client.get(BOARD).status_code == 403


def test_a_user_without_the_stage_permission_is_refused(client, traveller):
    from clinic.roles import COORDINATOR

    clinic()
    client.force_login(UserFactory(role=COORDINATOR))
    assert client.get(ROOM).status_code == 403


def test_the_board_url_returns_the_board_alone_and_the_page_polls_it(client, traveller, nurse):
    chair, _ = clinic()
    book(chair, last_name="Lovelace", first_name="Ada")
    traveller.move_to(at(MONDAY, 8, 0))
    client.force_login(nurse)

    board = html_of(client.get(BOARD, {"date": "2026-12-07"}, headers={"HX-Request": "true"}))
    assert board.strip().startswith('<div id="room-board"') and board.strip().endswith("</div>")
    assert "Lovelace, Ada" in board
    assert "<html" not in board and "<nav" not in board and "Infusion room</h1>" not in board
    # The fragment carries its own polling, so it keeps refreshing after it replaces itself (outerHTML).
    assert f'hx-get="{BOARD}?date=2026-12-07"' in board
    assert 'hx-trigger="every 30s"' in board and 'hx-swap="outerHTML"' in board

    page = client.get(ROOM, {"date": "2026-12-07"})
    html = html_of(page)
    assert "<h1" in html and "Infusion room" in html and html.count('<div id="room-board"') == 1
    assert '"includeIndicatorStyles": false' in html and '"allowEval": false' in html
    assert "django_htmx/htmx-2.min.js" in html
    # No inline script or style on the page: every <script> has a src, no style attribute or element.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert "<style" not in html and " style=" not in html
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_room_shows_the_day_asked_for(client, traveller, nurse):
    chair, _ = clinic()
    visit = book(chair, last_name="Lovelace", first_name="Ada")
    traveller.move_to(at(MONDAY, 8, 0))
    client.force_login(nurse)
    assert "Lovelace" in html_of(client.get(ROOM))  # today
    later = visit.series.appointments.get(sequence=2).start.astimezone(at(MONDAY, 8).tzinfo).date()
    html = html_of(client.get(ROOM, {"date": f"{later:%Y-%m-%d}"}))
    assert "Lovelace" in html and f"?date={later:%Y-%m-%d}" in html
    assert "Lovelace" not in html_of(client.get(ROOM, {"date": f"{MONDAY + timedelta(days=1):%Y-%m-%d}"}))
