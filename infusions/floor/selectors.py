"""Reads for the front desk's floor: the day grid (chairs by quarter hour), the week's load per chair, the
worklists and their counts for the navigation. Each a fixed number of queries, however many visits or patients.

The grid's placement is all CSS classes (static/css/grid.css: `row-start-N`, `span-N`, `gcol-N`): the
content security policy allows no inline style. Row 1 is the chairs' header, column 1 the times; the
quarter hours start at row 2 and the chairs at column 2.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from clinic import when as fmt
from clinic.compiled import bind, compiled_query
from clinic.context import clinic_context
from infusions.booking import selectors
from infusions.booking.planner import free_starts
from infusions.booking.selectors import opening_hours, with_holds
from infusions.models import Appointment, Chair, Closure, InfusionSeries, MaintenanceOrder
from infusions.models.states import ASIDE_STATES, STATE_WORDS, visit_state
from intake.models import Decision, Outcome, Patient, Screening

QUARTER = 15  # minutes a grid row stands for
MAX_SPAN = 40  # quarter hours: the longest chair time (600 minutes); grid.css has span-1 .. span-40
MAX_CHAIRS = 40  # grid.css has gcol-2 .. gcol-41
DAY_MINUTES = 24 * 60
REBOOK_DAYS = 14


def _minutes(moment: datetime, tz) -> int:
    local = moment.astimezone(tz)
    return local.hour * 60 + local.minute


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass
class Block:
    visit: Appointment
    state: str
    row: int  # the grid row it starts in
    span: int  # quarter hours
    col: int
    start_label: str
    end_label: str
    total: int | None  # "visit 3 of 6"
    aside: bool = False
    shared: bool = False  # an active visit next to a visit drawn aside in the same time

    @property
    def word(self) -> str:
        return STATE_WORDS[self.state]


@dataclass
class Cell:
    row: int
    col: int
    chair: Chair
    stamp: int  # unix time of the quarter's start
    label: str
    bookable: bool  # open, not past, an active chair
    closed: bool  # outside the opening hours
    on_hour: bool


@dataclass
class Grid:
    day: date
    clinic: object
    chairs: list
    rows: list = field(default_factory=list)  # (grid row, "HH:MM", on the hour, open)
    blocks: list = field(default_factory=list)
    cells: list = field(default_factory=list)
    closed: str = ""  # why no quarter is open that day


def _visits_of_day(location, begin, end):
    return (
        Appointment.objects.filter(chair__location=location, start__gte=begin, start__lt=end)
        .select_related("patient", "series__protocol", "record")
        .only(
            "id",
            "chair_id",
            "patient_id",
            "series_id",
            "sequence",
            "start",
            "end",
            "status",
            "confirmed_at",
            "patient__first_name",
            "patient__last_name",
            "series__kind",
            "series__status",
            "series__protocol__series_count",
            "record__stage",
        )
        .order_by("start", "id")
    )


def _chairs(location, chair_ids) -> list[Chair]:
    """Active chairs in order, then any inactive one still holding a visit (1 query; 2 with such a chair)."""
    chairs = list(Chair.objects.filter(location=location, active=True))
    missing = set(chair_ids) - {chair.id for chair in chairs}
    if missing:
        chairs += list(Chair.objects.filter(pk__in=missing))
    return chairs[:MAX_CHAIRS]


def _series_sizes(visits) -> dict[int, int]:
    """Visits per maintenance series on the page (1 query when there is one): "visit 2 of 3"."""
    ids = {v.series_id for v in visits if v.series.kind == InfusionSeries.Kind.MAINTENANCE}
    if not ids:
        return {}
    rows = (
        Appointment.objects.filter(series_id__in=ids)
        .exclude(status=Appointment.Status.CANCELLED)
        .values_list("series_id", flat=True)
    )
    sizes: dict[int, int] = {}
    for series_id in rows:
        sizes[series_id] = sizes.get(series_id, 0) + 1
    return sizes


def day_grid(location, day: date | None = None, *, now: datetime | None = None) -> Grid:
    """The location's day as a grid of chairs by quarter hour, within its opening hours (widened to any visit
    outside them). At most 7 queries, whatever the number of visits or chairs."""
    clinic = clinic_context(location)
    day = day or clinic.today()
    now = now or clinic.now()
    tz = clinic.tz
    begin, end = clinic.day_bounds(day)
    visits = with_holds(_visits_of_day(location, begin, end))
    chairs = _chairs(location, {v.chair_id for v in visits})
    closed_day = Closure.objects.at(location).filter(date=day).first()
    hours = [] if closed_day else opening_hours(location).get(day.weekday(), [])
    open_spans = [(o.hour * 60 + o.minute, c.hour * 60 + c.minute) for o, c in hours]

    edges = [m for span in open_spans for m in span]
    for visit in visits:
        first = _minutes(visit.start, tz)
        edges += [first, min(DAY_MINUTES, first + _length(visit))]
    grid = Grid(day=day, clinic=clinic, chairs=chairs)
    if closed_day:
        grid.closed = f"Closed{': ' + closed_day.reason if closed_day.reason else ''}."
    elif not hours:
        grid.closed = "Closed on this weekday."
    if not edges:
        return grid
    top = min(edges) // QUARTER * QUARTER
    bottom = -(-max(edges) // QUARTER) * QUARTER
    quarters = range(top, max(bottom, top + QUARTER), QUARTER)

    def row_of(minutes: int) -> int:
        return (minutes - top) // QUARTER + 2

    def is_open(minutes: int) -> bool:
        return any(o <= minutes and minutes + QUARTER <= c for o, c in open_spans)

    # Each quarter once, whatever the chairs: (grid row, unix time, "HH:MM", open, not past, on the hour).
    slots = []
    for minutes in quarters:
        start = clinic.at(day, time(minutes // 60, minutes % 60))
        open_now = is_open(minutes)
        slots.append(
            (row_of(minutes), int(start.timestamp()), _clock(minutes), open_now, start >= now, minutes % 60 == 0)
        )
    grid.rows = [(row, label, on_hour, open_now) for row, _, label, open_now, _, on_hour in slots]
    columns = {chair.id: n for n, chair in enumerate(chairs, start=2)}
    sizes = _series_sizes(visits)
    held: dict[int, set[int]] = {chair.id: set() for chair in chairs}
    for visit in visits:
        if visit.chair_id not in columns:
            continue
        state = visit_state(visit)
        first = _minutes(visit.start, tz)
        last = min(DAY_MINUTES, first + _length(visit))
        row_minutes = first - first % QUARTER
        span = max(1, min(MAX_SPAN, -(-last // QUARTER) - first // QUARTER, (bottom - row_minutes) // QUARTER))
        series = visit.series
        total = sizes.get(series.pk) if series.kind == InfusionSeries.Kind.MAINTENANCE else series.protocol.series_count
        block = Block(
            visit=visit,
            state=state,
            row=row_of(row_minutes),
            span=span,
            col=columns[visit.chair_id],
            start_label=fmt.clock(visit.start, clinic.tz),
            end_label=fmt.clock(visit.end, clinic.tz),
            total=total,
            aside=state in ASIDE_STATES,
        )
        grid.blocks.append(block)
        if not block.aside:
            held[visit.chair_id].update(range(block.row, block.row + block.span))
    for block in grid.blocks:
        if not block.aside:
            rows = set(range(block.row, block.row + block.span))
            block.shared = any(
                other.aside and other.col == block.col and rows & set(range(other.row, other.row + other.span))
                for other in grid.blocks
            )
    for chair in chairs:
        col, taken = columns[chair.id], held[chair.id]
        grid.cells += [
            Cell(row, col, chair, stamp, label, open_now and ahead and chair.active, not open_now, on_hour)
            for row, stamp, label, open_now, ahead, on_hour in slots
            if row not in taken
        ]
    return grid


def _length(visit) -> int:
    return max(1, int((visit.end - visit.start).total_seconds() // 60))


# --- The week: load per chair and day ----------------------------------------------------------------


def week_load(location, day: date | None = None) -> dict:
    """Per chair and day of the week (Monday to Sunday): active visits and the booked share of the opening
    hours ("5 · 80%"). Four queries (five with an inactive chair holding a visit), whatever the visits."""
    clinic = clinic_context(location)
    day = day or clinic.today()
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    begin, end = clinic.day_bounds(days[0], days[-1])
    rows = list(
        Appointment.objects.active()
        .filter(chair__location=location, start__gte=begin, start__lt=end)
        .values_list("chair_id", "start", "end")
    )
    chairs = _chairs(location, {chair for chair, _, _ in rows})
    hours = opening_hours(location)
    closures = set(
        Closure.objects.at(location).filter(date__gte=days[0], date__lte=days[-1]).values_list("date", flat=True)
    )
    open_minutes = {}
    for d in days:
        spans = [] if d in closures else hours.get(d.weekday(), [])
        open_minutes[d] = [(clinic.at(d, o), clinic.at(d, c)) for o, c in spans]
    booked: dict[tuple[int, date], list[int]] = {}
    for chair_id, start, stop in rows:
        d = clinic.local_date(start)
        minutes = sum(max(0, (min(stop, c) - max(start, o)).total_seconds() // 60) for o, c in open_minutes.get(d, []))
        entry = booked.setdefault((chair_id, d), [0, 0])
        entry[0] += 1
        entry[1] += int(minutes)
    capacity = {d: sum(int((c - o).total_seconds() // 60) for o, c in spans) for d, spans in open_minutes.items()}

    def cell(chair_id, d):
        count, minutes = booked.get((chair_id, d), (0, 0))
        share = round(100 * minutes / capacity[d]) if capacity[d] else None
        return {"day": d, "count": count, "share": share, "closed": not capacity[d]}

    table = [(chair, [cell(chair.id, d) for d in days]) for chair in chairs]
    totals = []
    for n, d in enumerate(days):
        count = sum(cells[n]["count"] for _, cells in table)
        minutes = sum(booked.get((chair.id, d), (0, 0))[1] for chair in chairs)
        whole = capacity[d] * len([c for c in chairs if c.active])
        totals.append({"day": d, "count": count, "share": round(100 * minutes / whole) if whole else None})
    return {"monday": monday, "days": days, "rows": table, "totals": totals, "clinic": clinic}


# --- Worklists ---------------------------------------------------------------------------------------


def bookable_patient_ids():
    """The patients the eligibility rule (intake.eligibility) lets be booked now, as a subquery: the newest
    screening clear, or approved by a clinician. Kept in step with `booking_eligibility_for` by a test."""
    return (
        Screening.objects.latest_per_patient()
        .filter(Q(outcome=Outcome.CLEAR) | Q(decision__decision=Decision.APPROVE))
        .values("patient_id")
    )


def _approved_not_booked(now):
    """Bookable, no active series, nothing booked or done since the newest screening, no future visit."""
    newest = Screening.objects.filter(patient=OuterRef("pk")).order_by("-id").values("screened_at")[:1]
    return (
        Patient.objects.filter(pk__in=bookable_patient_ids())
        .annotate(screened=Subquery(newest))
        .exclude(Exists(InfusionSeries.objects.filter(patient=OuterRef("pk"), status=InfusionSeries.Status.ACTIVE)))
        .exclude(
            Exists(
                InfusionSeries.objects.filter(
                    patient=OuterRef("pk"),
                    status=InfusionSeries.Status.COMPLETED,
                    created_at__gte=OuterRef("screened"),
                )
            )
        )
        .exclude(Exists(Appointment.objects.active().filter(patient=OuterRef("pk"), start__gte=now)))
        .order_by("screened", "last_name", "first_name", "id")
    )


def _open_orders():
    return MaintenanceOrder.objects.open().select_related("patient").order_by("ordered_at", "id")


def _tomorrow_unconfirmed(location_id, begin, end):
    return (
        Appointment.objects.filter(
            chair__location_id=location_id,
            status=Appointment.Status.SCHEDULED,
            confirmed_at__isnull=True,
            start__gte=begin,
            start__lt=end,
        )
        .select_related("patient", "chair")
        .order_by("start", "chair__position", "id")
    )


MISSED = (Appointment.Status.NO_SHOW, Appointment.Status.CANCELLED, Appointment.Status.DEFERRED)


def _to_rebook(location_id, now, since):
    """No-shows, cancellations and check-in deferrals of visits from the last 14 days on (an active series:
    a series cancelled as a whole is not rebooked), with no visit booked for the patient since."""
    rebooked = Appointment.objects.active().filter(
        patient=OuterRef("patient"), created_at__gt=OuterRef("updated_at"), start__gte=now
    )
    return (
        Appointment.objects.filter(
            chair__location_id=location_id,
            status__in=MISSED,
            start__gte=since,
            series__status=InfusionSeries.Status.ACTIVE,
        )
        .exclude(Exists(rebooked))
        .select_related("patient", "chair")
        .order_by("start", "id")
    )


def _on_hold(location_id, today_start):
    return (
        Appointment.objects.filter(
            chair__location_id=location_id, status=Appointment.Status.SCHEDULED, start__gte=today_start
        )
        .exclude(patient_id__in=bookable_patient_ids())
        .select_related("patient", "chair")
        .order_by("start", "id")
    )


def _rescreens_due(today):
    return (
        Screening.objects.latest_per_patient()
        .filter(decision__decision=Decision.DEFER, decision__rescreen_on__lte=today)
        .select_related("patient", "decision")
        .only(
            "id",
            "patient_id",
            "patient__first_name",
            "patient__last_name",
            "patient__date_of_birth",
            "decision__id",
            "decision__rescreen_on",
        )
        .order_by("decision__rescreen_on", "id")
    )


FRONT_DESK_LISTS = ("approved", "orders", "tomorrow", "rebook", "on_hold")
COORDINATOR_LISTS = ("rescreen",)


def _moments(location, now) -> dict:
    """Every value the worklists' queries take from the clock and the location, by name (see `worklist_counts`)."""
    moments = {"now": now, "home_today": clinic_context().today()}
    if location is not None:
        clinic = clinic_context(location)
        today = clinic.today()
        moments["location_id"] = location.pk
        moments["tomorrow_begin"], moments["tomorrow_end"] = clinic.day_bounds(today + timedelta(days=1))
        moments["rebook_since"] = clinic.midnight(today - timedelta(days=REBOOK_DAYS))
        moments["today_start"] = clinic.midnight(today)
    return moments


def _querysets(*, front_desk: bool, coordinator: bool, moments: dict) -> dict:
    lists = {}
    at = moments.get
    if front_desk:
        lists["approved"] = _approved_not_booked(at("now"))
        lists["orders"] = _open_orders()
        if "location_id" in moments:
            lists["tomorrow"] = _tomorrow_unconfirmed(at("location_id"), at("tomorrow_begin"), at("tomorrow_end"))
            lists["rebook"] = _to_rebook(at("location_id"), at("now"), at("rebook_since"))
            lists["on_hold"] = _on_hold(at("location_id"), at("today_start"))
    if coordinator:
        lists["rescreen"] = _rescreens_due(at("home_today"))
    return lists


WORKLIST_ROWS = 50  # rows a list shows before "Show all": a clinic's backlog must not make the page crawl


def worklists(
    *, front_desk: bool, coordinator: bool, location, now: datetime | None = None, show_all=(), rows=WORKLIST_ROWS
) -> dict:
    """The worklists the user's roles see, each a list of its first `rows` in its order (all of those named in
    `show_all`); one query each, on hold one more for the reasons. Their lengths are `worklist_counts`'."""
    now = now or timezone.now()
    moments = _moments(location, now)
    lists = {
        name: list(qs if name in show_all else qs[:rows])
        for name, qs in _querysets(front_desk=front_desk, coordinator=coordinator, moments=moments).items()
    }
    if "on_hold" in lists:
        lists["on_hold"] = with_holds(lists["on_hold"])
    if "tomorrow" in lists:
        lists["tomorrow_day"] = clinic_context(location).today() + timedelta(days=1)
    return lists


def _count_sql(lists: dict) -> tuple[str, list]:
    """One SELECT of every list's COUNT(*), and its parameters."""
    parts, params = [], []
    for n, queryset in enumerate(lists.values()):
        sql, values = queryset.order_by().values("pk").query.sql_with_params()
        # Only the ORM's own SQL is interpolated; values stay parameters.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS list_{n})")  # noqa: S608
        params.extend(values)
    return "SELECT " + ", ".join(parts), params  # noqa: S608


# Stand-ins for the moments, each unlike any constant of the queries, to find where each moment's value goes
# among a compiled query's parameters.
_STAND_INS = {
    "now": datetime(2001, 2, 3, 4, 5, 6, 100001, tzinfo=UTC),
    "tomorrow_begin": datetime(2001, 2, 3, 4, 5, 6, 200002, tzinfo=UTC),
    "tomorrow_end": datetime(2001, 2, 3, 4, 5, 6, 300003, tzinfo=UTC),
    "rebook_since": datetime(2001, 2, 3, 4, 5, 6, 400004, tzinfo=UTC),
    "today_start": datetime(2001, 2, 3, 4, 5, 6, 500005, tzinfo=UTC),
    "home_today": date(1901, 2, 3),
    "location_id": -730_001,
}
_list_names: dict[str, tuple[str, ...]] = {}  # each shape's lists, in the order of the counts' columns


def _compiled(front_desk: bool, coordinator: bool, with_location: bool) -> tuple[tuple, str, tuple]:
    """The counts' SQL for this shape of worklists, compiled once per process: (names, sql, slots). Building and
    compiling the ORM queries cost more than running them, on every page of the front desk and the coordinators."""
    used = {*(("now",) if front_desk else ()), *(LOCATION_MOMENTS if front_desk and with_location else ())}
    used |= {"home_today"} if coordinator else set()
    stand_ins = {k: v for k, v in _STAND_INS.items() if k in used}
    shape = f"worklist_counts:{int(front_desk)}{int(coordinator)}{int(with_location)}"

    def build(**moments):
        lists = _querysets(front_desk=front_desk, coordinator=coordinator, moments=moments)
        _list_names[shape] = tuple(lists)
        return _count_sql(lists)

    sql, slots = compiled_query(shape, build, **stand_ins)
    return _list_names[shape], sql, slots


LOCATION_MOMENTS = ("location_id", "tomorrow_begin", "tomorrow_end", "rebook_since", "today_start")


def worklist_counts(*, front_desk: bool, coordinator: bool, location, now: datetime | None = None) -> dict:
    """The number in each worklist the user's roles see, all in one query ({} when there is none).

    The query is the worklists' own querysets counted, compiled once per process for each shape (which lists,
    with or without a location); each request puts its own moments (now, the location, its local days) in.
    """
    if not (front_desk or coordinator):
        return {}
    now = now or timezone.now()
    moments = _moments(location, now)
    names, sql, slots = _compiled(front_desk, coordinator, "location_id" in moments)
    params = bind(slots, moments)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    counts = dict(zip(names, (int(value) for value in row), strict=True))
    counts["total"] = sum(counts.values())
    return counts


# --- Booking from an empty cell --------------------------------------------------------------------------


def series_from_cell(*, patient, location, start: datetime, chair_id: int):
    """A series plan whose first visit is the chosen cell (start, chair), the rest on the days the planner
    proposes from that day, each at the cell's time of day in its chair where that is free (patients keep one
    time and chair), else at that time in another chair, else at the planner's time; [] when the patient
    cannot be planned (the plan page then says why). The plan page checks every rule of the result before it
    can be confirmed."""
    from infusions.booking import services

    clinic = clinic_context(location)
    day = clinic.local_date(start)
    chosen = (start, chair_id)
    proposal = services.series_propose(patient=patient, location=location, earliest=day)
    if not proposal.bookable or not proposal.visits:
        return [chosen]
    visits = list(proposal.visits)
    if clinic.local_date(visits[0].start) != day:
        # That day was not the planner's first choice: plan the rest from the least gap after it.
        later = services.series_propose(
            patient=patient, location=location, earliest=day + timedelta(days=proposal.protocol.min_gap_days)
        )
        visits = [None, *later.visits[: len(visits) - 1]] if later.visits else [None]
    plan = [chosen, *((v.start, v.chair_id) for v in visits[1:])]
    clock = start.astimezone(clinic.tz).time()
    return _same_time_and_chair(plan, patient=patient, protocol=proposal.protocol, clinic=clinic, clock=clock)


def _same_time_and_chair(plan, *, patient, protocol, clinic, clock):
    """Each later visit of `plan` moved, on its own day, to `clock` (local) in the first visit's chair, or at
    `clock` in another chair, when that is free for the patient (hours, chairs, staggered starts); otherwise
    left where it is. The location's schedule and the patient's bookings are read once for the plan's days."""
    chair_id = plan[0][1]
    block = timedelta(minutes=protocol.chair_minutes)
    days = [clinic.local_date(start) for start, _ in plan]
    schedule = selectors.clinic_schedule(min(days), max(days), clinic=clinic)
    booked = selectors.patient_busy(patient, min(days), max(days), clinic=clinic)
    for index in range(1, len(plan)):
        others = [(start, start + block) for k, (start, _) in enumerate(plan) if k != index]
        free = free_starts(
            schedule,
            days[index],
            block_minutes=protocol.chair_minutes,
            patient_busy=booked + others,
            not_before=clinic.now(),
        )
        at_clock = [slot for slot in free if slot.start.astimezone(clinic.tz).time() == clock]
        best = next((slot for slot in at_clock if slot.chair_id == chair_id), at_clock[0] if at_clock else None)
        if best is not None:
            plan[index] = (best.start, best.chair_id)
    return plan
