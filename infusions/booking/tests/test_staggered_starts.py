"""Staggered starts: one nurse places one IV at a time, so a location lets at most `starts_per_quarter_hour`
infusions start in one quarter hour of its wall clock. The planner proposes, and booking and
moving refuse, no start beyond it."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from clinic.tests.factories import ChairFactory, LocationFactory, clinician, front_desk, main_location, open_every_day
from infusions.booking import selectors, services
from infusions.booking.planner import ClinicSchedule, Visit, free_starts, maintenance_plan, plan_series, validate_plan
from infusions.booking.services import SlotTaken, appointment_move, series_book
from infusions.models import Appointment
from infusions.tests.helpers import LA, at, bookable_patient, clinic, main_clinic, series_visits

MONDAY = date(2026, 12, 7)  # visits on the 7th, 10th, 13th, 16th, 19th and 22nd
FULL = "another infusion starts at 08:00–08:15 at this location: one nurse places one IV at a time"


def _schedule(*, cap, starts=(), chairs=2, tz=LA):
    return ClinicSchedule(
        tz=tz,
        opening_hours={w: [(time(8), time(17))] for w in range(7)},
        chair_busy={f"chair-{n}": [] for n in range(1, chairs + 1)},
        start_cap=cap,
        starts=dict.fromkeys(starts, 1),
    )


# --- The planner (pure) -----------------------------------------------------------------------


def test_a_start_at_0805_fills_the_quarter_hour_from_0800():
    schedule = _schedule(cap=1, starts=[at(MONDAY, 8, 5)])
    listed = free_starts(schedule, MONDAY, block_minutes=90)
    assert at(MONDAY, 8) not in {s.start for s in listed}
    assert listed[0].start == at(MONDAY, 8, 15) and listed[0].chair_id == "chair-1"


def test_with_a_cap_of_two_a_quarter_hour_takes_a_second_start_not_a_third():
    one, two = _schedule(cap=2, starts=[at(MONDAY, 8)]), _schedule(cap=2, starts=[at(MONDAY, 8), at(MONDAY, 8, 10)])
    assert free_starts(one, MONDAY, block_minutes=90)[0].start == at(MONDAY, 8)
    assert free_starts(two, MONDAY, block_minutes=90)[0].start == at(MONDAY, 8, 15)


def test_no_cap_leaves_the_starts_alone():
    schedule = _schedule(cap=None, starts=[at(MONDAY, 8)])
    assert free_starts(schedule, MONDAY, block_minutes=90)[0].start == at(MONDAY, 8)


def test_series_and_maintenance_plans_start_after_the_full_quarter_hours():
    schedule = _schedule(cap=1, starts=[at(MONDAY, 8), at(MONDAY, 8, 15)])
    plan = plan_series(schedule, block_minutes=90, earliest=MONDAY)
    assert plan.visits[0].start == at(MONDAY, 8, 30)
    assert plan.visits[1].start == at(MONDAY + timedelta(days=2), 8)
    booster = maintenance_plan(schedule, first_date=MONDAY, block_minutes=90)
    assert booster.visits[0].start == at(MONDAY, 8, 30)


def test_a_day_whose_quarter_hours_are_all_full_has_no_start():
    quarters = [at(MONDAY, 8) + timedelta(minutes=15 * n) for n in range(4 * 9)]
    schedule = _schedule(cap=1, starts=quarters)
    assert free_starts(schedule, MONDAY, block_minutes=90) == []
    assert plan_series(schedule, block_minutes=90, earliest=MONDAY).visits[0].start.date() > MONDAY


def test_validate_plan_reports_a_start_beyond_the_cap_and_names_the_quarter_hour():
    schedule = _schedule(cap=1, starts=[at(MONDAY, 8)])
    visit = Visit(at(MONDAY, 8, 5), at(MONDAY, 9, 35), "chair-2")
    (problem,) = validate_plan([visit], schedule, rules=None)
    assert problem.kind == "stagger" and problem.visit_index == 0
    assert problem.message == f"Visit 1 (Mon 7 Dec 2026, 08:05 PST): {FULL}; choose another quarter hour."
    assert validate_plan([Visit(at(MONDAY, 8, 15), at(MONDAY, 9, 45), "chair-2")], schedule, rules=None) == []


def test_validate_plan_counts_the_plans_own_visits_in_a_quarter_hour():
    schedule = _schedule(cap=1)
    visits = [
        Visit(at(MONDAY, 8, 10), at(MONDAY, 9, 40), "chair-2"),
        Visit(at(MONDAY, 8), at(MONDAY, 9, 30), "chair-1"),
    ]
    problems = [p for p in validate_plan(visits, schedule, rules=None) if p.kind == "stagger"]
    assert [p.visit_index for p in problems] == [0]  # the later of the two starts


def test_the_two_0100s_of_a_fall_back_night_are_two_quarter_hours():
    la = ZoneInfo("America/Los_Angeles")
    night = date(2026, 11, 1)
    schedule = ClinicSchedule(
        tz=la,
        opening_hours={w: [(time(0), time(4))] for w in range(7)},
        chair_busy={"chair-1": [], "chair-2": []},
        granularity_minutes=60,
        start_cap=1,
        starts={datetime(2026, 11, 1, 8, 0, tzinfo=UTC): 1},  # the first 01:00 (PDT)
    )
    listed = [s.start.astimezone(UTC) for s in free_starts(schedule, night, block_minutes=30)]
    assert datetime(2026, 11, 1, 8, 0, tzinfo=UTC) not in listed
    assert datetime(2026, 11, 1, 9, 0, tzinfo=UTC) in listed  # the second 01:00 (PST)


# --- The location's setting -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_location_lets_one_infusion_start_per_quarter_hour_by_default_and_between_1_and_20():
    location = main_location()
    assert location.starts_per_quarter_hour == 1
    for wrong in (0, 21):
        location.starts_per_quarter_hour = wrong
        with pytest.raises(ValidationError):
            location.full_clean()


# --- Proposals, booking and moving against the database ---------------------------------------


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        yield


def _cap(n):
    location = main_location()
    location.starts_per_quarter_hour = n
    location.save(update_fields=["starts_per_quarter_hour"])
    return location


def _propose_and_book(patient):
    proposal = services.series_propose(patient=patient, location=main_location(), earliest=MONDAY)
    services.series_book(
        patient=patient,
        visits=[(v.start, v.chair_id) for v in proposal.visits],
        by=front_desk(),
        location=main_location(),
    )
    return proposal


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize("cap,second", [(1, (8, 15)), (2, (8, 0))])
def test_two_patients_in_two_free_chairs_start_0800_and_0815_with_cap_1_both_0800_with_cap_2(cap, second):
    first_chair, second_chair = clinic(chairs=2)
    _cap(cap)
    first = _propose_and_book(bookable_patient())
    later = services.series_propose(patient=bookable_patient(), location=main_location(), earliest=MONDAY)
    assert [(v.start, v.chair_id) for v in first.visits[:1]] == [(at(MONDAY, 8), first_chair.pk)]
    assert {(v.start.astimezone(LA).time(), v.chair_id) for v in later.visits} == {(time(*second), second_chair.pk)}
    assert [v.start.date() for v in later.visits] == [v.start.date() for v in first.visits]


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_booking_refuses_a_second_start_at_0805_with_cap_1():
    first_chair, second_chair = clinic(chairs=2)
    series_book(patient=bookable_patient(), visits=series_visits(MONDAY, first_chair, hour=8), by=front_desk())
    late = [(start.replace(minute=5), chair) for start, chair in series_visits(MONDAY, second_chair, hour=8)]
    with pytest.raises(
        SlotTaken, match=f"Visit 1 \\(Mon 7 Dec 2026, 08:05 PST\\): {FULL}; choose another quarter hour"
    ):
        series_book(patient=bookable_patient(), visits=late, by=front_desk())
    assert Appointment.objects.count() == 6
    # An edited plan shows the rule it breaks before booking.
    edited = services.series_propose(patient=bookable_patient(), location=main_location(), visits=late)
    assert {p.kind for p in edited.problems} == {"stagger"}


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_with_cap_2_a_second_start_is_booked_and_a_third_refused():
    chairs = clinic(chairs=3)
    _cap(2)
    for chair in chairs[:2]:
        series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair, hour=8), by=front_desk())
    with pytest.raises(SlotTaken, match="2 other infusions start at 08:00–08:15 at this location"):
        series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chairs[2], hour=8), by=front_desk())
    assert Appointment.objects.count() == 12


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_maintenance_booking_refuses_a_start_beyond_the_cap():
    first_chair, second_chair = clinic(chairs=2)
    series_book(patient=bookable_patient(), visits=series_visits(MONDAY, first_chair, hour=8), by=front_desk())
    patient = bookable_patient()
    services.maintenance_order(patient=patient, by=clinician())
    with pytest.raises(SlotTaken, match=FULL):
        services.maintenance_book(patient=patient, visits=[(at(MONDAY, 8, 14), second_chair.pk)], by=front_desk())


@pytest.fixture
def two_series(frozen):
    """Patient A from 08:00 in chair 1, patient B from 09:00 in chair 2, on the same days."""
    first_chair, second_chair = clinic(chairs=2)
    a = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, first_chair, hour=8), by=front_desk())
    b = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, second_chair, hour=9), by=front_desk())
    return a.appointments.order_by("sequence").first(), b.appointments.order_by("sequence").first()


@pytest.mark.django_db
def test_moving_into_a_full_quarter_hour_is_refused(two_series):
    a, b = two_series
    with pytest.raises(SlotTaken, match=FULL):
        appointment_move(appointment=b, start=at(MONDAY, 8, 10), chair_id=b.chair_id, by=front_desk())
    b.refresh_from_db()
    assert b.start == at(MONDAY, 9)
    appointment_move(appointment=b, start=at(MONDAY, 8, 15), chair_id=b.chair_id, by=front_desk())
    b.refresh_from_db()
    assert b.start == at(MONDAY, 8, 15)


@pytest.mark.django_db
def test_a_visit_may_move_within_its_own_quarter_hour(two_series):
    a, _ = two_series
    appointment_move(appointment=a, start=at(MONDAY, 8, 5), chair_id=a.chair_id, by=front_desk())
    a.refresh_from_db()
    assert a.start == at(MONDAY, 8, 5)


@pytest.mark.django_db
def test_the_move_options_leave_out_the_full_quarter_hours(two_series):
    _, b = two_series
    starts = [option["slot"].start for option in selectors.move_options(b)["options"]]
    assert at(MONDAY, 8) not in starts and at(MONDAY, 8, 15) in starts


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_inactive_chairs_visits_count_cancelled_visits_and_other_locations_do_not():
    first_chair, second_chair = clinic(chairs=2)
    a = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, first_chair, hour=8), by=front_desk())
    first_chair.active = False
    first_chair.save(update_fields=["active"])
    assert services.series_propose(patient=bookable_patient(), location=main_location(), earliest=MONDAY).visits[
        0
    ].start == at(MONDAY, 8, 15)
    schedule = selectors.clinic_schedule(MONDAY, MONDAY, clinic=main_clinic())
    assert (
        first_chair.pk not in schedule.chair_busy
        and validate_plan([Visit(at(MONDAY, 8), at(MONDAY, 9, 30), second_chair.pk)], schedule, rules=None)[0].kind
        == "stagger"
    )

    elsewhere = LocationFactory(name="Tacoma", time_zone="America/Los_Angeles")
    open_every_day(location=elsewhere)
    far_chair = ChairFactory(name="Tacoma 1", location=elsewhere)
    series_book(
        patient=bookable_patient(),
        visits=series_visits(MONDAY, far_chair, hour=8),
        by=front_desk(locations=[elsewhere]),
    )
    a.appointments.update(status=Appointment.Status.CANCELLED)
    assert services.series_propose(patient=bookable_patient(), location=main_location(), earliest=MONDAY).visits[
        0
    ].start == at(MONDAY, 8)
