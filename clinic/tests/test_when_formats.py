"""The clinic's date and time formats (clinic/when.py and `{% load when %}`), exactly, in two zones and across DST."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.utils import timezone

from clinic import when

LA = ZoneInfo("America/Los_Angeles")
DENVER = ZoneInfo("America/Denver")
WINTER = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)  # 14:30 PST, 15:30 MST
SUMMER = datetime(2026, 7, 7, 21, 30, tzinfo=UTC)  # 14:30 PDT, 15:30 MDT


@pytest.mark.parametrize(
    ("moment", "tz", "expected"),
    [
        (WINTER, LA, "Tue 1 Dec 2026, 14:30 PST"),
        (WINTER, DENVER, "Tue 1 Dec 2026, 15:30 MST"),
        (SUMMER, LA, "Tue 7 Jul 2026, 14:30 PDT"),
        (SUMMER, DENVER, "Tue 7 Jul 2026, 15:30 MDT"),
        (datetime(2026, 12, 1, 7, 30, tzinfo=UTC), LA, "Mon 30 Nov 2026, 23:30 PST"),  # the local date, not UTC's
        (datetime(2026, 11, 1, 8, 30, tzinfo=UTC), LA, "Sun 1 Nov 2026, 01:30 PDT"),  # the repeated hour, first time
        (datetime(2026, 11, 1, 9, 30, tzinfo=UTC), LA, "Sun 1 Nov 2026, 01:30 PST"),  # and second
        (datetime(2026, 3, 8, 10, 0, tzinfo=UTC), LA, "Sun 8 Mar 2026, 03:00 PDT"),  # spring forward
    ],
)
def test_when_is_day_clock_and_the_zone_in_force(moment, tz, expected):
    assert when.when(moment, tz) == expected


def test_each_part_alone():
    assert when.day(WINTER, LA) == "Tue 1 Dec 2026"
    assert when.day(date(2027, 1, 4)) == "Mon 4 Jan 2027"
    assert when.day_short(WINTER, DENVER) == "Tue 1 Dec"
    assert when.birth_date(date(1991, 9, 2)) == "2 Sep 1991"
    assert when.clock(WINTER, LA) == "14:30"
    assert when.clock(time(8, 5)) == "08:05"
    assert when.zone(WINTER, DENVER) == "MST"
    assert when.zone(date(2026, 7, 7), DENVER) == "MDT"  # a day's zone is its noon's


def test_nothing_prints_as_empty():
    for format_ in (when.day, when.day_short, when.birth_date, when.clock, when.zone, when.when):
        assert format_(None) == ""
        assert format_("") == ""


@pytest.mark.parametrize(
    ("tz", "first", "last", "expected"),
    [
        (LA, date(2026, 12, 1), None, "Pacific time (PST)"),
        (LA, date(2026, 7, 7), None, "Pacific time (PDT)"),
        (DENVER, date(2026, 12, 1), None, "Mountain time (MST)"),
        (DENVER, date(2026, 7, 7), None, "Mountain time (MDT)"),
        (LA, date(2026, 10, 26), date(2026, 11, 1), "Pacific time (PDT/PST)"),  # a week the clocks go back
        (DENVER, date(2026, 3, 8), None, "Mountain time (MDT)"),  # the day they go forward, at noon
        (ZoneInfo("America/Phoenix"), date(2026, 7, 7), None, "Mountain time (MST)"),  # no DST there
        (ZoneInfo("Europe/London"), date(2026, 7, 7), None, "London time (BST)"),
        (ZoneInfo("Asia/Dubai"), date(2026, 7, 7), None, "Dubai time (+04)"),
        (LA, None, None, "Pacific time"),  # no day: the name alone
    ],
)
def test_zone_name(tz, first, last, expected):
    assert when.zone_name(tz, first, last) == expected


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load when tz %}" + source).render(context)


def test_the_filters_write_on_the_active_zones_wall_clock():
    source = "{{ m|day }}|{{ m|day_short }}|{{ m|clock }}|{{ m|zone }}|{{ m|when }}|{% zone_name m %}"
    with timezone.override(LA):
        assert (
            render(source, m=SUMMER)
            == "Tue 7 Jul 2026|Tue 7 Jul|14:30|PDT|Tue 7 Jul 2026, 14:30 PDT|Pacific time (PDT)"
        )
    with timezone.override(LA):  # a {% timezone %} block (a visit at another location) wins
        assert render("{% timezone tz %}{{ m|when }}{% endtimezone %} {{ m|when }}", m=WINTER, tz=DENVER) == (
            "Tue 1 Dec 2026, 15:30 MST Tue 1 Dec 2026, 14:30 PST"
        )
    with timezone.override(LA):
        assert render("{% zone_name d tz=tz %}", d=date(2026, 7, 7), tz=DENVER) == "Mountain time (MDT)"
        assert render("{{ d|birth_date }}", d=date(1991, 9, 2)) == "2 Sep 1991"
