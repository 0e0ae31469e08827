"""Reads for the booking, schedule, series and day sheet pages: each a small, fixed number of queries.

Each function reads one location's chairs, hours and closures, with local dates and day bounds from its clinic
context (`clinic.context`). The planner is pure; these load what it needs in one query each, as plain tuples.
Series proposals read bookings in growing date windows (`propose_series`): most plans start within days.
"""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection

from clinic.context import ClinicContext, clinic_context
from infusions import reminders
from infusions.booking.planner import (
    MAX_WINDOW_DAYS,
    ClinicSchedule,
    FreeStart,
    Preferences,
    StartCounts,
    free_starts,
    quarter_hour,
)
from infusions.models import Appointment, Chair, Closure, InfusionSeries, MaintenanceOrder, OpeningHours
from intake.eligibility import booking_eligibility_for
from intake.models import Patient

# How far ahead the booking pages look: the planner's 60-day horizon plus the longest window (MAX_WINDOW_DAYS).
HORIZON_DAYS = 60


def opening_hours(location) -> dict[int, list[tuple[time, time]]]:
    hours: dict[int, list[tuple[time, time]]] = defaultdict(list)
    rows = OpeningHours.objects.filter(location=location).values_list("weekday", "opens", "closes")
    for weekday, opens, closes in rows:
        hours[weekday].append((opens, closes))
    return dict(hours)


def clinic_schedule(first: date, last: date, *, clinic: ClinicContext, exclude_ids=()) -> ClinicSchedule:
    """The location's hours, closures, active chairs and their active bookings between two local dates, and the
    starts per quarter hour of every active visit at the location with its cap (staggered starts) (4 queries).

    `exclude_ids` leaves appointments out of the busy times and the starts (the visit being moved).
    """
    location = clinic.location
    begin, end = clinic.day_bounds(first, last)
    chairs = active_chair_ids(location)
    busy: dict[int, list] = {chair: [] for chair in chairs}
    starts: Counter[datetime] = Counter()
    rows = (
        Appointment.objects.active()
        .overlapping(begin, end)
        .filter(chair__location=location)  # an inactive chair's visits still start: a nurse places their IV
        .exclude(id__in=list(exclude_ids))
        .order_by("start")
        .values_list("chair_id", "start", "end")
    )
    for chair, start, stop in rows:
        if chair in busy:
            busy[chair].append((start, stop))
        starts[quarter_hour(start, clinic.tz)] += 1
    closures = frozenset(
        Closure.objects.at(location).filter(date__gte=first, date__lte=last).values_list("date", flat=True)
    )
    return ClinicSchedule(
        tz=clinic.tz,
        opening_hours=opening_hours(location),
        chair_busy=busy,
        closures=closures,
        start_cap=location.starts_per_quarter_hour,
        starts=starts,
    )


def patient_busy(
    patient, first: date, last: date, *, clinic: ClinicContext, exclude_ids=()
) -> list[tuple[datetime, datetime]]:
    """The patient's own active bookings, at any location, between two local dates (1 query)."""
    begin, end = clinic.day_bounds(first, last)
    return list(
        Appointment.objects.active()
        .filter(patient=patient)
        .overlapping(begin, end)
        .exclude(id__in=list(exclude_ids))
        .order_by("start")
        .values_list("start", "end")
    )


def patient_visit_days(patient, *, clinic: ClinicContext, exclude_ids=(), exclude_series_id=None) -> list[date]:
    """The local dates of the patient's active visits in every series and location (1 query), for the spacing
    across series."""
    rows = Appointment.objects.active().filter(patient=patient).exclude(id__in=list(exclude_ids))
    if exclude_series_id is not None:
        rows = rows.exclude(series_id=exclude_series_id)
    return [clinic.local_date(start) for start in rows.values_list("start", flat=True)]


def deferred_days(patient, first: datetime, last: datetime, *, exclude_ids=()) -> list[tuple[tuple, date]]:
    """The local days around the instants first..last on which a visit of the patient was deferred at check-in,
    each as ((start, end) instants, local date) in the zone of the location where it was deferred (1 query).

    A deferral holds the whole of its local day (`planner.on_deferred_days`): every booking path and the
    infusion day ask this. A visit is deferred only at its check-in, on its own day, so its start lies within
    the day it holds; a local day is at most 25 hours, so the deferrals within a day of first..last are all
    that can hold those instants.
    """
    from clinic.models import Location

    margin = timedelta(hours=26)
    rows = (
        Appointment.objects.filter(
            patient_id=getattr(patient, "pk", patient),
            status=Appointment.Status.DEFERRED,
            start__gte=first - margin,
            start__lt=last + margin,
        )
        .exclude(id__in=list(exclude_ids))
        .values_list("start", "chair__location__time_zone")
    )
    days = set()
    for start, zone in rows:
        context = ClinicContext(tz=Location(time_zone=zone).tz)
        day = context.local_date(start)
        days.add((context.day_bounds(day), day))
    return sorted(days, key=lambda found: found[0][0])


def with_holds(visits) -> list[Appointment]:
    """The visits as a list, each scheduled one put on hold (`hold`: the eligibility rule's reason) while its
    patient may not be booked now (a new screening waiting for review, a deferral, a decline). One query for
    all the patients, however many visits."""
    visits = list(visits)
    waiting = {v.patient_id for v in visits if v.status == Appointment.Status.SCHEDULED}
    if waiting:
        eligibility = booking_eligibility_for([Patient(pk=pk) for pk in waiting])
        for visit in visits:
            if visit.patient_id in waiting and not eligibility[visit.patient_id].bookable:
                visit.hold = eligibility[visit.patient_id].reason
    return visits


def planning_range(earliest: date) -> tuple[date, date]:
    return earliest, earliest + timedelta(days=HORIZON_DAYS + MAX_WINDOW_DAYS + 1)


def today_visits(location) -> dict:
    """The front desk's home: today's visits at the location in time and chair order (1 query)."""
    clinic = clinic_context(location)
    today = clinic.today()
    begin, end = clinic.day_bounds(today)
    visits = (
        Appointment.objects.filter(chair__location=location, start__gte=begin, start__lt=end)
        .select_related("chair", "patient", "record")  # the record for its stage only: never readings here
        .order_by("start", "chair__position")
    )
    return {"visits": with_holds(visits), "today": today, "clinic": clinic}


def day_schedule(location, day: date | None = None) -> dict:
    """The location's chairs and the day's appointments by chair (default: its today), in two queries whatever
    the number of visits."""
    clinic = clinic_context(location)
    day = day or clinic.today()
    begin, end = clinic.day_bounds(day)
    visits = with_holds(
        Appointment.objects.filter(chair__location=location, start__gte=begin, start__lt=end)
        .select_related("patient", "series", "record")  # the record for its stage only: never readings here
        .order_by("start", "id")
    )
    chairs = _chairs_holding(location, visits)
    by_chair: dict[int, list] = {chair.id: [] for chair in chairs}
    for visit in visits:
        by_chair[visit.chair_id].append(visit)
    return {"day": day, "columns": [(chair, by_chair[chair.id]) for chair in chairs], "clinic": clinic}


def _chairs_holding(location, visits) -> list[Chair]:
    """The location's active chairs in order, then any inactive chair that still holds one of `visits` (one
    query; a second only when there is such a chair). Not joined to every visit row: the week
    view's 8 chairs were built once per visit."""
    chairs = list(Chair.objects.filter(location=location, active=True))
    missing = {visit.chair_id for visit in visits} - {chair.id for chair in chairs}
    if missing:
        chairs += list(Chair.objects.filter(pk__in=missing))
    return chairs


def week_schedule(location, day: date | None = None) -> dict:
    """The location's week (Monday to Sunday) of `day` (default: its today) by chair, in two queries whatever
    the number of visits."""
    clinic = clinic_context(location)
    day = day or clinic.today()
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    begin, end = clinic.day_bounds(days[0], days[-1])
    cells: dict[tuple[int, date], list] = defaultdict(list)
    visits = with_holds(
        Appointment.objects.filter(chair__location=location, start__gte=begin, start__lt=end)
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("patient", "record")
        # What the week shows of each of its few hundred visits (their state too), and what `with_holds` reads.
        .only(
            *("id", "series_id", "patient_id", "chair_id", "start", "status", "confirmed_at", "record__stage"),
            *("patient__first_name", "patient__last_name"),
        )
        .order_by("start", "id")
    )
    chairs = _chairs_holding(location, visits)
    for visit in visits:
        cells[(visit.chair_id, clinic.local_date(visit.start))].append(visit)
    rows = [(chair, [cells.get((chair.id, d), []) for d in days]) for chair in chairs]
    return {"monday": monday, "days": days, "rows": rows, "clinic": clinic}


# The first window: the series window plus this many days of possible first visits.
FIRST_WINDOW_EXTRA_DAYS = 7


def propose_series(
    patient, protocol, *, clinic: ClinicContext, earliest: date, preferences=None, now=None, avoid_days=()
):
    """The planner's earliest series for this patient from `earliest`, on the chairs of `clinic.location`.

    Same answer as planning over the whole range (`planning_range`), but bookings are read in growing
    windows from `earliest`: first `window_days + FIRST_WINDOW_EXTRA_DAYS` days (5 queries), then twice
    as far, and so on up to the whole range (3 more queries per widening: bookings, closures and the
    patient's bookings of the added days only).

    Days past the loaded range are never treated as free: with `last` loaded, the planner may only
    start a series on a day whose whole series window is loaded (horizon = last - earliest -
    window_days + 1 days), and each day's free slots depend on that day's bookings alone (a visit
    fits inside one day's opening hours). So a plan found in a window is the plan the whole range
    gives; NoPlan in a window only means "widen", and the last call uses the whole range and the
    full horizon, as before. For the same reason a wider window keeps the slots the narrower one worked
    out for the days it had loaded (`SeriesSearch`): only the added days are planned anew.
    """
    from infusions.booking.planner import Plan, SeriesSearch

    rules = protocol.series_rules()
    preferences = preferences or Preferences()
    first, last = planning_range(earliest)
    tz, location = clinic.tz, clinic.location
    chairs = active_chair_ids(location)
    hours = opening_hours(location)
    busy: dict[int, list] = {chair: [] for chair in chairs}
    starts = StartCounts(tz)  # each window's starts put in their quarter hours once, not again per window
    closures: set[date] = set()
    patient_rows: list[tuple[datetime, datetime]] = []
    feasible = (rules.count - 1) * rules.min_gap_days <= rules.window_days
    span = rules.window_days + FIRST_WINDOW_EXTRA_DAYS
    loaded = None  # last local date loaded so far
    # One search for all the windows: the days an earlier window loaded whole are not planned again.
    search = SeriesSearch(
        block_minutes=protocol.chair_minutes,
        earliest=earliest,
        rules=rules,
        preferences=preferences,
        not_before=now,
        avoid_days=avoid_days,
    )
    while True:
        upto = min(first + timedelta(days=span), last) if feasible else last
        _load_days(busy, starts, closures, patient_rows, patient, chairs, first, loaded, upto, tz, location)
        unchanged_through, loaded = loaded, upto
        whole = upto >= last
        horizon = HORIZON_DAYS if whole else min(HORIZON_DAYS, (upto - earliest).days - rules.window_days + 1)
        schedule = ClinicSchedule(
            tz=tz,
            opening_hours=hours,
            chair_busy=busy,
            closures=frozenset(closures),
            start_cap=location.starts_per_quarter_hour,
            starts=starts.copy(),
        )
        plan = search.plan(
            schedule, patient_busy=patient_rows, horizon_days=horizon, unchanged_through=unchanged_through
        )
        if whole or isinstance(plan, Plan) or horizon >= HORIZON_DAYS:
            return plan
        span *= 2


def active_chair_ids(location) -> list[int]:
    """The location's active chairs in the front desk's order (Chair.Meta.ordering): the planner's tie order
    (1 query)."""
    return list(Chair.objects.filter(location=location, active=True).values_list("id", flat=True))


def _merged(appointments, starting) -> tuple[list[tuple[int, datetime, datetime]], list[tuple[datetime, int]]]:
    """Each chair's busy time as (chair, start, end), the bookings that overlap or touch merged, by start; and
    the visits of `starting` counted per start instant, as (start, count) (1 query). Not on SQLite: `_unmerged`.

    The planner only asks whether a chair is free at a time, so the union of the bookings is all it needs;
    merging in the database (running latest end per chair, a new stretch where a start passes it) keeps the
    rows read and converted to the number of busy stretches, however finely the time is booked. The merge
    loses where visits start, which the staggered starts need: those come in the same query (UNION ALL, rows
    with no chair), one row per start instant.
    """
    inner, params = appointments.order_by().values_list("chair_id", "start", "end").query.sql_with_params()
    started, start_params = starting.order_by().values_list("start").query.sql_with_params()
    start, end = connection.ops.quote_name("start"), connection.ops.quote_name("end")
    # Only the ORM's own SQL is interpolated; values stay parameters.
    sql = f"""
        SELECT chair_id, MIN(s), MAX(e), 0 FROM (
            SELECT chair_id, s, e, SUM(fresh) OVER (
                PARTITION BY chair_id ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            ) AS stretch
            FROM (
                SELECT chair_id, s, e, CASE WHEN s <= MAX(e) OVER (
                    PARTITION BY chair_id ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                ) THEN 0 ELSE 1 END AS fresh
                FROM (SELECT chair_id, {start} AS s, {end} AS e FROM ({inner}) AS booked) AS renamed
            ) AS marked
        ) AS numbered
        GROUP BY chair_id, stretch
        UNION ALL
        SELECT NULL, s, s, COUNT(*) FROM (SELECT {start} AS s FROM ({started}) AS begun) AS starts GROUP BY s
        ORDER BY 2
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, *start_params))
        rows = cursor.fetchall()
    if rows and not isinstance(rows[0][1], datetime):  # SQLite: text, UTC
        rows = [(chair, _utc_text(start), _utc_text(end), n) for chair, start, end, n in rows]
    stretches = [(chair, start, end) for chair, start, end, _ in rows if chair is not None]
    return stretches, [(start, n) for chair, start, _, n in rows if chair is None]


def _unmerged(located, chairs) -> tuple[list[tuple[int, datetime, datetime]], list[tuple[datetime, int]]]:
    """`_merged`'s answer on SQLite, without the merge: each booking of `located` (the location's chairs, active or
    not) as (chair, start, end) when its chair is one of `chairs`, and the visits counted per start instant (1 query).

    On SQLite the merge's window functions (a sort each, then a grouping) took about three times as long as reading
    every row and converting it here, at the bench's x1 and x10 bookings alike; and the planner's busy index takes
    overlapping bookings as they are. On PostgreSQL the merge is cheap and rows cost more to fetch (x10 was slower
    unmerged), so it keeps `_merged`.
    """
    inner, params = located.order_by().values_list("chair_id", "start", "end").query.sql_with_params()
    start, end = connection.ops.quote_name("start"), connection.ops.quote_name("end")
    # Unary + is a no-op, but it makes the columns expressions without a declared type, so the sqlite3 module
    # hands back the stored text (parsed below by _utc_text) instead of parsing it into naive datetimes itself.
    sql = f"SELECT chair_id, +{start}, +{end} FROM ({inner}) AS booked"  # noqa: S608 - the ORM's own SQL
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    wanted = set(chairs)
    stretches, counts = [], {}
    for chair, start, end in rows:  # text, UTC
        start = _utc_text(start)
        counts[start] = counts.get(start, 0) + 1
        if chair in wanted:
            stretches.append((chair, start, _utc_text(end)))
    return stretches, list(counts.items())


def _midnight(day: date, tz) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _utc_text(value: str) -> datetime:
    """An SQLite datetime (naive text, UTC) as an aware UTC datetime."""
    try:
        # Parsed with its offset: several times faster than parsing naive and then .replace(tzinfo=UTC).
        return datetime.fromisoformat(value + "+00:00")
    except ValueError:  # text with an offset of its own (not what Django writes): read as before
        return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _load_days(busy, starts, closures, patient_rows, patient, chairs, first, loaded, upto, tz, location):
    """Add the chairs' and the patient's bookings, the starts per quarter hour of the location's visits (any of
    its chairs, as `clinic_schedule`) and the closures of the local dates after `loaded` up to `upto`.

    `loaded` None: from `first`. Bookings that began before the added days were read with the earlier days
    (they overlap them), so the added days take only the bookings that start in them: nothing twice.
    """
    end = _midnight(upto + timedelta(days=1), tz)
    if loaded is None:
        begin = _midnight(first, tz)
        chair_rows = Appointment.objects.active().overlapping(begin, end)
        own_rows = Appointment.objects.active().filter(patient=patient).overlapping(begin, end)
        closure_rows = Closure.objects.at(location).filter(date__gte=first, date__lte=upto)
    else:
        begin = _midnight(loaded + timedelta(days=1), tz)
        chair_rows = Appointment.objects.active().filter(start__gte=begin, start__lt=end)
        own_rows = Appointment.objects.active().filter(patient=patient, start__gte=begin, start__lt=end)
        closure_rows = Closure.objects.at(location).filter(date__gt=loaded, date__lte=upto)
    located = chair_rows.filter(chair__location=location)
    if connection.vendor == "sqlite":
        stretches, started = _unmerged(located, chairs)
    else:
        stretches, started = _merged(chair_rows.filter(chair_id__in=chairs), located)
    for chair, start, stop in stretches:
        busy[chair].append((start, stop))
    for start, n in started:
        starts.add(start, n)
    closures.update(closure_rows.values_list("date", flat=True))
    patient_rows.extend(own_rows.order_by("start").values_list("start", "end"))


def propose_maintenance(
    patient,
    protocol,
    *,
    clinic: ClinicContext,
    first_date: date,
    count: int,
    every_weeks: int,
    preferences=None,
    now=None,
    avoid_days=(),
):
    """Booster visits from `first_date`, every `every_weeks` weeks, on the chairs of `clinic.location` (5 queries)."""
    from infusions.booking.planner import maintenance_plan

    last = first_date + timedelta(weeks=every_weeks * max(count - 1, 0), days=8)
    schedule = clinic_schedule(first_date, last, clinic=clinic)
    return maintenance_plan(
        schedule,
        first_date=first_date,
        block_minutes=protocol.chair_minutes,
        count=count,
        every_weeks=every_weeks,
        patient_busy=patient_busy(patient, first_date, last, clinic=clinic),
        preferences=preferences or Preferences(),
        not_before=now,
        min_gap_days=protocol.min_gap_days,
        avoid_days=avoid_days,
    )


def free_times(
    patient, protocol, day: date, *, clinic: ClinicContext, exclude_ids=(), extra_busy=(), now=None
) -> list[FreeStart]:
    """Free (start, chair) on one day at `clinic.location` for this patient, the first free chair (in chair
    order) for each start.

    `exclude_ids` leaves out the visit being moved; `extra_busy` are the other visits of a plan being edited.
    """
    schedule = clinic_schedule(day, day, exclude_ids=exclude_ids, clinic=clinic)
    busy = patient_busy(patient, day, day, exclude_ids=exclude_ids, clinic=clinic) + list(extra_busy)
    begin, end = clinic.day_bounds(day)
    busy += [bounds for bounds, _ in deferred_days(patient, begin, end)]  # a deferral holds its whole day
    free = free_starts(schedule, day, block_minutes=protocol.chair_minutes, patient_busy=busy, not_before=now)
    seen, first_chairs = set(), []
    for slot in free:
        if slot.start not in seen:
            seen.add(slot.start)
            first_chairs.append(slot)
    return first_chairs


def location_of_chairs(chair_ids) -> int | None:
    """The id of the one location all these chairs stand at, or None (unknown chairs, or several places)."""
    found = dict(Chair.objects.filter(pk__in=chair_ids).values_list("pk", "location_id"))
    places = set(found.values())
    if len(found) != len(set(chair_ids)) or len(places) != 1:
        return None
    return places.pop()


def chair_names() -> dict[int, str]:
    return dict(Chair.objects.values_list("id", "name"))


def move_options(appointment, day: date | None = None, *, location=None) -> dict:
    """Free times for moving one visit on `day` (default: the visit's own local day) at `location` (default:
    the visit's own)."""
    location = location or appointment.chair.location
    clinic = clinic_context(location)
    day = day or clinic.local_date(appointment.start)
    free = free_times(
        appointment.patient,
        appointment.series.protocol,
        day,
        clinic=clinic,
        exclude_ids=[appointment.pk],
        now=clinic.now(),
    )
    chairs = chair_names()
    options = [
        {"slot": slot, "chair": chairs.get(slot.chair_id), "stamp": int(slot.start.timestamp())} for slot in free
    ]
    return {"day": day, "options": options, "location": location, "clinic": clinic}


# --- Pages -------------------------------------------------------------------------------------


def booking_search(query: str) -> dict:
    """Patients matching a name or date of birth, each with whether they may be booked, and those with an
    open maintenance order (3 queries)."""
    results = []
    if query:
        patients = list(Patient.objects.search(query)[:20])
        eligibility = booking_eligibility_for(patients)
        results = [(p, eligibility[p.pk]) for p in patients]
    ordered = set(
        MaintenanceOrder.objects.open().filter(patient__in=[p.pk for p, _ in results]).values_list("patient", flat=True)
    )
    return {"results": results, "ordered": ordered}


def series_page(series: InfusionSeries) -> dict:
    """A series with its visits (and their reminders), the patient's other series and open order."""
    visits = with_holds(
        reminders.with_reminders(
            series.appointments.select_related("chair__location", "series", "replacement").order_by("start", "id")
        )
    )
    others = series.patient.series.exclude(pk=series.pk).order_by("-created_at")
    order = MaintenanceOrder.objects.open().filter(patient=series.patient).first()
    return {"series": series, "visits": visits, "others": others, "order": order}


def booked_visits(patient):
    """The patient's scheduled visits, for their calendar file."""
    return (
        Appointment.objects.filter(patient=patient, status=Appointment.Status.SCHEDULED)
        .select_related("chair__location")
        .order_by("start")
    )
