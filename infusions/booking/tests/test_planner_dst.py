"""The planner across changes of clocks in the clinic's time zone (America/Los_Angeles)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from infusions.booking.planner import ClinicSchedule, Plan, Visit, free_starts, plan_series, validate_plan

LA = ZoneInfo("America/Los_Angeles")
FALL_BACK = date(2026, 11, 1)  # 02:00 PDT -> 01:00 PST
SPRING_FORWARD = date(2027, 3, 14)  # 02:00 PST -> 03:00 PDT
HOURS = {w: [(time(8, 0), time(17, 30))] for w in range(7)}
NIGHT_HOURS = {w: [(time(0, 0), time(6, 0))] for w in range(7)}


def schedule(hours=HOURS, granularity=15):
    return ClinicSchedule(tz=LA, opening_hours=hours, chair_busy={"A": []}, granularity_minutes=granularity)


def test_it_keeps_local_opening_hours_on_both_sides_of_fall_back():
    plan = plan_series(schedule(), block_minutes=90, earliest=date(2026, 10, 30))

    assert isinstance(plan, Plan)
    first, second = plan.visits[:2]
    assert first.start.astimezone(UTC) == datetime(2026, 10, 30, 15, 0, tzinfo=UTC)  # 08:00 PDT
    assert second.start.astimezone(UTC) == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)  # 08:00 PST
    assert [v.start.astimezone(LA).time() for v in plan.visits] == [time(8)] * 6
    assert all(v.end.astimezone(UTC) - v.start.astimezone(UTC) == timedelta(minutes=90) for v in plan.visits)


def test_it_keeps_local_opening_hours_on_both_sides_of_spring_forward():
    plan = plan_series(schedule(), block_minutes=90, earliest=date(2027, 3, 12))

    first, second = plan.visits[:2]
    assert first.start.astimezone(UTC) == datetime(2027, 3, 12, 16, 0, tzinfo=UTC)  # 08:00 PST
    assert second.start.astimezone(UTC) == datetime(2027, 3, 14, 15, 0, tzinfo=UTC)  # 08:00 PDT
    assert all(v.end.astimezone(UTC) - v.start.astimezone(UTC) == timedelta(minutes=90) for v in plan.visits)


def test_it_offers_the_repeated_hour_twice_when_clocks_fall_back():
    starts = free_starts(schedule(NIGHT_HOURS, granularity=60), FALL_BACK, block_minutes=60)

    utc = [s.start.astimezone(UTC).strftime("%H:%M") for s in starts]
    local = [s.start.astimezone(LA).strftime("%H:%M %Z") for s in starts]
    # 00:00 PDT to 06:00 PST is seven real hours.
    assert utc == ["07:00", "08:00", "09:00", "10:00", "11:00", "12:00", "13:00"]
    assert local == ["00:00 PDT", "01:00 PDT", "01:00 PST", "02:00 PST", "03:00 PST", "04:00 PST", "05:00 PST"]


def test_it_offers_no_start_in_the_skipped_hour_when_clocks_spring_forward():
    starts = free_starts(schedule(NIGHT_HOURS, granularity=60), SPRING_FORWARD, block_minutes=60)

    local = [s.start.astimezone(LA).strftime("%H:%M %Z") for s in starts]
    assert local == ["00:00 PST", "01:00 PST", "03:00 PDT", "04:00 PDT", "05:00 PDT"]


def test_it_measures_a_block_in_real_minutes_across_the_change():
    starts = free_starts(schedule(NIGHT_HOURS, granularity=60), SPRING_FORWARD, block_minutes=90)

    first = starts[1]  # 01:00 PST + 90 real minutes = 03:30 PDT
    assert first.start.astimezone(LA).strftime("%H:%M %Z") == "01:00 PST"
    assert first.end.astimezone(LA).strftime("%H:%M %Z") == "03:30 PDT"


def test_it_flags_a_visit_whose_end_was_computed_on_the_wall_clock():
    start = datetime(2026, 11, 1, 0, 30, tzinfo=LA)
    wall_clock_end = start + timedelta(minutes=90)  # Python adds wall time: 02:00 PST is 150 real minutes later

    problems = validate_plan([Visit(start, wall_clock_end, "A")], schedule(NIGHT_HOURS), rules=None, block_minutes=90)

    assert [p.kind for p in problems] == ["duration"]
    assert "lasts 150 minutes" in problems[0].message
