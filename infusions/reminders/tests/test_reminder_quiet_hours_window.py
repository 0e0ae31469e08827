"""The pure quiet-hours window: both edges, windows that do and do not cross midnight, the nights
the clocks change, and the time zone passed in."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from infusions.reminders.quiet_hours import QuietHours

LA = ZoneInfo("America/Los_Angeles")
NIGHT = QuietHours(start=time(21, 0), end=time(8, 0), tz=LA)
LUNCH = QuietHours(start=time(13, 0), end=time(14, 0), tz=LA)


def la(year, month, day, hour, minute=0, fold=0):
    return datetime(year, month, day, hour, minute, tzinfo=LA, fold=fold)


def test_it_is_quiet_from_the_start_up_to_but_not_including_the_end():
    assert not NIGHT.contains(la(2026, 2, 10, 20, 59))
    assert NIGHT.contains(la(2026, 2, 10, 21, 0))
    assert NIGHT.contains(la(2026, 2, 10, 23, 59))
    assert NIGHT.contains(la(2026, 2, 11, 0, 0))
    assert NIGHT.contains(la(2026, 2, 11, 7, 59))
    assert not NIGHT.contains(la(2026, 2, 11, 8, 0))
    assert not NIGHT.contains(la(2026, 2, 11, 12, 0))


def test_a_window_inside_one_day_is_quiet_only_inside_it():
    assert not LUNCH.contains(la(2026, 2, 10, 12, 59))
    assert LUNCH.contains(la(2026, 2, 10, 13, 0))
    assert LUNCH.contains(la(2026, 2, 10, 13, 59))
    assert not LUNCH.contains(la(2026, 2, 10, 14, 0))
    assert not LUNCH.contains(la(2026, 2, 10, 23, 0))
    assert not LUNCH.contains(la(2026, 2, 11, 3, 0))


def test_a_window_that_starts_where_it_ends_is_never_quiet():
    never = QuietHours(start=time(21, 0), end=time(21, 0), tz=LA)
    assert not never.contains(la(2026, 2, 10, 21, 0))
    assert never.send_after(la(2026, 2, 10, 21, 0)) == la(2026, 2, 10, 21, 0)


def test_it_reads_the_wall_clock_of_the_time_zone_it_is_given():
    moment = datetime(2026, 2, 11, 5, 0, tzinfo=UTC)  # 21:00 in Los Angeles, 14:00 in Tokyo
    assert NIGHT.contains(moment)
    assert not QuietHours(start=time(21, 0), end=time(8, 0), tz=ZoneInfo("Asia/Tokyo")).contains(moment)


def test_a_moment_outside_the_window_is_left_as_it_is():
    moment = la(2026, 2, 10, 12, 0)
    assert NIGHT.send_before(moment) == moment
    assert NIGHT.send_after(moment) == moment


def test_send_before_moves_to_20_00_on_the_evening_the_quiet_spell_began():
    assert NIGHT.send_before(la(2026, 2, 10, 21, 0)) == la(2026, 2, 10, 20, 0)
    assert NIGHT.send_before(la(2026, 2, 14, 22, 0)) == la(2026, 2, 14, 20, 0)
    assert NIGHT.send_before(la(2026, 2, 12, 7, 30)) == la(2026, 2, 11, 20, 0)
    assert NIGHT.send_before(la(2026, 2, 12, 7, 30)).tzinfo == UTC


def test_a_spell_beginning_just_after_midnight_sends_before_it_the_evening_before():
    late = QuietHours(start=time(0, 30), end=time(8, 0), tz=LA)
    assert late.send_before(la(2026, 2, 12, 3, 0)) == la(2026, 2, 11, 23, 30)


def test_send_after_moves_to_the_end_of_the_quiet_spell():
    assert NIGHT.send_after(la(2026, 2, 9, 21, 30)) == la(2026, 2, 10, 8, 0)
    assert NIGHT.send_after(la(2026, 2, 10, 0, 0)) == la(2026, 2, 10, 8, 0)
    assert NIGHT.send_after(la(2026, 2, 10, 7, 59)) == la(2026, 2, 10, 8, 0)
    assert LUNCH.send_after(la(2026, 2, 10, 13, 30)) == la(2026, 2, 10, 14, 0)


def test_the_night_the_clocks_go_forward_is_an_hour_shorter():
    # 8 March 2026: 02:00 PST becomes 03:00 PDT. The window still ends at 08:00 on the wall.
    evening = la(2026, 3, 7, 21, 0)
    end = NIGHT.send_after(evening)
    assert end == la(2026, 3, 8, 8, 0)
    assert end - evening == timedelta(hours=10)
    assert NIGHT.send_before(la(2026, 3, 8, 7, 0)) == la(2026, 3, 7, 20, 0)
    assert not NIGHT.contains(la(2026, 3, 8, 8, 0))


def test_the_night_the_clocks_go_back_is_an_hour_longer_and_its_repeated_hour_is_quiet():
    # 1 November 2026: 02:00 PDT becomes 01:00 PST; 01:30 happens twice.
    first, second = la(2026, 11, 1, 1, 30, fold=0), la(2026, 11, 1, 1, 30, fold=1)
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
    assert NIGHT.contains(first) and NIGHT.contains(second)
    assert NIGHT.send_after(first) == NIGHT.send_after(second) == la(2026, 11, 1, 8, 0)
    assert NIGHT.send_before(second) == la(2026, 10, 31, 20, 0)
    evening = la(2026, 10, 31, 21, 0)
    assert NIGHT.send_after(evening) - evening == timedelta(hours=12)


instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda naive: naive.replace(second=0, microsecond=0, tzinfo=UTC)
)
clock_times = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@given(instants)
def test_the_moved_times_are_never_quiet_and_on_the_right_side(moment):
    before, after = NIGHT.send_before(moment), NIGHT.send_after(moment)
    assert before <= moment <= after
    assert not NIGHT.contains(before)
    assert not NIGHT.contains(after)


@given(instants, clock_times, clock_times)
def test_for_any_window_send_before_is_never_later_and_send_after_never_earlier(moment, start, end):
    quiet = QuietHours(start=start, end=end, tz=LA)
    assert quiet.send_after(moment) >= moment
    assert not quiet.contains(quiet.send_after(moment))
    assert quiet.send_before(moment) <= moment
