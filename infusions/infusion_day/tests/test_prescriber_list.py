"""The prescriber's list: today's patients at the current location waiting for a prescriber (an item-9
follow-up, a BP decision, a dose order), each linking to the visit's record; its count in the clinicians' menu
(one query, whatever the history); and the infusion room saying what each patient waits for, to clinicians and
nurses only."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.locations import location_switch
from clinic.roles import NURSE
from clinic.tests.factories import (
    ChairFactory,
    LocationFactory,
    UserFactory,
    clinician,
    coordinator,
    front_desk,
    main_location,
    open_every_day,
)
from infusions.booking.services import series_book
from infusions.infusion_day import services as visit_record
from infusions.infusion_day.selectors import prescriber_count
from infusions.outcomes import course
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, phq9_items, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
LIST = reverse("infusions:prescriber_list")
BOARD = reverse("infusions:room_board")


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:  # booking day
        yield traveller


def book(chair, clock, last_name, desk=None):
    """A series whose first visit is MONDAY at `clock` (hour, minute) in `chair`; that visit."""
    hour, minute = clock
    visits = [(start.replace(minute=minute), c) for start, c in series_visits(MONDAY, chair, hour=hour)]
    desk = desk or front_desk(locations=[chair.location])
    series = series_book(patient=bookable_patient(last_name=last_name, first_name="Pat"), visits=visits, by=desk)
    return series.appointments.get(sequence=1)


@pytest.fixture
def day(traveller, nurse, prescriber):
    """Monday 09:50 at the main location:

    Ames: checked in, BP 150/95 (waits for a BP decision); Byrd: answered item 9 = 2 by the link last evening,
    not checked in (waits for the item-9 follow-up); Cole: checked in, all clear (waits for the dose order);
    Dunn: checked in and ordered (waits for nobody); Eads: booked, not here yet (waits for nobody).
    """
    chairs = clinic(chairs=5)
    names = ("Ames", "Byrd", "Cole", "Dunn", "Eads")
    clocks = ((9, 0), (9, 15), (9, 30), (9, 45), (11, 0))
    visits = {name: book(chair, clock, name) for chair, clock, name in zip(chairs, clocks, names, strict=True)}
    traveller.move_to(at(MONDAY - timedelta(days=1), 16, 45))
    course.score_from_link(appointment=visits["Byrd"], answers={"phq9": [*phq9_items(12)[:8], 2]})
    traveller.move_to(at(MONDAY, 9, 50))
    records = {
        "Ames": visit_record.record_check_in(
            appointment=visits["Ames"], values=clean_check_in(systolic=150, diastolic=95), by=nurse
        ),
        "Cole": visit_record.record_check_in(appointment=visits["Cole"], values=clean_check_in(), by=nurse),
        "Dunn": visit_record.record_check_in(appointment=visits["Dunn"], values=clean_check_in(), by=nurse),
    }
    visit_record.record_order_dose(record=records["Dunn"], mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
    return visits, records


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def rows(html: str) -> dict[str, list[str]]:
    """Each row's patient and what it waits for."""
    found = {}
    for row in re.findall(r'<tr data-testid="waiting-row">(.*?)</tr>', html, flags=re.S):
        name = re.search(r"<td>(\w+), Pat</td>", row).group(1)
        found[name] = re.findall(r'data-testid="waits-(\w+)"', row)
    return found


def counts(html: str) -> dict[str, int]:
    return {code: int(n) for code, n in re.findall(r'data-testid="count-(\w+)">(\d+)<', html)}


def test_the_list_has_todays_waiting_patients_with_what_each_waits_for_and_links_to_their_records(
    client, day, prescriber
):
    visits, _ = day
    client.force_login(prescriber)
    html = html_of(client.get(LIST))
    assert rows(html) == {"Ames": ["bp_decision"], "Byrd": ["item9_follow_up"], "Cole": ["dose_order"]}
    assert counts(html) == {"item9_follow_up": 1, "bp_decision": 1, "dose_order": 1}
    assert "waiting for BP decision" in html and "waiting for item-9 follow-up" in html
    assert "waiting for dose order" in html
    for name in ("Ames", "Byrd", "Cole"):
        assert reverse("infusions:record", args=[visits[name].pk]) in html
    for name in ("Dunn", "Eads"):
        assert name not in html
    assert 'data-testid="prescriber-count">3<' in html  # the menu's count, on the list itself


def test_the_list_and_its_count_follow_the_prescribers_acts(client, day, prescriber):
    visits, records = day
    client.force_login(prescriber)
    visit_record.record_release_gate(record=records["Ames"], gate="BP_NEEDS_DECISION", note="Start.", by=prescriber)
    html = html_of(client.get(LIST))
    assert rows(html)["Ames"] == ["dose_order"]  # the decision made, the dose order is next

    for name in ("Ames", "Cole"):
        visit_record.record_order_dose(record=records[name], mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
    html = html_of(client.get(reverse("intake:queue")))  # the menu on another page
    assert 'data-testid="prescriber-count">1<' in html
    assert rows(html_of(client.get(LIST))) == {"Byrd": ["item9_follow_up"]}

    # Byrd arrives: checked in with item 9 = 0 today, the link's answer still waits for its follow-up.
    byrd = visit_record.record_check_in(appointment=visits["Byrd"], values=clean_check_in(), by=prescriber)
    assert rows(html_of(client.get(LIST))) == {"Byrd": ["item9_follow_up"]}
    visit_record.record_release_gate(record=byrd, gate="ITEM9_FOLLOW_UP", note="Spoke with him: safe.", by=prescriber)
    assert rows(html_of(client.get(LIST))) == {"Byrd": ["dose_order"]}
    visit_record.record_order_dose(record=byrd, mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
    html = html_of(client.get(LIST))
    assert rows(html) == {} and 'data-testid="nobody-waiting"' in html
    assert 'data-testid="prescriber-count"' not in html


@pytest.mark.parametrize("role", ["front desk", "coordinator", "nurse"])
def test_who_is_not_a_prescriber_gets_403_and_no_menu_entry(client, day, role):
    user = {"front desk": front_desk, "coordinator": coordinator, "nurse": lambda: UserFactory(role=NURSE)}[role]()
    client.force_login(user)
    response = client.get(LIST)
    assert response.status_code == 403
    assert "Ames" not in response.content.decode()
    home = client.get(reverse("infusions:room") if role != "coordinator" else reverse("intake:home"))
    assert 'data-testid="nav-prescriber"' not in home.content.decode()


def test_another_locations_patients_are_not_listed_nor_counted(client, day, prescriber, traveller):
    denver = LocationFactory(name="Denver", time_zone="America/Denver")
    open_every_day(location=denver)
    far_chair = ChairFactory(location=denver, name="Far chair")
    traveller.move_to(datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
    far = book(far_chair, (9, 0), "Fitz")
    traveller.move_to(at(MONDAY, 9, 55))  # 10:55 in Denver
    visit_record.record_check_in(
        appointment=far, values=clean_check_in(), by=UserFactory(role=NURSE, locations=[denver])
    )
    both = clinician(locations=[main_location(), denver])
    client.force_login(both)
    html = html_of(client.get(LIST))
    assert set(rows(html)) == {"Ames", "Byrd", "Cole"} and "Fitz" not in html
    assert 'data-testid="prescriber-count">3<' in html

    location_switch(user=both, location_id=denver.pk)
    html = html_of(client.get(LIST))
    assert rows(html) == {"Fitz": ["dose_order"]}
    assert 'data-testid="prescriber-count">1<' in html and "Denver" in html

    client.force_login(prescriber)  # works at the main location only
    assert "Fitz" not in html_of(client.get(LIST))


def test_the_count_is_one_query_whatever_the_clinics_history(day, traveller):
    location = main_location()
    with CaptureQueriesContext(connection) as queries:
        assert prescriber_count(location) == 3
    assert len(queries) == 1

    # Weeks of visits before and after today change neither the query count nor the answer.
    chair = ChairFactory(name="History chair", location=location)
    traveller.move_to(datetime(2026, 11, 1, 16, 0, tzinfo=UTC))
    for week in range(3):
        first = date(2026, 11, 9) + timedelta(days=7 * week)
        series_book(
            patient=bookable_patient(), visits=series_visits(first, chair, gap_days=2, hour=13), by=front_desk()
        )
    traveller.move_to(at(MONDAY, 9, 50))
    with CaptureQueriesContext(connection) as queries:
        assert prescriber_count(location) == 3
    assert len(queries) == 1


# --- The infusion room says what each patient waits for ---------------------------------------------------


def test_the_room_board_says_what_each_waits_for_to_nurses_and_clinicians_only(client, day, nurse, prescriber):
    for user in (nurse, prescriber):
        client.force_login(user)
        html = html_of(client.get(BOARD))
        assert html.count('data-testid="waits-for"') == 3
        assert re.search(r"Ames, Pat</strong>(?:(?!room-visit).)*waiting for BP decision", html, flags=re.S)
        assert re.search(r"Byrd, Pat</strong>(?:(?!room-visit).)*waiting for item-9 follow-up", html, flags=re.S)
        assert re.search(r"Cole, Pat</strong>(?:(?!room-visit).)*waiting for dose order", html, flags=re.S)
        assert re.search(r'data-testid="stage">Waiting<', html)  # the stage's word stays the same everywhere

    client.force_login(front_desk())
    for url in (BOARD, reverse("infusions:room")):
        html = html_of(client.get(url))
        assert "Ames, Pat" in html and re.search(r'data-testid="stage">Waiting<', html)
        assert "waiting for" not in html.lower() and 'data-testid="waits-for"' not in html
        assert "item-9" not in html and "BP decision" not in html and "dose order" not in html


def test_the_board_of_another_day_says_nothing_of_waiting(client, day, nurse):
    visits, _ = day
    client.force_login(nurse)
    later = visits["Ames"].series.appointments.get(sequence=2).start.date()
    html = html_of(client.get(BOARD, {"date": later.isoformat()}))
    assert "Ames, Pat" in html and 'data-testid="waits-for"' not in html
    assert html_of(client.get(BOARD)).count('data-testid="waits-for"') == 3  # today's does
