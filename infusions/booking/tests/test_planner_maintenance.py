"""Maintenance: a booster 4 weeks after the last infusion, or K visits every N weeks."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from infusions.booking.planner import ClinicSchedule, NoPlan, Preferences, booster_date, maintenance_plan

TZ = ZoneInfo("America/Chicago")
WEEKDAYS = {w: [(time(9, 0), time(17, 0))] for w in range(5)}


def schedule(busy=None, closures=()):
    return ClinicSchedule(tz=TZ, opening_hours=WEEKDAYS, chair_busy=busy or {"A": []}, closures=frozenset(closures))


def test_it_suggests_a_booster_four_weeks_after_the_last_infusion():
    assert booster_date(date(2026, 12, 18)) == date(2027, 1, 15)
    assert booster_date(date(2026, 12, 18), weeks=6) == date(2027, 1, 29)


def test_it_books_the_earliest_free_start_on_the_target_day():
    target = date(2027, 1, 15)  # a Friday
    busy = {"A": [(datetime.combine(target, time(9), tzinfo=TZ), datetime.combine(target, time(11), tzinfo=TZ))]}

    plan = maintenance_plan(schedule(busy), first_date=target, block_minutes=90)

    assert [(v.start, v.chair_id) for v in plan.visits] == [(datetime.combine(target, time(11), tzinfo=TZ), "A")]


def test_it_moves_to_the_next_open_day_after_a_closed_target():
    plan = maintenance_plan(schedule(), first_date=date(2027, 1, 16), block_minutes=90)  # a Saturday

    assert plan.visits[0].start.date() == date(2027, 1, 18)


def test_it_plans_k_visits_every_n_weeks_on_the_target_days():
    plan = maintenance_plan(schedule(), first_date=date(2027, 1, 4), block_minutes=90, count=3, every_weeks=4)

    assert [v.start.date() for v in plan.visits] == [date(2027, 1, 4), date(2027, 2, 1), date(2027, 3, 1)]


def test_it_keeps_to_the_patients_weekdays_within_the_tolerance():
    plan = maintenance_plan(
        schedule(), first_date=date(2027, 1, 4), block_minutes=90, preferences=Preferences(weekdays=frozenset({3}))
    )

    assert plan.visits[0].start.date() == date(2027, 1, 7)


def test_it_explains_when_no_day_within_the_tolerance_is_free():
    target = date(2027, 1, 4)
    closed = {target + timedelta(days=n) for n in range(5)}

    result = maintenance_plan(schedule(closures=closed), first_date=target, block_minutes=90, tolerance_days=6)

    assert isinstance(result, NoPlan)
    assert result.reason == (
        "No free chair for the maintenance visit between Mon 4 Jan 2027 and Sun 10 Jan 2027, "
        "where the clinic is closed on 7 days."
    )


def test_it_names_the_visit_that_cannot_be_placed():
    closed = {date(2027, 2, 1) + timedelta(days=n) for n in range(8)}

    result = maintenance_plan(schedule(closures=closed), first_date=date(2027, 1, 4), block_minutes=90, count=2)

    assert isinstance(result, NoPlan)
    assert result.reason.startswith(
        "No free chair for maintenance visit 2 of 2 between Mon 1 Feb 2027 and Mon 8 Feb 2027"
    )
