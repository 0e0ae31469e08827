"""Planning a series through the real database: selectors (queries) + planner, 8 chairs, 90 days.

About 2,400 active appointments (x1), at most one starting in any quarter hour (the location's
staggered-starts cap); then 10x the rows two ways: `x10_history`, the same 90 days after nine
times as many days of earlier visits (a clinic's history growing, 90% in the past), and `x10`, the
occupancy split into 10 back-to-back pieces per booking (all inside the 90 days, so the window read
really holds 10x the rows; its pieces start every few minutes, as no real booking could). Reports p50/p95 ms of
`selectors.propose_series` and its number of queries: the common case (a plan in the first window
of bookings read), and the worst case (no plan at all, so the read widens to the whole 89-day
range: only Saturdays, six of them cannot fit in 21 days).
"""

import random
import statistics
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

RUNS = 60
WARM_UP = 3
CHAIRS = 8
DAYS = 90


def _setup():
    from clinic.tests.factories import ChairFactory, ScreeningFactory, UserFactory, open_every_day
    from infusions.models import Protocol

    open_every_day(time(8, 0), time(17, 30))
    chairs = [ChairFactory(name=f"Bench chair {n}", position=n) for n in range(1, CHAIRS + 1)]
    protocol, _ = Protocol.objects.get_or_create(
        indication="depression", defaults={"chair_minutes": 90, "infusion_minutes": 40, "dose_mg_per_kg": "0.50"}
    )
    return chairs, protocol, UserFactory(), ScreeningFactory(outcome="clear").patient


def _fill(chairs, protocol, user, start_day, scale, seed=11, days=DAYS, status="scheduled"):
    from clinic.tests.factories import PatientFactory, main_location
    from infusions.models import Appointment, InfusionSeries

    tz = ZoneInfo("America/Los_Angeles")
    rng = random.Random(seed)
    rows = []
    # Whole bookings (scale 1) keep the location's staggered starts, as every booking through the site does: at
    # most one starts in a quarter hour (the default cap), so a chair waits for the next quarter hour no other
    # chair starts in. Before the staggered-starts cap the eight chairs started together, which no booking may do now.
    started: dict[int, set[int]] = {}  # day -> minutes after opening at which a booking starts
    for chair in chairs:
        patient = PatientFactory(created_by=user)  # one per chair: a patient never overlaps itself
        series = InfusionSeries.objects.create(
            location=main_location(), patient=patient, protocol=protocol, created_by=user
        )
        for offset in range(days):
            opens = datetime.combine(start_day + timedelta(days=offset), time(8, 0), tzinfo=tz).astimezone(UTC)
            minute = 0
            taken = started.setdefault(offset, set())
            while True:
                minute += rng.choice((0, 0, 0, 0, 15))
                while scale == 1 and minute in taken:
                    minute += 15
                length = rng.choice((90, 90, 90, 90, 90, 180))
                if minute + length > 570:
                    break
                taken.add(minute)
                piece = timedelta(minutes=length) / scale
                begin = opens + timedelta(minutes=minute)
                for k in range(scale):
                    rows.append(
                        Appointment(
                            series=series,
                            patient=patient,
                            chair=chair,
                            sequence=1,
                            start=begin + piece * k,
                            end=begin + piece * (k + 1),
                            status=status,
                        )
                    )
                minute += length
    Appointment.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _measure(patient, protocol, earliest, preferences=None, runs=RUNS):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clinic.context import clinic_context
    from clinic.tests.factories import main_location
    from infusions.booking.planner import Plan
    from infusions.booking.selectors import propose_series

    timings, queries, found = [], 0, 0
    now = datetime.combine(earliest, time(0), tzinfo=UTC)
    clinic = clinic_context(main_location())  # the one location the bench's chairs stand at
    for _ in range(WARM_UP):  # a fresh connection and cold caches are not what a busy desk sees
        propose_series(patient, protocol, clinic=clinic, earliest=earliest, preferences=preferences, now=now)
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            began = clock.perf_counter()
            plan = propose_series(patient, protocol, clinic=clinic, earliest=earliest, preferences=preferences, now=now)
            timings.append((clock.perf_counter() - began) * 1000)
        queries = len(captured)
        found += isinstance(plan, Plan)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "queries": queries,
        "plans_found": found,
        "runs": runs,
    }


def _analyze():
    """PostgreSQL: fresh planner statistics after the bulk load, as autovacuum gives a live database.
    (SQLite is left as a deployment has it: never analysed.)"""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def run() -> dict:
    from django.test.utils import override_settings

    from infusions.booking.planner import Preferences
    from infusions.models import Appointment

    start_day = date(2026, 10, 15)
    out = {"chairs": CHAIRS, "days": DAYS}
    with override_settings(TIME_ZONE="America/Los_Angeles"):
        chairs, protocol, user, patient = _setup()
        for label, scale, history_days in (("x1", 1, 0), ("x10_history", 1, 9 * DAYS), ("x10", 10, 0)):
            Appointment.objects.all().delete()
            rows = _fill(chairs, protocol, user, start_day, scale)
            if history_days:
                first = start_day - timedelta(days=history_days)
                rows += _fill(chairs, protocol, user, first, 1, seed=5, days=history_days, status="completed")
            _analyze()
            result = _measure(patient, protocol, start_day)
            result["appointments"] = rows
            result["worst_case_no_plan"] = _measure(
                patient, protocol, start_day, Preferences(weekdays=frozenset({5})), runs=RUNS // 3
            )
            out[label] = result
    return out
