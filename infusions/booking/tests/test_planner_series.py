"""plan_series: the earliest feasible series, and a plain reason when there is none."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from infusions.booking.planner import ClinicSchedule, NoPlan, Plan, Preferences, SeriesRules, plan_series, validate_plan

TZ = ZoneInfo("America/New_York")
WEEKDAYS_ONLY = {w: [(time(8, 0), time(17, 30))] for w in range(5)}  # Saturday and Sunday closed
EVERY_DAY = {w: [(time(8, 0), time(17, 30))] for w in range(7)}
MONDAY = date(2026, 12, 7)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def day(n):
    return MONDAY + timedelta(days=n)


def schedule(busy=None, hours=EVERY_DAY, closures=(), granularity=15):
    return ClinicSchedule(
        tz=TZ,
        opening_hours=hours,
        chair_busy=busy if busy is not None else {"A": [], "B": []},
        closures=frozenset(closures),
        granularity_minutes=granularity,
    )


def starts(plan):
    assert isinstance(plan, Plan), plan
    return [(v.start.astimezone(TZ).replace(tzinfo=None), v.chair_id) for v in plan.visits]


def full_day(d):
    return (at(d, 8), at(d, 17, 30))


def test_it_books_six_visits_two_days_apart_from_the_earliest_date():
    plan = plan_series(schedule(), block_minutes=90, earliest=MONDAY)

    assert starts(plan) == [(datetime.combine(day(2 * i), time(8)), "A") for i in range(6)]
    assert all(v.end - v.start == timedelta(minutes=90) for v in plan.visits)
    assert all(v.start.tzinfo == TZ for v in plan.visits)
    assert validate_plan(plan, schedule(), block_minutes=90) == []


def test_it_fits_a_block_exactly_between_two_bookings():
    # Half-open intervals: busy until 09:00 and from 10:30 leaves exactly 09:00-10:30.
    busy = {"A": [(at(MONDAY, 8), at(MONDAY, 9)), (at(MONDAY, 10, 30), at(MONDAY, 17, 30))]}

    plan = plan_series(schedule(busy), block_minutes=90, earliest=MONDAY)

    first = plan.visits[0]
    assert (first.start, first.end, first.chair_id) == (at(MONDAY, 9), at(MONDAY, 10, 30), "A")


def test_it_does_not_use_a_gap_one_slot_too_short():
    busy = {"A": [(at(MONDAY, 8), at(MONDAY, 9, 15)), (at(MONDAY, 10, 30), at(MONDAY, 17, 30))]}

    plan = plan_series(schedule(busy), block_minutes=90, earliest=MONDAY)

    assert plan.visits[0].start.date() == day(1)


def test_it_fits_a_block_ending_exactly_at_closing_time():
    busy = {"A": [(at(MONDAY, 8), at(MONDAY, 16))]}

    plan = plan_series(schedule(busy), block_minutes=90, earliest=MONDAY)

    assert (plan.visits[0].start, plan.visits[0].end) == (at(MONDAY, 16), at(MONDAY, 17, 30))


def test_it_takes_the_first_chair_in_order_when_two_are_free_at_the_same_time():
    busy = {"Chair 2": [], "Chair 1": []}

    plan = plan_series(schedule(busy), block_minutes=90, earliest=MONDAY)

    assert {v.chair_id for v in plan.visits} == {"Chair 2"}


def test_it_takes_the_earliest_start_in_any_chair():
    busy = {"A": [(at(MONDAY, 8), at(MONDAY, 11))], "B": [(at(MONDAY, 8), at(MONDAY, 9, 30))]}

    plan = plan_series(schedule(busy), block_minutes=90, earliest=MONDAY)

    assert starts(plan)[0] == (datetime.combine(MONDAY, time(9, 30)), "B")


def test_it_skips_a_closure_day():
    plan = plan_series(schedule(closures={MONDAY, day(3)}), block_minutes=90, earliest=MONDAY)

    assert [v.start.date() for v in plan.visits] == [day(1), day(4), day(6), day(8), day(10), day(12)]


def test_it_skips_the_closed_weekend():
    plan = plan_series(schedule(hours=WEEKDAYS_ONLY), block_minutes=90, earliest=MONDAY)

    dates = [v.start.date() for v in plan.visits]
    assert dates == [day(0), day(2), day(4), day(7), day(9), day(11)]
    assert all(d.weekday() < 5 for d in dates)


def test_it_keeps_to_the_patients_weekdays():
    prefs = Preferences(weekdays=frozenset({1, 4}))  # Tuesdays and Fridays

    plan = plan_series(schedule(), block_minutes=90, earliest=MONDAY, preferences=prefs)

    dates = [v.start.date() for v in plan.visits]
    assert dates == [day(1), day(4), day(8), day(11), day(15), day(18)]


def test_it_keeps_to_the_afternoon():
    plan = plan_series(schedule(), block_minutes=90, earliest=MONDAY, preferences=Preferences(part_of_day="afternoon"))

    assert {v.start.astimezone(TZ).time() for v in plan.visits} == {time(12, 0)}


def test_it_keeps_to_the_morning_even_when_only_the_afternoon_is_free():
    busy = {"A": [(at(d, 8), at(d, 12)) for d in (day(0), day(2))]}

    plan = plan_series(
        schedule(busy), block_minutes=90, earliest=MONDAY, preferences=Preferences(part_of_day="morning")
    )

    assert [v.start.date() for v in plan.visits][:2] == [day(1), day(3)]
    assert all(v.start.astimezone(TZ).time() < time(12) for v in plan.visits)


def test_it_keeps_clear_of_the_patients_own_appointments():
    patient = [(at(MONDAY, 7), at(MONDAY, 9)), (at(day(2), 8), at(day(2), 17, 30))]

    plan = plan_series(schedule(), block_minutes=90, earliest=MONDAY, patient_busy=patient)

    assert plan.visits[0].start == at(MONDAY, 9)
    assert plan.visits[1].start == at(day(3), 8)


def test_it_backtracks_when_the_earliest_second_visit_leads_to_a_dead_end():
    # Open on days 0, 2, 3 and 7 only. Greedy 0 -> 2 finds nothing 2-4 days later (4, 5, 6 are
    # closed); 0 -> 3 -> 7 works.
    rules = SeriesRules(count=3, min_gap_days=2, max_gap_days=4, window_days=7)
    closed = {day(n) for n in range(14)} - {day(0), day(2), day(3), day(7)}

    plan = plan_series(schedule(closures=closed), block_minutes=90, earliest=MONDAY, rules=rules)

    assert [v.start.date() for v in plan.visits] == [day(0), day(3), day(7)]


def test_it_moves_the_first_visit_when_no_series_can_follow_it():
    # Day 0 is free but days 2-7 are full: the series starts on day 8.
    busy = {"A": [full_day(day(n)) for n in range(1, 8)]}

    plan = plan_series(schedule(busy), block_minutes=90, earliest=MONDAY)

    assert plan.visits[0].start.date() == day(8)


def test_it_keeps_all_visits_within_the_window():
    # Only every third day is free: six visits take 15 days, inside 21; every fifth day takes 25.
    closed_every_third = {day(n) for n in range(90) if n % 3}
    closed_every_fifth = {day(n) for n in range(90) if n % 5}

    by_three = plan_series(schedule(closures=closed_every_third), block_minutes=90, earliest=MONDAY)
    by_five = plan_series(schedule(closures=closed_every_fifth), block_minutes=90, earliest=MONDAY)
    by_five_in_28 = plan_series(
        schedule(closures=closed_every_fifth),
        block_minutes=90,
        earliest=MONDAY,
        rules=SeriesRules(window_days=28),
    )

    assert [v.start.date() for v in by_three.visits] == [day(n) for n in range(0, 18, 3)]
    assert isinstance(by_five, NoPlan)
    assert [v.start.date() for v in by_five_in_28.visits] == [day(n) for n in range(0, 30, 5)]


def test_it_refuses_a_gap_of_more_than_the_maximum():
    # Days 10-17 are closed: no series can bridge them (8+ days), and days 0-9 hold only 5 visits.
    closed = {day(n) for n in range(10, 18)}

    plan = plan_series(schedule(closures=closed), block_minutes=90, earliest=MONDAY, rules=SeriesRules(window_days=28))

    assert [v.start.date() for v in plan.visits] == [day(n) for n in range(18, 30, 2)]


def test_it_explains_when_nothing_fits_within_the_horizon():
    busy = {"A": [(at(MONDAY, 8), at(MONDAY + timedelta(days=100), 8))]}

    result = plan_series(schedule(busy), block_minutes=90, earliest=MONDAY)

    assert isinstance(result, NoPlan)
    assert result.reason.startswith("No 6-visit series can start within 60 days of Mon 7 Dec 2026 (by Thu 4 Feb 2027).")
    assert "there is no free chair on 81 days" in result.reason


def test_it_looks_only_sixty_days_ahead_for_the_first_visit():
    busy = {"A": [(at(MONDAY, 8), at(day(60), 8))]}

    assert isinstance(plan_series(schedule(busy), block_minutes=90, earliest=MONDAY), NoPlan)
    assert plan_series(schedule(busy), block_minutes=90, earliest=MONDAY, horizon_days=61).visits[0].start == at(
        day(60), 8
    )


def test_it_names_closed_days_and_preferences_in_the_reason():
    result = plan_series(
        schedule(hours=WEEKDAYS_ONLY),
        block_minutes=90,
        earliest=MONDAY,
        preferences=Preferences(weekdays=frozenset({0})),
    )

    assert isinstance(result, NoPlan)
    assert "the clinic is closed on 22 days and 47 days are not on the preferred weekdays" in result.reason
    assert "cannot be spaced 2-7 days apart within 21 days of the first" in result.reason


def test_it_explains_a_block_longer_than_the_day():
    result = plan_series(schedule(), block_minutes=600, earliest=MONDAY)

    assert isinstance(result, NoPlan)
    assert "there is no free chair on 81 days" in result.reason


def test_it_refuses_rules_that_cannot_be_met():
    result = plan_series(
        schedule(), block_minutes=90, earliest=MONDAY, rules=SeriesRules(count=6, min_gap_days=5, window_days=21)
    )

    assert isinstance(result, NoPlan)
    assert "at least 5 days apart within 21 days" in result.reason


def test_it_offers_no_start_before_not_before():
    now = at(MONDAY, 13, 7).astimezone(UTC)

    plan = plan_series(schedule(), block_minutes=90, earliest=MONDAY, not_before=now)

    assert plan.visits[0].start == at(MONDAY, 13, 15)


def test_it_accepts_bookings_in_any_time_zone_and_order():
    busy = {
        "A": [
            (at(MONDAY, 9, 30).astimezone(UTC), at(MONDAY, 17, 30).astimezone(UTC)),
            (at(MONDAY, 8).astimezone(ZoneInfo("Asia/Tokyo")), at(MONDAY, 9).astimezone(ZoneInfo("Asia/Tokyo"))),
        ]
    }

    plan = plan_series(schedule(busy), block_minutes=30, earliest=MONDAY)

    assert (plan.visits[0].start, plan.visits[0].end) == (at(MONDAY, 9), at(MONDAY, 9, 30))
