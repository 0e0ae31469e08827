"""Property tests: the planner against an independent brute force on small clinics.

The brute force shares no code with the planner: it walks every UTC instant on the grid, keeps
those whose local clock shows the day and a grid time, checks hours and overlaps by linear scans,
counts the booked starts per local quarter hour (date, hour, quarter and UTC offset, so the two
01:00s of a fall-back night are two quarter hours) and tries every combination of days.
"""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infusions.booking.planner import (
    ClinicSchedule,
    NoPlan,
    Plan,
    Preferences,
    SeriesRules,
    Visit,
    free_starts,
    plan_series,
    validate_plan,
)

LA, BERLIN = ZoneInfo("America/Los_Angeles"), ZoneInfo("Europe/Berlin")
# A zone and a day its clocks change (or an ordinary day in UTC).
CHANGES = [
    (LA, date(2026, 3, 8)),
    (LA, date(2026, 11, 1)),
    (LA, date(2027, 3, 14)),
    (BERLIN, date(2026, 3, 29)),
    (BERLIN, date(2026, 10, 25)),
    (ZoneInfo("UTC"), date(2026, 7, 1)),
]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def clinics(draw):
    tz, change = draw(st.sampled_from(CHANGES))
    earliest = change - timedelta(days=draw(st.integers(0, 4)))
    granularity = draw(st.sampled_from([30, 60]))
    block = draw(st.sampled_from([30, 60, 90, 120]))
    hours = {}
    if draw(st.booleans()):  # night hours every day, so visits meet the changes of clocks
        night = (time(0, 0), time(draw(st.integers(2, 6)), 0))
        hours = {weekday: [night] for weekday in range(7)}
    for weekday in range(7 if not hours else 0):
        intervals = []
        for _ in range(draw(st.integers(0, 2))):
            opens = draw(st.integers(0, 21 * 2)) * 30  # minutes; night hours reach the DST changes
            closes = min(opens + draw(st.integers(1, 8)) * 30, 23 * 60 + 30)
            intervals.append((time(opens // 60, opens % 60), time(closes // 60, closes % 60)))
        hours[weekday] = intervals
    rules_count = draw(st.integers(1, 4))
    min_gap = draw(st.integers(1, 3))
    max_gap = min_gap + draw(st.integers(0, 3))
    window = (rules_count - 1) * min_gap + draw(st.integers(0, 6))
    rules = SeriesRules(count=rules_count, min_gap_days=min_gap, max_gap_days=max_gap, window_days=window)
    horizon = draw(st.integers(1, 8))
    span = horizon + window + 1

    def intervals(max_size):
        out = []
        for _ in range(draw(st.integers(0, max_size))):
            d = earliest + timedelta(days=draw(st.integers(-1, span)))
            start = datetime.combine(d, time(0), tzinfo=tz).astimezone(UTC) + timedelta(
                minutes=draw(st.integers(0, 47)) * 30
            )
            out.append((start, start + timedelta(minutes=draw(st.integers(1, 16)) * 30)))
        return out

    chairs = {f"chair-{n}": intervals(8) for n in range(draw(st.integers(1, 3)))}
    # Staggered starts: the chairs' bookings start somewhere, and a few more (in other chairs, or 5 minutes
    # off the grid, given in UTC or local time) do too; None: no limit.
    cap = draw(st.sampled_from([None, 1, 1, 2, 3]))
    booked = [start for busy in chairs.values() for start, _ in busy]
    for _ in range(draw(st.integers(0, 4))):
        d = earliest + timedelta(days=draw(st.integers(0, span)))
        start = datetime.combine(d, time(0), tzinfo=tz).astimezone(UTC) + timedelta(
            minutes=draw(st.integers(0, 24 * 12 - 1)) * 5
        )
        booked.append(start.astimezone(tz) if draw(st.booleans()) else start)
    starts = Counter(booked)
    closures = frozenset(earliest + timedelta(days=n) for n in range(span) if draw(st.booleans()) and n % 3 == 0)
    patient = intervals(3)
    weekdays = draw(st.none() | st.frozensets(st.integers(0, 6), min_size=1))
    part = draw(st.sampled_from([None, "morning", "afternoon"]))
    schedule = ClinicSchedule(
        tz=tz,
        opening_hours=hours,
        chair_busy=chairs,
        closures=closures,
        granularity_minutes=granularity,
        start_cap=cap,
        starts=starts,
    )
    return {
        "schedule": schedule,
        "rules": rules,
        "block": block,
        "earliest": earliest,
        "change": change,
        "horizon": horizon,
        "patient": patient,
        "preferences": Preferences(weekdays=weekdays, part_of_day=part),
    }


@st.composite
def sparse_days(draw):
    """One chair, a short day, many closed days: the search over days (and its backtracking) matters."""
    tz, change = draw(st.sampled_from(CHANGES))
    earliest = change - timedelta(days=draw(st.integers(0, 4)))
    count = draw(st.integers(2, 5))
    min_gap = draw(st.integers(1, 3))
    max_gap = min_gap + draw(st.integers(0, 4))
    window = (count - 1) * min_gap + draw(st.integers(0, 8))
    horizon = draw(st.integers(1, 10))
    span = horizon + window + 1
    open_days = draw(st.lists(st.booleans(), min_size=span, max_size=span))
    closures = frozenset(earliest + timedelta(days=n) for n, is_open in enumerate(open_days) if not is_open)
    schedule = ClinicSchedule(
        tz=tz,
        opening_hours={w: [(time(8), time(10))] for w in range(7)},
        chair_busy={"chair-0": []},
        closures=closures,
        granularity_minutes=60,
    )
    return {
        "schedule": schedule,
        "rules": SeriesRules(count=count, min_gap_days=min_gap, max_gap_days=max_gap, window_days=window),
        "block": 60,
        "earliest": earliest,
        "change": change,
        "horizon": horizon,
        "patient": [],
        "preferences": Preferences(),
    }


def overlaps(s, e, intervals):
    return any(s < b and a < e for a, b in intervals)


def brute_quarter(instant, tz):
    """The local quarter hour an instant falls in; the offset tells the two 01:00s of a fall-back night apart."""
    local = instant.astimezone(tz)
    return (local.date(), local.hour, local.minute // 15, local.utcoffset())


def brute_booked_starts(schedule):
    counts = Counter()
    for instant, n in schedule.starts.items():
        counts[brute_quarter(instant, schedule.tz)] += n
    return counts


def brute_quarter_full(schedule, instant):
    cap = schedule.start_cap
    return cap is not None and brute_booked_starts(schedule)[brute_quarter(instant, schedule.tz)] >= cap


def brute_slots(case, d, part_of_day="use preferences", weekdays="use preferences", stagger=True):
    """Every (start, chair) on local date d, in time then chair order (`stagger`: not in a full quarter hour)."""
    schedule, block = case["schedule"], timedelta(minutes=case["block"])
    tz, g = schedule.tz, schedule.granularity_minutes
    prefs = case["preferences"]
    part = prefs.part_of_day if part_of_day == "use preferences" else part_of_day
    weekdays = prefs.weekdays if weekdays == "use preferences" else weekdays
    if d in schedule.closures or (weekdays is not None and d.weekday() not in weekdays):
        return []
    slots = []
    instant = datetime.combine(d, time(0), tzinfo=UTC) - timedelta(hours=16)
    while instant < datetime.combine(d, time(0), tzinfo=UTC) + timedelta(hours=40):
        local = instant.astimezone(tz)
        instant_end = instant + block
        minute = local.hour * 60 + local.minute
        if local.date() == d and minute % g == 0:
            in_hours = any(
                datetime.combine(d, o, tzinfo=tz) <= instant and instant_end <= datetime.combine(d, c, tzinfo=tz)
                for o, c in schedule.opening_hours.get(d.weekday(), [])
            )
            part_ok = part is None or (part == "morning") == (local.time() < time(12))
            full = stagger and brute_quarter_full(schedule, instant)
            if in_hours and part_ok and not full and not overlaps(instant, instant_end, case["patient"]):
                for chair, busy in schedule.chair_busy.items():
                    if not overlaps(instant, instant_end, busy):
                        slots.append((instant, chair))
        instant += timedelta(minutes=g)
    return slots


def brute_plan(case):
    """The lexicographically earliest list of (start, chair), or None."""
    rules, earliest = case["rules"], case["earliest"]
    last_day = earliest + timedelta(days=case["horizon"] - 1 + rules.window_days)
    best_per_day = {}
    d = earliest
    while d <= last_day:
        slots = brute_slots(case, d)
        if slots:
            best_per_day[d] = slots[0]
        d += timedelta(days=1)
    best = None
    for days in combinations(sorted(best_per_day), rules.count):
        if (days[0] - earliest).days >= case["horizon"]:
            break
        gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
        if all(rules.min_gap_days <= gap <= rules.max_gap_days for gap in gaps) and (
            (days[-1] - days[0]).days <= rules.window_days
        ):
            candidate = [best_per_day[x] for x in days]
            if best is None or [s for s, _ in candidate] < [s for s, _ in best]:
                best = candidate
    return best


def run_planner(case):
    return plan_series(
        case["schedule"],
        block_minutes=case["block"],
        earliest=case["earliest"],
        rules=case["rules"],
        patient_busy=case["patient"],
        preferences=case["preferences"],
        horizon_days=case["horizon"],
    )


@SETTINGS
@given(clinics() | sparse_days())
def test_it_finds_a_plan_exactly_when_brute_force_does_and_the_same_earliest_one(case):
    result = run_planner(case)
    expected = brute_plan(case)

    if expected is None:
        assert isinstance(result, NoPlan)
        assert result.reason
    else:
        assert isinstance(result, Plan)
        # In UTC: Python never finds a time in a repeated (fall-back) hour equal to one in another zone.
        assert [(v.start.astimezone(UTC), v.chair_id) for v in result.visits] == expected


@SETTINGS
@given(clinics())
def test_it_returns_only_plans_that_keep_every_rule(case):
    result = run_planner(case)

    if isinstance(result, Plan):
        assert (
            validate_plan(
                result, case["schedule"], rules=case["rules"], patient_busy=case["patient"], block_minutes=case["block"]
            )
            == []
        )
        tz = case["schedule"].tz
        first = result.visits[0].start.astimezone(tz).date()
        assert case["earliest"] <= first < case["earliest"] + timedelta(days=case["horizon"])
        for visit in result.visits:
            local = visit.start.astimezone(tz)
            assert local.tzinfo == tz
            assert visit.end.astimezone(UTC) - visit.start.astimezone(UTC) == timedelta(minutes=case["block"])
            prefs = case["preferences"]
            assert prefs.weekdays is None or local.weekday() in prefs.weekdays
            assert prefs.part_of_day is None or (prefs.part_of_day == "morning") == (local.time() < time(12))


@SETTINGS
@given(clinics(), st.none() | st.integers(0, 6))
def test_it_lists_the_same_free_starts_as_brute_force(case, offset):
    day = case["change"] if offset is None else case["earliest"] + timedelta(days=offset)
    part = case["preferences"].part_of_day

    listed = free_starts(
        case["schedule"], day, block_minutes=case["block"], patient_busy=case["patient"], part_of_day=part
    )

    assert [(s.start.astimezone(UTC), s.chair_id) for s in listed] == brute_slots(case, day, weekdays=None)


@SETTINGS
@given(clinics(), st.data())
def test_it_validates_series_rules_like_brute_force(case, data):
    # Any visits the brute force sees as free: only the series rules can be broken.
    rules, schedule = case["rules"], case["schedule"]
    pool = []
    for offset in range(case["horizon"] + rules.window_days + 3):
        slots = brute_slots(case, case["earliest"] + timedelta(days=offset), part_of_day=None, weekdays=None)
        if slots:
            pool.append(slots[0])
    picked = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=5, unique=True)) if pool else []
    block = timedelta(minutes=case["block"])
    visits = [Visit(s, s + block, chair) for s, chair in picked]

    kinds = {p.kind for p in validate_plan(visits, schedule, rules=rules, patient_busy=case["patient"])}

    days = sorted(s.astimezone(schedule.tz).date() for s, _ in picked)
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    expected = set()
    if len(visits) != rules.count:
        expected.add("count")
    if any(gap < rules.min_gap_days for gap in gaps):
        expected.add("spacing")
    if any(gap > rules.max_gap_days for gap in gaps):
        expected.add("max_gap")
    if days and (days[-1] - days[0]).days > rules.window_days:
        expected.add("window")
    assert kinds == expected


@SETTINGS
@given(clinics(), st.data())
def test_it_reports_starts_beyond_the_cap_like_brute_force(case, data):
    # Visits in free chairs, full quarter hours or not, several a day: the booked starts and the plan's own
    # (in date order) may fill a quarter hour.
    schedule = case["schedule"]
    pool = []
    for offset in range(4):
        day = case["earliest"] + timedelta(days=offset)
        pool += brute_slots(case, day, part_of_day=None, weekdays=None, stagger=False)
    picked = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=5, unique=True)) if pool else []
    block = timedelta(minutes=case["block"])
    visits = [Visit(s, s + block, chair) for s, chair in picked]

    flagged = {p.visit_index for p in validate_plan(visits, schedule, rules=None) if p.kind == "stagger"}

    expected = set()
    if schedule.start_cap is not None:
        counts = brute_booked_starts(schedule)
        for i in sorted(range(len(picked)), key=lambda i: picked[i][0]):
            counts[brute_quarter(picked[i][0], schedule.tz)] += 1
            if counts[brute_quarter(picked[i][0], schedule.tz)] > schedule.start_cap:
                expected.add(i)
    assert flagged == expected
