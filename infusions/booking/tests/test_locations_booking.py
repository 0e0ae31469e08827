"""Booking at one of several locations: its chairs, hours, closures and time zone, and nothing of another's."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from clinic.context import clinic_context
from clinic.refusals import Refused
from clinic.tests.factories import ChairFactory, LocationFactory, front_desk, main_location, open_every_day
from infusions.booking import selectors, services
from infusions.booking.planner import Plan
from infusions.models import Appointment, Closure
from infusions.tests.helpers import bookable_patient, depression

pytestmark = pytest.mark.django_db
DENVER = ZoneInfo("America/Denver")
LA = ZoneInfo("America/Los_Angeles")
TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 12, 1, 6, 0, tzinfo=UTC), tick=False):  # the night before, both zones
        yield


@pytest.fixture
def sites():
    """Seattle (the main location, Los Angeles time) with two chairs and Denver with two, both open 08:00-17:30."""
    depression()
    seattle = main_location()
    denver = LocationFactory(name="Denver", time_zone="America/Denver", address="300 Sample St, Denver")
    for site in (seattle, denver):
        open_every_day(time(8, 0), time(17, 30), location=site)
    chairs = {
        seattle: [ChairFactory(location=seattle, name=f"Seattle {n}", position=n) for n in (1, 2)],
        denver: [ChairFactory(location=denver, name=f"Denver {n}", position=n) for n in (1, 2)],
    }
    return seattle, denver, chairs


def _series_at(chair, first_day, zone, hour=9):
    return [(datetime.combine(first_day + timedelta(days=3 * n), time(hour), tzinfo=zone), chair.pk) for n in range(6)]


def test_a_proposal_uses_only_the_locations_chairs_and_its_local_opening_hours(sites):
    seattle, denver, chairs = sites
    proposal = services.series_propose(patient=bookable_patient(), location=denver)
    assert proposal.visits
    assert {v.chair_id for v in proposal.visits} <= {c.pk for c in chairs[denver]}
    first = proposal.visits[0].start.astimezone(DENVER)
    # 08:00 in Denver is 07:00 in the server's zone (Los Angeles), when Seattle is still closed.
    assert (first.date(), first.time()) == (TODAY, time(8, 0))
    assert proposal.chairs[proposal.visits[0].chair_id].startswith("Denver")


def test_booking_puts_the_series_at_the_location_of_its_chairs(sites):
    seattle, denver, chairs = sites
    desk = front_desk(locations=[denver])
    series = services.series_book(
        patient=bookable_patient(), visits=_series_at(chairs[denver][0], TODAY, DENVER), by=desk
    )
    assert series.location == denver
    assert set(series.appointments.values_list("chair__location", flat=True)) == {denver.pk}


def test_a_series_cannot_mix_the_chairs_of_two_locations(sites):
    seattle, denver, chairs = sites
    visits = _series_at(chairs[denver][0], TODAY, DENVER)
    visits[-1] = (visits[-1][0], chairs[seattle][0].pk)
    with pytest.raises(Refused, match="one location"):
        services.series_book(patient=bookable_patient(), visits=visits, by=front_desk())
    assert not Appointment.objects.exists()


def test_a_booking_for_one_location_refuses_another_locations_chairs(sites):
    seattle, denver, chairs = sites
    with pytest.raises(Refused, match=f"not at {seattle.name}"):
        services.series_book(
            patient=bookable_patient(),
            visits=_series_at(chairs[denver][0], TODAY, DENVER),
            by=front_desk(),
            location=seattle,
        )


def test_opening_hours_are_checked_in_the_locations_own_zone(sites):
    seattle, denver, chairs = sites
    desk = front_desk(locations=[seattle, denver])
    # 17:00 Los Angeles is 18:00 Denver: open in Seattle, closed in Denver.
    late = [
        (datetime.combine(TODAY + timedelta(days=3 * n), time(17), tzinfo=LA), chairs[denver][0].pk) for n in range(6)
    ]
    with pytest.raises(Refused, match="opening hours"):
        services.series_book(patient=bookable_patient(), visits=late, by=desk)
    ok = [(start, chairs[seattle][0].pk) for start, _ in late]
    with pytest.raises(Refused, match="opening hours"):  # 17:00 + 90 min passes Seattle's 17:30
        services.series_book(patient=bookable_patient(), visits=ok, by=desk)
    early = [
        (datetime.combine(TODAY + timedelta(days=3 * n), time(7), tzinfo=LA), chairs[denver][0].pk) for n in range(6)
    ]
    assert services.series_book(patient=bookable_patient(), visits=early, by=desk).location == denver


def test_a_locations_closure_closes_only_that_location_and_a_holiday_closes_every_one(sites):
    seattle, denver, chairs = sites
    Closure.objects.create(location=denver, date=TODAY)
    denver_plan = services.series_propose(patient=bookable_patient(), location=denver)
    seattle_plan = services.series_propose(patient=bookable_patient(), location=seattle)
    assert denver_plan.visits[0].start.astimezone(DENVER).date() == TODAY + timedelta(days=1)
    assert seattle_plan.visits[0].start.astimezone(LA).date() == TODAY
    Closure.objects.create(location=None, date=TODAY + timedelta(days=1))
    Closure.objects.create(location=None, date=TODAY)
    seattle_plan = services.series_propose(patient=bookable_patient(), location=seattle)
    denver_plan = services.series_propose(patient=bookable_patient(), location=denver)
    assert seattle_plan.visits[0].start.astimezone(LA).date() == TODAY + timedelta(days=2)
    assert denver_plan.visits[0].start.astimezone(DENVER).date() == TODAY + timedelta(days=2)


def test_a_visit_moves_to_another_location_only_when_that_is_chosen_explicitly(sites):
    seattle, denver, chairs = sites
    desk = front_desk(locations=[seattle, denver])
    series = services.series_book(patient=bookable_patient(), visits=_series_at(chairs[seattle][0], TODAY, LA), by=desk)
    visit = series.appointments.order_by("start").last()
    new_start = visit.start.astimezone(LA).replace(hour=10).astimezone(UTC)
    with pytest.raises(Refused, match="choose the other location explicitly"):
        services.appointment_move(appointment=visit, start=new_start, chair_id=chairs[denver][1].pk, by=desk)
    visit.refresh_from_db()
    assert visit.chair == chairs[seattle][0]
    services.appointment_move(
        appointment=visit, start=new_start, chair_id=chairs[denver][1].pk, by=desk, to_other_location=True
    )
    visit.refresh_from_db()
    assert visit.chair == chairs[denver][1] and visit.start == new_start
    series.refresh_from_db()
    assert series.location == seattle  # the series stays where it was booked; one visit moved


@override_settings(TIME_ZONE="America/Los_Angeles")
def test_the_day_view_of_a_location_in_another_zone_than_the_servers_takes_its_own_midnight(sites):
    seattle, denver, chairs = sites
    # 00:30 on 3 December in Denver is still 2 December in Los Angeles.
    late = datetime(2026, 12, 3, 0, 30, tzinfo=DENVER)
    series = services.series_book(
        patient=bookable_patient(),
        visits=_series_at(chairs[denver][0], TODAY, DENVER),
        by=front_desk(locations=[denver]),
    )
    Appointment.objects.filter(series=series, sequence=1).update(start=late, end=late + timedelta(minutes=90))
    denver_day = selectors.day_schedule(denver, date(2026, 12, 3))
    shown = [v.pk for _, visits in denver_day["columns"] for v in visits]
    assert series.appointments.get(sequence=1).pk in shown
    assert [c.name for c, _ in denver_day["columns"]] == ["Denver 1", "Denver 2"]
    seattle_day = selectors.day_schedule(seattle, date(2026, 12, 2))
    assert all(not visits for _, visits in seattle_day["columns"])
    assert [c.name for c, _ in seattle_day["columns"]] == ["Seattle 1", "Seattle 2"]


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "America/Denver"])
def test_a_series_starting_the_morning_after_the_clocks_change_starts_at_local_opening(zone):
    """14 March 2027: clocks go forward in both zones. 09:00 local on the 15th is 16:00 UTC in LA, 15:00 in Denver."""
    depression()
    site = LocationFactory(name=f"Site in {zone}", time_zone=zone)
    open_every_day(time(9, 0), time(17, 30), location=site)
    ChairFactory(location=site, name="Only chair")
    with time_machine.travel(datetime(2027, 3, 14, 20, 0, tzinfo=UTC), tick=False):  # the afternoon of the 14th
        plan = selectors.propose_series(
            bookable_patient(),
            depression(),
            clinic=clinic_context(site),
            earliest=date(2027, 3, 15),
            now=datetime(2027, 3, 14, 20, 0, tzinfo=UTC),
        )
    assert isinstance(plan, Plan)
    offset = {"America/Los_Angeles": 16, "America/Denver": 15}[zone]
    assert plan.visits[0].start == datetime(2027, 3, 15, offset, 0, tzinfo=UTC)
