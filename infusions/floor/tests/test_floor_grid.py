"""The day grid (chairs by quarter hour), booking from an empty cell, moving by picking a cell, the week's load."""

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.roles import FRONT_DESK
from clinic.tests.factories import ChairFactory, ScreeningFactory, UserFactory, main_location
from infusions.booking import services
from infusions.models import Appointment, InfusionRecord, InfusionSeries, states
from infusions.tests.helpers import at, bookable_patient, clinic, depression, series_visits

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 7)  # a Monday, a week after "now"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):  # 08:00 in Los Angeles
        yield


def _fill(chairs, per_chair, day=DAY, *, status="scheduled"):
    """Visits made directly (not through the service): these tests are about reading them."""
    protocol, user = depression(), UserFactory()
    rows = []
    for chair in chairs:
        for n in range(per_chair):
            patient = bookable_patient(last_name=f"Pat{chair.pk}x{n}")
            series = InfusionSeries.objects.create(
                location=main_location(), patient=patient, protocol=protocol, created_by=user
            )
            start = at(day, 8) + timedelta(minutes=90 * n)
            rows.append(
                Appointment(
                    series=series,
                    patient=patient,
                    chair=chair,
                    sequence=3,
                    start=start,
                    end=start + timedelta(minutes=90),
                    status=status,
                )
            )
    return Appointment.objects.bulk_create(rows)


def _page(client, **params):
    response = client.get(reverse("infusions:grid"), {"date": DAY.isoformat(), **params})
    assert response.status_code == 200
    return response, response.content.decode()


def test_a_90_minute_visit_is_a_block_of_six_quarter_hours_with_name_sequence_and_state(client, front_desk):
    chairs = clinic(chairs=2)
    (visit,) = _fill(chairs[:1], 1)
    client.force_login(front_desk)
    response, html = _page(client)
    block = re.search(rf'<div class="floor-block[^"]*"[^>]*data-visit="{visit.pk}"', html).group(0)
    assert "span-6" in block and "row-start-2" in block and "gcol-2" in block and "state-booked" in block
    assert f"{visit.patient.last_name}, {visit.patient.first_name}" in html
    assert "visit 3 of 6" in html
    # 08:00-17:30: 38 quarter hours; chair 1 holds 6 of them, chair 2 none.
    assert len(response.context["grid"].rows) == 38
    assert html.count('data-testid="book-here"') == 38 + 32
    assert 'style="' not in html  # the content security policy: sizes are classes


def test_an_empty_cell_links_to_booking_in_that_chair_at_that_time(client, front_desk):
    chairs = clinic(chairs=1)
    client.force_login(front_desk)
    _, html = _page(client)
    stamp = int(at(DAY, 10, 15).timestamp())
    assert f'/infusions/grid/book/?chair={chairs[0].pk}&amp;start={stamp}"' in html


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({}, "booked"),
        ({"confirmed_at": datetime(2026, 12, 1, tzinfo=UTC)}, "confirmed"),
        ({"status": "arrived"}, "waiting"),
        ({"status": "completed"}, "completed"),
        ({"status": "no_show"}, "no-show"),
        ({"status": "cancelled"}, "cancelled"),
    ],
)
def test_each_state_is_a_word_and_a_colour(client, front_desk, change, word):
    chairs = clinic(chairs=1)
    (visit,) = _fill(chairs, 1)
    Appointment.objects.filter(pk=visit.pk).update(**change)
    client.force_login(front_desk)
    response, _ = _page(client)
    (block,) = response.context["grid"].blocks
    assert block.word == word
    assert f'data-testid="state">{word}<' in response.content.decode()


@pytest.mark.parametrize(
    ("stage", "word"),
    [
        ("checked_in", "waiting"),
        ("in_chair", "in chair"),
        ("observation", "observation"),
        ("ready", "ready for pickup"),
    ],
)
def test_an_arrived_visit_shows_its_stage_in_the_chair(stage, word):
    visit = Appointment(status="arrived")
    visit.record = InfusionRecord(stage=stage)
    assert states.state_word(visit) == word


def test_a_visit_whose_patient_lapsed_is_on_hold(client, front_desk):
    chairs = clinic(chairs=1)
    (visit,) = _fill(chairs, 1)
    ScreeningFactory(intake__patient=visit.patient, outcome="review")
    client.force_login(front_desk)
    response, html = _page(client)
    assert response.context["grid"].blocks[0].word == "on hold"
    assert 'data-testid="state">on hold<' in html


def test_a_cancelled_visit_is_drawn_aside_and_its_time_stays_bookable(client, front_desk):
    chairs = clinic(chairs=1)
    _fill(chairs, 1, status="cancelled")
    client.force_login(front_desk)
    response, html = _page(client)
    assert response.context["grid"].blocks[0].aside
    assert html.count('data-testid="book-here"') == 38


def test_past_and_closed_quarters_have_no_booking_link(client, front_desk):
    clinic(chairs=1)
    client.force_login(front_desk)
    response = client.get(reverse("infusions:grid"), {"date": "2026-12-01"})  # today, 08:00 now
    assert response.status_code == 200
    cells = response.context["grid"].cells
    assert all(cell.bookable for cell in cells)  # 08:00 is now: nothing is past yet
    with time_machine.travel(datetime(2026, 12, 1, 20, 0, tzinfo=UTC), tick=False):  # 12:00
        client.force_login(front_desk)  # the idle session expired meanwhile
        response = client.get(reverse("infusions:grid"), {"date": "2026-12-01"})
    assert sum(cell.bookable for cell in response.context["grid"].cells) == 22  # 12:00-17:30


def test_a_user_without_a_location_gets_403(client):
    clinic(chairs=1)
    client.force_login(UserFactory(role=FRONT_DESK, locations=[]))
    assert client.get(reverse("infusions:grid")).status_code == 403
    assert client.get(reverse("infusions:grid_week")).status_code == 403


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["infusions:grid", "infusions:grid_week"])
def test_the_query_count_does_not_grow_with_the_visits(client, front_desk, name):
    chairs = clinic(chairs=8)
    client.force_login(front_desk)
    client.get(reverse("healthz"))  # renews the session: measure page queries only
    _fill(chairs[:1], 1)
    small = _queries(client, reverse(name), {"date": DAY.isoformat()})
    _fill(chairs[1:], 4)
    assert Appointment.objects.count() == 29
    assert _queries(client, reverse(name), {"date": DAY.isoformat()}) == small


def test_the_week_shows_visits_and_the_booked_share_per_chair_and_day(client, front_desk):
    chairs = clinic(chairs=2)
    _fill(chairs[:1], 5)  # 5 x 90 minutes of 570: 79%
    client.force_login(front_desk)
    response = client.get(reverse("infusions:grid_week"), {"date": DAY.isoformat()})
    assert response.status_code == 200
    first_chair = response.context["rows"][0][1]
    assert (first_chair[0]["count"], first_chair[0]["share"]) == (5, 79)
    assert "5 · 79%" in response.content.decode()
    assert response.context["rows"][1][1][0]["count"] == 0


def test_booking_from_a_cell_plans_a_series_starting_there(client, front_desk):
    chairs = clinic(chairs=2)
    patient = bookable_patient(last_name="Lovelace")
    client.force_login(front_desk)
    start = int(at(DAY, 11, 15).timestamp())
    search = client.get(reverse("infusions:grid_book"), {"chair": chairs[1].pk, "start": start, "q": "Lovelace"})
    assert search.status_code == 200
    html = search.content.decode()
    assert "Lovelace" in html and "Book in Chair 2" in html and "11:15" in html
    plan_link = reverse("infusions:grid_plan", args=[patient.pk]) + f"?chair={chairs[1].pk}&amp;start={start}"
    assert plan_link in html
    response = client.get(reverse("infusions:grid_plan", args=[patient.pk]), {"chair": chairs[1].pk, "start": start})
    assert response.status_code == 302
    query = parse_qs(urlparse(response["Location"]).query)
    assert query["earliest"] == [DAY.isoformat()]
    assert query["v"][0] == f"{chairs[1].pk}@{start}"
    assert len(query["v"]) == 6
    plan = client.get(response["Location"])
    assert plan.status_code == 200
    assert not plan.context["problems"]
    assert plan.context["visits"][0]["visit"].start == at(DAY, 11, 15)


def _planned_from_cell(client, patient, chair, start):
    response = client.get(reverse("infusions:grid_plan", args=[patient.pk]), {"chair": chair.pk, "start": start})
    assert response.status_code == 302
    plan = client.get(response["Location"])
    assert not plan.context["problems"]
    return [row["visit"] for row in plan.context["visits"]]


def test_the_later_visits_keep_the_cells_time_and_chair_where_free(client, front_desk):
    chairs = clinic(chairs=2)
    patient = bookable_patient(last_name="Lovelace")
    client.force_login(front_desk)
    visits = _planned_from_cell(client, patient, chairs[1], int(at(DAY, 11, 15).timestamp()))
    assert len(visits) == 6
    la = main_location().tz
    assert {(v.start.astimezone(la).time().isoformat(), v.chair_id) for v in visits} == {("11:15:00", chairs[1].pk)}


def test_a_later_visit_whose_chair_is_taken_at_that_time_moves_to_another_chair_at_the_same_time(client, front_desk):
    chairs = clinic(chairs=2)
    patient = bookable_patient(last_name="Lovelace")
    client.force_login(front_desk)
    start = int(at(DAY, 11, 15).timestamp())
    first_plan = _planned_from_cell(client, patient, chairs[1], start)
    third_day = first_plan[2].start.astimezone(main_location().tz).date()
    # Another patient takes chair 2 at 11:00-12:30 on the third visit's day.
    other = bookable_patient(last_name="Other")
    series = InfusionSeries.objects.create(
        location=main_location(), patient=other, protocol=depression(), created_by=UserFactory()
    )
    Appointment.objects.create(
        series=series, patient=other, chair=chairs[1], sequence=1, start=at(third_day, 11), end=at(third_day, 12, 30)
    )
    visits = _planned_from_cell(client, patient, chairs[1], start)
    la = main_location().tz
    assert all(v.start.astimezone(la).time().isoformat() == "11:15:00" for v in visits)
    assert [v.chair_id for v in visits] == [chairs[1].pk] * 2 + [chairs[0].pk] + [chairs[1].pk] * 3


def test_booking_from_a_cell_of_another_location_is_refused(client, front_desk):
    clinic(chairs=1)
    from clinic.tests.factories import LocationFactory

    elsewhere = ChairFactory(location=LocationFactory(), name="Far")
    client.force_login(front_desk)
    start = int(at(DAY, 10).timestamp())
    cell = {"chair": elsewhere.pk, "start": start}
    assert client.get(reverse("infusions:grid_book"), cell).status_code == 403  # not a location they work at
    patient = bookable_patient()
    assert client.get(reverse("infusions:grid_plan", args=[patient.pk]), cell).status_code == 403


def test_a_cell_of_another_of_the_users_locations_is_a_bad_request_until_they_switch(client, front_desk):
    clinic(chairs=1)
    from clinic.tests.factories import LocationFactory

    other = LocationFactory()
    front_desk.locations.add(other)
    elsewhere = ChairFactory(location=other, name="Far")
    client.force_login(front_desk)
    start = int(at(DAY, 10).timestamp())
    assert client.get(reverse("infusions:grid_book"), {"chair": elsewhere.pk, "start": start}).status_code == 400


def test_moving_shows_cells_that_post_to_the_move_with_the_series_rules(client, front_desk):
    chair, other = clinic(chairs=2)
    series = services.series_book(patient=bookable_patient(), visits=series_visits(DAY, chair), by=front_desk)
    second = series.appointments.get(sequence=2)  # 10 Dec, 09:00
    client.force_login(front_desk)
    day = timezone.localtime(second.start, at(DAY, 0).tzinfo).date()
    response = client.get(reverse("infusions:grid"), {"date": day.isoformat(), "move": second.pk})
    html = response.content.decode()
    assert 'data-testid="moving"' in html
    assert f'action="{reverse("infusions:visit_move", args=[second.pk])}"' in html
    assert 'data-testid="book-here"' not in html
    # A free cell of the same day, another chair: moved.
    target = at(day, 13)
    moved = client.post(
        reverse("infusions:visit_move", args=[second.pk]), {"start": int(target.timestamp()), "chair": other.pk}
    )
    assert moved.status_code == 302
    second.refresh_from_db()
    assert (second.start, second.chair_id) == (target, other.pk)
    # The last visit far past the protocol's gap: the move page asks to confirm first.
    last = series.appointments.get(sequence=6)  # 22 Dec
    later = at(date(2026, 12, 28), 13)
    asked = client.post(
        reverse("infusions:visit_move", args=[last.pk]), {"start": int(later.timestamp()), "chair": other.pk}
    )
    assert asked.status_code == 200 and 'data-testid="window-warning"' in asked.content.decode()


def test_clinicians_see_the_grid_without_booking_or_moving(client, clinician):
    chairs = clinic(chairs=1)
    _fill(chairs, 1)
    client.force_login(clinician)
    _, html = _page(client)
    assert 'data-testid="grid-visit"' in html
    assert 'data-testid="book-here"' not in html and 'data-testid="move"' not in html


# The grid's cells and visits, and the week's cells, are put together in Python (infusions/templatetags/grid.py),
# not by the template engine: what it would escape and the CSRF token it would add, they must too.


def test_names_in_the_cells_and_visits_are_escaped(client, front_desk):
    chair, _ = clinic(chairs=2)
    chair.name = '<b>x</b> & "y"'
    chair.save()
    (visit,) = _fill([chair], 1)
    visit.patient.last_name, visit.patient.first_name = "<i>O'Brien</i>", "<script>alert(1)</script>"
    visit.patient.save()
    client.force_login(front_desk)
    _, html = _page(client)
    assert "<b>x</b>" not in html and "<i>" not in html and "<script>alert" not in html
    assert ">Book &lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot; 10:15</a>" in html
    block = re.search(rf'data-visit="{visit.pk}".*?\n  </div>', html, re.S).group(0)
    assert "&lt;i&gt;O&#x27;Brien&lt;/i&gt;, &lt;script&gt;alert(1)&lt;/script&gt;</a>" in block
    assert '<span class="visually-hidden"> &lt;i&gt;O&#x27;Brien&lt;/i&gt;, visit 3</span>' in block
    moving, _ = _page(client, move=visit.pk)
    assert "Move to &lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot; 10:15</button>" in moving.content.decode()
    week = client.get(reverse("infusions:grid_week"), {"date": DAY.isoformat()}).content.decode()
    assert "<b>x</b>" not in week and "&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;" in week


def test_a_cell_moves_the_visit_with_the_pages_csrf_token(front_desk):
    from django.test import Client

    chair, other = clinic(chairs=2)
    series = services.series_book(patient=bookable_patient(), visits=series_visits(DAY, chair), by=front_desk)
    second = series.appointments.get(sequence=2)  # 10 Dec, 09:00
    day = timezone.localtime(second.start, at(DAY, 0).tzinfo).date()
    client = Client(enforce_csrf_checks=True)
    client.force_login(front_desk)
    html = client.get(reverse("infusions:grid"), {"date": day.isoformat(), "move": second.pk}).content.decode()
    target = at(day, 13)
    form = re.search(
        rf'<form method="post" action="([^"]+)">(<input [^>]+>)<input type="hidden" name="start" '
        rf'value="{int(target.timestamp())}"><input type="hidden" name="chair" value="{other.pk}">',
        html,
    )
    action, token = (
        form.group(1),
        re.fullmatch(r'<input type="hidden" name="csrfmiddlewaretoken" value="(\w+)">', form.group(2)),
    )
    assert action == reverse("infusions:visit_move", args=[second.pk])
    assert client.post(action, {"start": int(target.timestamp()), "chair": other.pk}).status_code == 403  # no token
    moved = client.post(
        action, {"csrfmiddlewaretoken": token.group(1), "start": int(target.timestamp()), "chair": other.pk}
    )
    assert moved.status_code == 302
    second.refresh_from_db()
    assert (second.start, second.chair_id) == (target, other.pk)


def test_the_week_colours_each_cell_by_its_booked_share(client, front_desk):
    chairs = clinic(chairs=4)
    _fill(chairs[:1], 6)  # 540 of 570 minutes: 95%
    _fill(chairs[1:2], 4)  # 360: 63%
    _fill(chairs[2:3], 1)  # 90: 16%
    client.force_login(front_desk)
    html = client.get(reverse("infusions:grid_week"), {"date": DAY.isoformat()}).content.decode()
    link = f'<a href="{reverse("infusions:grid")}?date={DAY.isoformat()}">'
    for level, text in (("load-high", "6 · 95%"), ("load-mid", "4 · 63%"), ("load-low", "1 · 16%"), ("", "0 · 0%")):
        assert f'<td class="load-cell{" " + level if level else ""}" data-testid="load">{link}{text}</a></td>' in html
