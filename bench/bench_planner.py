"""Series planner speed: 8 chairs, 90 days of bookings (3,000+ appointments), and 10x the bookings.

Pure Python, no database (the planner is a pure module; the DB layer's query count is measured
elsewhere). Reports p50/p95 milliseconds for:
- `plan_ms`: plan_series() on a schedule whose busy-time index is already built;
- `end_to_end_ms`: build ClinicSchedule from the raw interval lists (index included) and plan,
  which is what one booking request pays after its queries (lists in start order, UTC, as the
  database returns them; `index_build_unsorted_input_ms` shows the cost of shuffled input);
- `no_plan_ms`: the worst case, a patient whose preferences fit no day, so the whole horizon is
  searched before the NoPlan reason is written.
The 10x case splits every booking into 10 back-to-back intervals: the same occupancy, 10x rows.
"""

import random
import statistics
import sys
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from infusions.booking.planner import ClinicSchedule, Plan, Preferences, SeriesRules, plan_series

TZ = ZoneInfo("America/Los_Angeles")
START = date(2026, 10, 15)  # the 90 days include the 2026-11-01 change of clocks
DAYS = 90
CHAIRS = [f"Chair {n}" for n in range(1, 9)]
HOURS = {weekday: [(time(8, 0), time(17, 30))] for weekday in range(7)}
BLOCK = 90
PLANS = 200


def build_bookings(scale: int, seed: int = 7) -> dict[str, list[tuple[datetime, datetime]]]:
    """About 5 bookings per chair and day (60-300 minutes) on the 15-minute grid; full days for two weeks."""
    rng = random.Random(seed)
    busy: dict[str, list[tuple[datetime, datetime]]] = {chair: [] for chair in CHAIRS}
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        opens = datetime.combine(day, time(8, 0), tzinfo=TZ).astimezone(UTC)
        for chair in CHAIRS:
            minute = 0
            while True:
                # The next two weeks are nearly full; later weeks have more gaps.
                minute += rng.choice((0, 0, 0, 0, 0, 15, 30) if offset < 14 else (0, 0, 0, 15, 30, 45, 60, 90))
                length = rng.choice((90, 90, 90, 90, 90, 90, 90, 180, 300)) if rng.random() < 0.8 else 60
                if minute >= 570:
                    break
                length = min(length, 570 - minute)
                start = opens + timedelta(minutes=minute)
                piece = timedelta(minutes=length) / scale
                # Stored in UTC, as the database returns them.
                busy[chair].extend((start + piece * k, start + piece * (k + 1)) for k in range(scale))
                minute += length
    for intervals in busy.values():
        intervals.sort()  # as the booking service passes them: ORDER BY start
    return busy


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered), 3),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
        "max": round(ordered[-1], 3),
    }


def _timed(fn) -> tuple[float, object]:
    began = clock.perf_counter()
    result = fn()
    return (clock.perf_counter() - began) * 1000, result


def run_scale(scale: int) -> dict:
    busy = build_bookings(scale)
    rules = SeriesRules()
    rng = random.Random(11)
    # Each request: a patient with an earliest date in the first 30 days and a few own appointments.
    requests = []
    for _ in range(PLANS):
        earliest = START + timedelta(days=rng.randrange(30))
        own_day = datetime.combine(earliest + timedelta(days=rng.randrange(1, 10)), time(9), tzinfo=TZ)
        patient = [(own_day, own_day + timedelta(hours=2))]
        part = rng.choice((None, None, "morning", "afternoon"))
        requests.append((earliest, patient, Preferences(part_of_day=part)))

    def schedule():
        return ClinicSchedule(tz=TZ, opening_hours=HOURS, chair_busy=busy)

    build_ms, prepared = _timed(lambda: schedule().prepare())
    shuffled = {chair: random.Random(3).sample(intervals, len(intervals)) for chair, intervals in busy.items()}
    unsorted_build_ms, _ = _timed(lambda: ClinicSchedule(tz=TZ, opening_hours=HOURS, chair_busy=shuffled).prepare())
    plan_ms, end_to_end_ms, found, days_to_first = [], [], 0, []
    for earliest, patient, prefs in requests:
        ms, result = _timed(
            lambda e=earliest, p=patient, f=prefs: plan_series(
                prepared, block_minutes=BLOCK, earliest=e, rules=rules, patient_busy=p, preferences=f
            )
        )
        plan_ms.append(ms)
        if isinstance(result, Plan):
            found += 1
            days_to_first.append((result.visits[0].start.date() - earliest).days)
    for earliest, patient, prefs in requests[:100]:
        ms, _ = _timed(
            lambda e=earliest, p=patient, f=prefs: plan_series(
                schedule(), block_minutes=BLOCK, earliest=e, rules=rules, patient_busy=p, preferences=f
            )
        )
        end_to_end_ms.append(ms)
    # Worst case: only Sundays mornings wanted but six Sundays cannot be 2-7 days apart, so every
    # first date in the horizon is tried and the reason is written.
    no_plan_ms = []
    for earliest, patient, _ in requests[:50]:
        ms, result = _timed(
            lambda e=earliest, p=patient: plan_series(
                prepared,
                block_minutes=BLOCK,
                earliest=e,
                rules=rules,
                patient_busy=p,
                preferences=Preferences(weekdays=frozenset({6}), part_of_day="morning"),
            )
        )
        assert not isinstance(result, Plan)  # noqa: S101 - the scenario is built to have no plan
        no_plan_ms.append(ms)
    return {
        "chairs": len(CHAIRS),
        "days": DAYS,
        "busy_intervals": sum(len(v) for v in busy.values()),
        "plans": len(requests),
        "plans_found": found,
        "median_days_to_first_visit": statistics.median(days_to_first) if days_to_first else None,
        "index_build_ms": round(build_ms, 3),
        "index_build_unsorted_input_ms": round(unsorted_build_ms, 3),
        "plan_ms": _percentiles(plan_ms),
        "end_to_end_ms": _percentiles(end_to_end_ms),
        "no_plan_ms": _percentiles(no_plan_ms),
        "target_p95_ms": 25,
    }


def run(n_appointments_scale: int | None = None) -> dict:
    """One scale (1 = 3,000+ bookings, 10 = 10x), or both when called without an argument (`make bench`)."""
    if n_appointments_scale is not None:
        return run_scale(n_appointments_scale)
    return {f"x{scale}": run_scale(scale) for scale in (1, 10)}


if __name__ == "__main__":
    import json

    scales = [int(a) for a in sys.argv[1:]] or [1, 10]
    print(json.dumps({f"x{s}": run_scale(s) for s in scales}, indent=2))
