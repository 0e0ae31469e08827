"""free_starts: every start time and chair the front desk may move one visit to."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from infusions.booking.planner import ClinicSchedule, free_starts

TZ = ZoneInfo("Europe/Berlin")
DAY = date(2026, 12, 8)  # a Tuesday
HOURS = {w: [(time(8, 0), time(12, 0)), (time(13, 0), time(16, 0))] for w in range(5)}


def at(hour, minute=0, day=DAY):
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def rows(starts):
    return [
        (s.start.astimezone(TZ).strftime("%H:%M"), s.end.astimezone(TZ).strftime("%H:%M"), s.chair_id) for s in starts
    ]


def schedule(busy, closures=()):
    return ClinicSchedule(
        tz=TZ, opening_hours=HOURS, chair_busy=busy, closures=frozenset(closures), granularity_minutes=30
    )


def test_it_lists_every_free_start_and_chair_in_time_then_chair_order():
    busy = {"A": [(at(8), at(10, 30))], "B": [(at(9), at(11)), (at(13), at(16))]}

    starts = free_starts(schedule(busy), DAY, block_minutes=90)

    assert rows(starts) == [
        ("10:30", "12:00", "A"),
        ("13:00", "14:30", "A"),
        ("13:30", "15:00", "A"),
        ("14:00", "15:30", "A"),
        ("14:30", "16:00", "A"),
    ]


def test_it_never_offers_a_block_across_the_lunch_break():
    starts = free_starts(schedule({"A": []}), DAY, block_minutes=90)

    assert ("11:00", "12:30", "A") not in rows(starts)
    assert [r[0] for r in rows(starts)] == [
        "08:00",
        "08:30",
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "13:00",
        "13:30",
        "14:00",
        "14:30",
    ]


def test_it_leaves_out_times_the_patient_is_busy_and_the_wrong_part_of_day():
    patient = [(at(8), at(10))]

    morning = free_starts(schedule({"A": []}), DAY, block_minutes=90, patient_busy=patient, part_of_day="morning")
    afternoon = free_starts(schedule({"A": []}), DAY, block_minutes=90, part_of_day="afternoon")

    assert [r[0] for r in rows(morning)] == ["10:00", "10:30"]
    assert [r[0] for r in rows(afternoon)] == ["13:00", "13:30", "14:00", "14:30"]


def test_it_offers_nothing_on_a_closure_or_a_closed_weekday():
    assert free_starts(schedule({"A": []}, closures={DAY}), DAY, block_minutes=90) == []
    assert free_starts(schedule({"A": []}), date(2026, 12, 12), block_minutes=90) == []  # Saturday
