"""The planner's short cuts for quarter hours and growing windows, against the wall clock and a fresh plan.

On a day without a change of clocks the planner puts a grid start in its quarter hour by arithmetic (the local
clock shows the grid time there), not by a time zone lookup per start; booked starts counted per quarter hour
once (StartCounts) are not counted again; a SeriesSearch keeps the days an earlier window worked out. Checked
here against the local wall clock itself, in zones whose offsets are not whole hours (Asia/Kolkata +5:30,
Asia/Kathmandu +5:45, Pacific/Chatham +12:45, Africa/Monrovia -0:44:30 until 1972), on days the clocks change
(by an hour, and by 30 minutes on Lord Howe Island) and with grids that do not divide the quarter hour.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from infusions.booking.planner import (
    ClinicSchedule,
    Plan,
    SeriesRules,
    SeriesSearch,
    StartCounts,
    free_starts,
    plan_series,
    quarter_hour,
)

LA = ZoneInfo("America/Los_Angeles")
MONROVIA = ZoneInfo("Africa/Monrovia")
# A zone and a local date: ordinary days in zones with odd offsets, and days the clocks change.
DAYS = [
    (LA, date(2026, 7, 1)),
    (LA, date(2026, 3, 8)),  # 02:00 PST -> 03:00 PDT
    (LA, date(2026, 11, 1)),  # 02:00 PDT -> 01:00 PST
    (ZoneInfo("Asia/Kolkata"), date(2026, 7, 1)),
    (ZoneInfo("Asia/Kathmandu"), date(2026, 7, 1)),
    (ZoneInfo("Pacific/Chatham"), date(2026, 7, 1)),
    (ZoneInfo("Pacific/Chatham"), date(2026, 9, 27)),  # 02:45 -> 03:45
    (ZoneInfo("Australia/Lord_Howe"), date(2026, 10, 4)),  # 02:00 -> 02:30
    (ZoneInfo("Australia/Lord_Howe"), date(2026, 4, 5)),  # 02:00 -> 01:30
    (MONROVIA, date(1971, 6, 1)),  # -0:44:30: a grid start falls 30 seconds past a UTC minute
]
GRIDS = [5, 7, 10, 15, 20, 25, 45]  # minutes; only 15 and 45 keep every start on a quarter hour
ALL_DAY = {weekday: [(time(0, 0), time(23, 59))] for weekday in range(7)}


def wall_quarter(instant, tz):
    """The local quarter hour an instant falls in, read off the wall clock (with the offset: the two 01:00s of a
    fall-back night are two quarter hours)."""
    local = instant.astimezone(tz)
    return local.date(), local.hour, local.minute // 15, local.utcoffset()


def booked_starts(tz, day):
    """Starts already booked all over the local day, every 29 minutes from 00:07: a pattern of full quarter hours
    that is neither every quarter hour nor in step with any grid."""
    midnight = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    return [midnight + timedelta(minutes=7 + 29 * n) for n in range(50)]


def schedule(tz, granularity, **stagger):
    return ClinicSchedule(
        tz=tz, opening_hours=ALL_DAY, chair_busy={"A": []}, granularity_minutes=granularity, **stagger
    )


def starts_on(schedule, day, **kwargs):
    return [free.start for free in free_starts(schedule, day, block_minutes=schedule.granularity_minutes, **kwargs)]


def test_monrovia_1971_is_an_offset_of_whole_minutes_and_30_seconds():
    """The tests below lean on it: there no quarter hour of the local clock begins when one of UTC does."""
    assert datetime(1971, 6, 1, 8, tzinfo=MONROVIA).utcoffset() == -timedelta(minutes=44, seconds=30)


@pytest.mark.parametrize(("tz", "day"), DAYS)
@pytest.mark.parametrize("granularity", GRIDS)
def test_a_start_is_left_out_exactly_when_its_local_quarter_hour_is_full(tz, day, granularity):
    every = starts_on(schedule(tz, granularity), day)
    booked = booked_starts(tz, day)
    full = {wall_quarter(instant, tz) for instant in booked}

    left = starts_on(schedule(tz, granularity, start_cap=1, starts=dict.fromkeys(booked, 1)), day)

    assert left == [start for start in every if wall_quarter(start, tz) not in full]
    assert every != left != []  # some starts left out, some kept


@pytest.mark.parametrize(("tz", "day"), DAYS)
@pytest.mark.parametrize("granularity", GRIDS)
def test_morning_and_afternoon_split_the_same_grid_at_noon(tz, day, granularity):
    every = starts_on(schedule(tz, granularity), day)

    morning = starts_on(schedule(tz, granularity), day, part_of_day="morning")
    afternoon = starts_on(schedule(tz, granularity), day, part_of_day="afternoon")

    assert morning == [start for start in every if start.astimezone(tz).time() < time(12)]
    assert afternoon == [start for start in every if start.astimezone(tz).time() >= time(12)]


@pytest.mark.parametrize(("tz", "day"), DAYS)
def test_quarter_hour_is_the_first_instant_of_the_local_quarter_hour(tz, day):
    midnight = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    for n in range(220):  # every 6 min 31.000017 s through the day: seconds and microseconds too
        instant = midnight + timedelta(seconds=391 * n, microseconds=17 * n)
        for given in (instant, instant.astimezone(tz), instant.astimezone(ZoneInfo("UTC"))):
            first = quarter_hour(given, tz)
            local = first.astimezone(tz)

            assert first.utcoffset() == timedelta(0) and first <= instant
            assert (local.minute % 15, local.second, local.microsecond) == (0, 0, 0)
            assert wall_quarter(first, tz) == wall_quarter(instant, tz)


@pytest.mark.parametrize("counted_in", [MONROVIA, ZoneInfo("UTC")])
def test_starts_counted_per_quarter_hour_plan_like_the_same_counts_as_a_plain_mapping(counted_in):
    """Counts made in the schedule's own zone are taken as they are; counts made in another zone (whose quarter hours
    begin 30 seconds apart from Monrovia's) are instants like any others, each put in its Monrovia quarter hour."""
    day = date(1971, 6, 1)
    booked = booked_starts(MONROVIA, day)
    counts = StartCounts(counted_in)
    for instant in booked:
        counts.add(instant)

    given_counts = starts_on(schedule(MONROVIA, 5, start_cap=1, starts=counts.copy()), day)

    assert given_counts == starts_on(schedule(MONROVIA, 5, start_cap=1, starts=dict(counts)), day)
    if counted_in is MONROVIA:
        assert given_counts == starts_on(schedule(MONROVIA, 5, start_cap=1, starts=dict.fromkeys(booked, 1)), day)


def test_a_series_search_plans_again_the_days_after_those_it_is_told_are_unchanged():
    earliest = date(2026, 7, 6)
    hours = {weekday: [(time(8, 0), time(17, 30))] for weekday in range(7)}
    rules = SeriesRules(count=3, min_gap_days=2, max_gap_days=7, window_days=21)
    search = SeriesSearch(block_minutes=90, earliest=earliest, rules=rules)
    narrow = ClinicSchedule(tz=LA, opening_hours=hours, chair_busy={"A": []})
    first = search.plan(narrow, horizon_days=5)
    # The wider window holds the same first three days, and a booking on the fifth that the narrow one lacked.
    fifth = datetime.combine(earliest + timedelta(days=4), time(8), tzinfo=LA)
    wide = ClinicSchedule(tz=LA, opening_hours=hours, chair_busy={"A": [(fifth, fifth + timedelta(hours=9))]})

    second = search.plan(wide, horizon_days=5, unchanged_through=earliest + timedelta(days=2))

    assert isinstance(first, Plan) and first.visits[2].start == fifth
    assert second == plan_series(wide, block_minutes=90, earliest=earliest, rules=rules, horizon_days=5) != first
