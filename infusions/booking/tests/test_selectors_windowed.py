"""propose_series reads bookings in growing windows and still gives the whole-range answer."""

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from clinic.tests.factories import ChairFactory, PatientFactory, UserFactory, main_location
from infusions.booking.planner import NoPlan, Plan, Preferences, plan_series
from infusions.booking.selectors import (
    HORIZON_DAYS,
    clinic_schedule,
    patient_busy,
    planning_range,
    propose_series,
)
from infusions.models import Appointment, Closure, InfusionSeries, OpeningHours, Protocol
from infusions.tests.helpers import LA, bookable_patient, clinic, depression, main_clinic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_la")]

EARLIEST = date(2026, 10, 15)  # the range crosses the November change of clocks
NOW = datetime(2026, 10, 14, 12, tzinfo=UTC)


@pytest.fixture
def _la():
    with override_settings(TIME_ZONE="America/Los_Angeles"):
        yield


def whole_range_proposal(patient, protocol, *, earliest, preferences=None, now=None):
    """What propose_series answered before windows: every booking of the whole range, full horizon."""
    first, last = planning_range(earliest)
    return plan_series(
        clinic_schedule(first, last, clinic=main_clinic()),
        block_minutes=protocol.chair_minutes,
        earliest=earliest,
        rules=protocol.series_rules(),
        patient_busy=patient_busy(patient, first, last, clinic=main_clinic()),
        preferences=preferences or Preferences(),
        horizon_days=HORIZON_DAYS,
        not_before=now,
    )


def local(day, minute):
    return datetime.combine(day, time(0), tzinfo=LA) + timedelta(minutes=minute)


def random_clinic(rng):
    """Chairs, hours, closures and bookings; the first `full_days` days are fully booked (late or no plans)."""
    user = UserFactory()
    protocol = Protocol.objects.get(pk=depression().pk)
    chairs = clinic(chairs=rng.randint(1, 3))
    spare = ChairFactory(name="Spare chair", position=99, active=False)  # holds the patient's own visits
    if rng.random() < 0.3:
        OpeningHours.objects.filter(weekday=rng.randrange(7)).delete()
    for _ in range(rng.randint(0, 6)):
        Closure.objects.get_or_create(location=main_location(), date=EARLIEST + timedelta(days=rng.randrange(90)))
    full_days = rng.choice((0, 0, 5, 25, 40, 60, 95))
    rows = []
    for chair in [*chairs, spare]:
        owner = PatientFactory(created_by=user)
        series = InfusionSeries.objects.create(
            location=main_location(), patient=owner, protocol=protocol, created_by=user
        )
        minute = 0  # minutes since local midnight of EARLIEST (wall clock, local day by local day)
        while minute < 92 * 24 * 60:
            day = EARLIEST + timedelta(days=minute // (24 * 60))
            offset = day - EARLIEST
            if chair == spare:
                break
            if offset.days < full_days:
                # A whole day, up to midnight into the next, as three 8-hour visits (no visit is
                # longer than 12 hours: a database constraint).
                begin, length = minute, 8 * 60
            else:
                begin = minute + rng.choice((0, 15, 45, 120, 300))
                length = rng.choice((90, 90, 180, 30, 600))  # some run past midnight
            status = rng.choice([Appointment.Status.SCHEDULED] * 6 + [Appointment.Status.CANCELLED])
            start_day = EARLIEST + timedelta(days=begin // (24 * 60))
            start = local(start_day, begin % (24 * 60))
            rows.append(
                Appointment(
                    series=series,
                    patient=owner,
                    chair=chair,
                    sequence=1,
                    start=start,
                    end=start + timedelta(minutes=length),
                    status=status,
                )
            )
            minute = begin + length
    patient = bookable_patient()
    own_series = InfusionSeries.objects.create(
        location=main_location(), patient=patient, protocol=protocol, created_by=user
    )
    for day in rng.sample(range(60), rng.randint(0, 8)):  # one a day: the patient never overlaps itself
        start = local(EARLIEST + timedelta(days=day), rng.choice((480, 540, 600, 780)))
        rows.append(
            Appointment(
                series=own_series, patient=patient, chair=spare, sequence=1, start=start, end=start + timedelta(hours=3)
            )
        )
    Appointment.objects.bulk_create(rows)
    return patient, full_days


def random_protocol(rng):
    protocol = Protocol.objects.get(pk=depression().pk)
    protocol.chair_minutes = rng.choice((90, 90, 180, 300))
    protocol.series_count = rng.choice((1, 3, 6, 6))
    protocol.min_gap_days = rng.choice((2, 2, 3))
    protocol.max_gap_days = protocol.min_gap_days + rng.choice((0, 2, 5))
    protocol.window_days = rng.choice((14, 21, 21, 28))
    return protocol


def random_preferences(rng):
    return Preferences(
        weekdays=rng.choice((None, None, frozenset({0, 2, 4}), frozenset({5}))),
        part_of_day=rng.choice((None, None, "morning", "afternoon")),
    )


@pytest.mark.parametrize("seed", range(12))
def test_it_proposes_what_the_whole_range_proposes(seed):
    rng = random.Random(seed)
    patient, _ = random_clinic(rng)
    for _ in range(4):
        protocol = random_protocol(rng)
        preferences = random_preferences(rng)
        earliest = EARLIEST + timedelta(days=rng.choice((0, 0, 3, 10)))
        now = rng.choice((NOW, datetime.combine(earliest, time(11), tzinfo=LA)))
        windowed = propose_series(
            patient, protocol, earliest=earliest, preferences=preferences, now=now, clinic=main_clinic()
        )
        whole = whole_range_proposal(patient, protocol, earliest=earliest, preferences=preferences, now=now)
        assert windowed == whole


def test_the_random_clinics_cover_early_late_and_missing_plans():
    """The comparison above is only worth something if it meets each case: plan in the first window, later, none."""
    seen = set()
    for seed in range(12):
        rng = random.Random(seed)
        with transaction.atomic():
            patient, _ = random_clinic(rng)
            plan = propose_series(patient, random_protocol(rng), earliest=EARLIEST, now=NOW, clinic=main_clinic())
            transaction.set_rollback(True)
        if isinstance(plan, NoPlan):
            seen.add("none")
        else:
            first = plan.visits[0].start.astimezone(LA).date()
            seen.add("first window" if (first - EARLIEST).days < 8 else "widened")
    assert seen == {"first window", "widened", "none"}


def test_it_treats_days_past_the_first_window_as_unknown_not_free():
    """Days 0-39 are booked but for days 3 and 26; day 40 on is free.

    With only the first 28 days read, a planner that took the unread days for free would start on day 26
    (then days 29, 31, ...); the right answer starts on day 40.
    """
    (chair,) = clinic(chairs=1)
    protocol = depression()
    patient = bookable_patient()
    user = UserFactory()
    owner = PatientFactory(created_by=user)
    series = InfusionSeries.objects.create(location=main_location(), patient=owner, protocol=protocol, created_by=user)
    Appointment.objects.bulk_create(
        Appointment(
            series=series,
            patient=owner,
            chair=chair,
            sequence=1,
            start=local(EARLIEST + timedelta(days=n), third * 8 * 60),
            end=local(EARLIEST + timedelta(days=n), (third + 1) * 8 * 60),
        )
        for n in range(40)
        if n not in (3, 26)
        for third in range(3)  # a whole day as three 8-hour visits (none may last over 12 hours)
    )
    plan = propose_series(patient, protocol, earliest=EARLIEST, now=NOW, clinic=main_clinic())
    assert isinstance(plan, Plan)
    assert plan.visits[0].start == local(EARLIEST + timedelta(days=40), 8 * 60)
    assert plan == whole_range_proposal(patient, protocol, earliest=EARLIEST, now=NOW)


def test_it_reads_five_queries_when_the_plan_starts_in_the_first_window():
    clinic(chairs=2)
    patient = bookable_patient()
    protocol = depression()
    main = main_clinic()
    with CaptureQueriesContext(connection) as captured:
        plan = propose_series(patient, protocol, earliest=EARLIEST, now=NOW, clinic=main)
    assert isinstance(plan, Plan)
    assert len(captured) == 5


def test_it_reads_three_more_queries_per_widening_and_explains_no_plan_as_before():
    clinic(chairs=1)
    patient = bookable_patient()
    protocol = depression()
    Closure.objects.bulk_create(
        [Closure(location=main_location(), date=EARLIEST + timedelta(days=n)) for n in range(95)]
    )
    main = main_clinic()
    with CaptureQueriesContext(connection) as captured:
        plan = propose_series(patient, protocol, earliest=EARLIEST, now=NOW, clinic=main)
    assert isinstance(plan, NoPlan)
    assert len(captured) == 5 + 3 + 3  # 28 days, 56 days, then the whole 89-day range
    assert plan == whole_range_proposal(patient, protocol, earliest=EARLIEST, now=NOW)
