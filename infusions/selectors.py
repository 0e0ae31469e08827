"""Reads for booking and the schedule pages: each a small, fixed number of queries.

The planner is pure; these functions load what it needs (hours, closures, every chair's bookings,
the patient's own bookings) in one query each, as plain tuples, and build its inputs.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from infusions.models import Appointment, Chair, Closure, OpeningHours
from infusions.planner import ClinicSchedule, SeriesRules

# How far ahead the booking pages look: the planner's 60-day horizon plus the longest window.
HORIZON_DAYS = 60
MAX_WINDOW_DAYS = 28


def clinic_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: date, tz: ZoneInfo | None = None) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz or clinic_tz())


def rules_for(protocol) -> SeriesRules:
    return SeriesRules(
        count=protocol.series_count,
        min_gap_days=protocol.min_gap_days,
        max_gap_days=protocol.max_gap_days,
        window_days=protocol.window_days,
    )


def opening_hours() -> dict[int, list[tuple[time, time]]]:
    hours: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for weekday, opens, closes in OpeningHours.objects.values_list("weekday", "opens", "closes"):
        hours[weekday].append((opens, closes))
    return dict(hours)


def clinic_schedule(first: date, last: date, *, exclude_ids=()) -> ClinicSchedule:
    """Hours, closures, active chairs and their active bookings between two local dates (4 queries).

    `exclude_ids` leaves appointments out of the busy times (the visit being moved).
    """
    tz = clinic_tz()
    begin, end = local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz)
    chairs = list(Chair.objects.filter(active=True).values_list("id", flat=True))
    busy: dict[int, list] = {chair: [] for chair in chairs}
    rows = (
        Appointment.objects.active()
        .overlapping(begin, end)
        .filter(chair_id__in=chairs)
        .exclude(id__in=list(exclude_ids))
        .order_by("start")
        .values_list("chair_id", "start", "end")
    )
    for chair, start, stop in rows:
        busy[chair].append((start, stop))
    closures = frozenset(Closure.objects.filter(date__gte=first, date__lte=last).values_list("date", flat=True))
    return ClinicSchedule(tz=tz, opening_hours=opening_hours(), chair_busy=busy, closures=closures)


def patient_busy(patient, first: date, last: date, *, exclude_ids=()) -> list[tuple[datetime, datetime]]:
    """The patient's own active bookings between two local dates (1 query)."""
    tz = clinic_tz()
    begin, end = local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz)
    return list(
        Appointment.objects.active()
        .filter(patient=patient)
        .overlapping(begin, end)
        .exclude(id__in=list(exclude_ids))
        .order_by("start")
        .values_list("start", "end")
    )


def planning_range(earliest: date) -> tuple[date, date]:
    return earliest, earliest + timedelta(days=HORIZON_DAYS + MAX_WINDOW_DAYS + 1)


def day_schedule(day: date) -> dict:
    """Chairs and the day's appointments by chair, in two queries whatever the number of visits."""
    tz = clinic_tz()
    begin, end = local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)
    chairs = list(Chair.objects.filter(active=True))
    by_chair: dict[int, list] = {chair.id: [] for chair in chairs}
    visits = (
        Appointment.objects.filter(start__gte=begin, start__lt=end)
        .select_related("patient", "series")
        .order_by("start", "id")
    )
    for visit in visits:
        if visit.chair_id not in by_chair:  # an inactive chair that still has visits
            by_chair[visit.chair_id] = []
            chairs.append(visit.chair)
        by_chair[visit.chair_id].append(visit)
    return {"columns": [(chair, by_chair[chair.id]) for chair in chairs]}


def week_schedule(monday: date) -> dict:
    """Seven days by chair, in two queries whatever the number of visits."""
    tz = clinic_tz()
    days = [monday + timedelta(days=n) for n in range(7)]
    begin, end = local_midnight(days[0], tz), local_midnight(days[-1] + timedelta(days=1), tz)
    chairs = list(Chair.objects.filter(active=True))
    cells: dict[tuple[int, date], list] = defaultdict(list)
    visits = (
        Appointment.objects.filter(start__gte=begin, start__lt=end)
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("patient", "chair")
        .order_by("start", "id")
    )
    known = {chair.id for chair in chairs}
    for visit in visits:
        if visit.chair_id not in known:
            known.add(visit.chair_id)
            chairs.append(visit.chair)
        cells[(visit.chair_id, visit.start.astimezone(tz).date())].append(visit)
    rows = [(chair, [cells.get((chair.id, d), []) for d in days]) for chair in chairs]
    return {"days": days, "rows": rows}


def propose_series(patient, protocol, *, earliest: date, preferences=None, now=None):
    """The planner's earliest series for this patient from `earliest` (5 queries)."""
    from infusions.planner import Preferences, plan_series

    first, last = planning_range(earliest)
    schedule = clinic_schedule(first, last)
    return plan_series(
        schedule,
        block_minutes=protocol.chair_minutes,
        earliest=earliest,
        rules=rules_for(protocol),
        patient_busy=patient_busy(patient, first, last),
        preferences=preferences or Preferences(),
        horizon_days=HORIZON_DAYS,
        not_before=now,
    )


def propose_maintenance(
    patient, protocol, *, first_date: date, count: int, every_weeks: int, preferences=None, now=None
):
    """Booster visits from `first_date`, every `every_weeks` weeks (5 queries)."""
    from infusions.planner import Preferences, maintenance_plan

    last = first_date + timedelta(weeks=every_weeks * max(count - 1, 0), days=8)
    schedule = clinic_schedule(first_date, last)
    return maintenance_plan(
        schedule,
        first_date=first_date,
        block_minutes=protocol.chair_minutes,
        count=count,
        every_weeks=every_weeks,
        patient_busy=patient_busy(patient, first_date, last),
        preferences=preferences or Preferences(),
        not_before=now,
    )


def free_times(patient, protocol, day: date, *, exclude_ids=(), extra_busy=(), now=None):
    """Free (start, chair) on one day for this patient; `extra_busy` are other visits of a plan being edited."""
    from infusions.planner import free_starts

    schedule = clinic_schedule(day, day, exclude_ids=exclude_ids)
    busy = patient_busy(patient, day, day, exclude_ids=exclude_ids) + list(extra_busy)
    return free_starts(schedule, day, block_minutes=protocol.chair_minutes, patient_busy=busy, not_before=now)
