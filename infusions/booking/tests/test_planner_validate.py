"""validate_plan: re-checks a plan (for example after the front desk moved a visit)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from infusions.booking.planner import ClinicSchedule, Plan, SeriesRules, Visit, plan_series, validate_plan

TZ = ZoneInfo("America/New_York")
HOURS = {w: [(time(8, 0), time(17, 30))] for w in range(6)}  # closed on Sundays
MONDAY = date(2026, 12, 7)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def visit(n, hour=8, minute=0, chair="A", minutes=90):
    start = at(MONDAY + timedelta(days=n), hour, minute)
    return Visit(start, start + timedelta(minutes=minutes), chair)


def schedule(busy=None, closures=()):
    return ClinicSchedule(
        tz=TZ, opening_hours=HOURS, chair_busy=busy or {"A": [], "B": []}, closures=frozenset(closures)
    )


def kinds(problems):
    return sorted(p.kind for p in problems)


def test_it_accepts_a_sound_plan():
    plan = Plan(visits=tuple(visit(n) for n in (0, 2, 4, 7, 9, 11)))

    assert validate_plan(plan, schedule(), block_minutes=90) == []


def test_it_refuses_a_visit_moved_to_the_next_day():
    visits = [visit(n) for n in (0, 2, 3, 7, 9, 11)]

    problems = validate_plan(visits, schedule())

    assert kinds(problems) == ["spacing"]
    assert problems[0].visit_index == 2
    assert problems[0].message == (
        "Visit 3 (Thu 10 Dec 2026) is 1 day after visit 2 (Wed 9 Dec 2026); visits must be at least 2 days apart."
    )


def test_it_flags_a_gap_above_the_maximum_and_a_series_past_the_window():
    visits = [visit(n) for n in (0, 2, 4, 12, 14, 22)]

    problems = validate_plan(visits, schedule())

    assert kinds(problems) == ["max_gap", "max_gap", "window"]
    assert validate_plan(visits, schedule(), rules=SeriesRules(window_days=28, max_gap_days=8)) == []


def test_it_flags_hours_closures_closed_weekdays_and_overlaps():
    busy = {"A": [(at(MONDAY, 9), at(MONDAY, 10))], "B": []}
    visits = [
        visit(0, hour=8, minute=30),  # overlaps 09:00-10:00 in chair A
        visit(2, hour=16, minute=15),  # ends 17:45, after closing
        visit(4),  # closure
        visit(6),  # Sunday
        visit(8, chair="C"),  # no such chair
        visit(10, minutes=60),
    ]

    problems = validate_plan(visits, schedule(busy, closures={MONDAY + timedelta(days=4)}), block_minutes=90)

    assert [(p.kind, p.visit_index) for p in problems] == [
        ("overlap", 0),
        ("hours", 1),
        ("closure", 2),
        ("hours", 3),
        ("chair", 4),
        ("duration", 5),
    ]
    assert "the clinic is closed on Sundays" in problems[3].message


def test_it_accepts_visits_touching_other_bookings():
    busy = {"A": [(at(MONDAY, 8), at(MONDAY, 9)), (at(MONDAY, 10, 30), at(MONDAY, 12))], "B": []}

    assert validate_plan([visit(0, hour=9)], schedule(busy), rules=None) == []


def test_it_flags_an_overlap_with_the_patients_own_appointment():
    problems = validate_plan([visit(0)], schedule(), rules=None, patient_busy=[(at(MONDAY, 9, 15), at(MONDAY, 9, 45))])

    assert kinds(problems) == ["overlap"]
    assert "appointment of the patient" in problems[0].message


def test_it_flags_a_wrong_number_of_visits():
    assert kinds(validate_plan([visit(0), visit(2)], schedule())) == ["count"]


def test_it_numbers_visits_by_date_when_given_out_of_order():
    visits = [visit(4), visit(0), visit(5)]

    problems = validate_plan(visits, schedule(), rules=SeriesRules(count=3))

    assert [(p.kind, p.visit_index) for p in problems] == [("spacing", 2)]
    assert problems[0].message.startswith("Visit 3 (Sat 12 Dec 2026) is 1 day after visit 2 (Fri 11 Dec 2026)")


def test_it_accepts_what_the_planner_returns():
    plan = plan_series(schedule(), block_minutes=90, earliest=MONDAY)

    assert validate_plan(plan, schedule(), block_minutes=90) == []


def test_it_tells_an_overlap_inside_the_plan_from_a_taken_slot():
    visits = [visit(0, hour=8), visit(0, hour=9, chair="B")]

    problems = validate_plan(visits, schedule(), rules=SeriesRules(count=2))

    assert [(p.kind, p.visit_index) for p in problems] == [("plan_overlap", 1), ("spacing", 1)]
    assert problems[0].message == "Visit 2 (Mon 7 Dec 2026, 09:00 EST) overlaps visit 1 of this plan."
