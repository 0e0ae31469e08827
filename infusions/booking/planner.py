"""Slot planner for infusion series and maintenance visits, and every spacing rule of a series.

Pure (no Django, no database: dataclasses in and out): the booking service loads chairs, hours, closures and
bookings, calls these functions and stores what comes back, so every rule is tested exhaustively and fast.
How it counts time (half-open intervals, real minutes, local days, quarter hours): docs/booking.md.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from itertools import accumulate
from operator import attrgetter, itemgetter
from typing import Literal
from zoneinfo import ZoneInfo

from clinic import when as fmt

ChairId = Hashable
Interval = tuple[datetime, datetime]
PartOfDay = Literal["morning", "afternoon"]

MORNING: PartOfDay = "morning"
AFTERNOON: PartOfDay = "afternoon"
NOON = time(12, 0)
WEEKDAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")

# However a clinic sets its series window, a series never spans more than this many days from its first
# visit: the sources' longest initial series is 3-4 weeks (Lighthouse Infusions, Ketamine Infusion Therapy:
# Information for Providers), so a clinic may widen the 21-day default up to 28, never further.
MAX_WINDOW_DAYS = 28

# Problem kinds reported by validate_plan() and move_problems().
# "overlap": another booking in the chair or of the patient (someone took the slot); "plan_overlap": two
# visits of the plan itself; "max_window": past MAX_WINDOW_DAYS (never allowed); "window": past the
# series' own window (a moved visit may go there when staff confirm it, see move_problems); "stagger": more
# infusions starting in one quarter hour at the location than its nurses can place (ClinicSchedule.start_cap);
# "deferred": on a local day when another visit of the patient was deferred at check-in (`on_deferred_days`).
PROBLEM_KINDS = (
    "count",
    "chair",
    "duration",
    "closure",
    "hours",
    "overlap",
    "plan_overlap",
    "spacing",
    "max_gap",
    "window",
    "max_window",
    "stagger",
    "deferred",
)

# The stagger's unit: starts are counted per quarter hour of the local wall clock.
QUARTER_HOUR = timedelta(minutes=15)

# timedelta(minutes=m) for every minute of a day: candidates() builds a day's grid starts by adding these.
_MINUTES = tuple(timedelta(minutes=m) for m in range(24 * 60))


# --------------------------------------------------------------------------------------------
# Inputs and outputs


@dataclass(frozen=True)
class SeriesRules:
    """The clinic's default series: 6 visits, 2..7 calendar days apart (never on consecutive days), all within
    21 days of the first. Sources: 2-3 infusions a week over 2-3 weeks (Blanchfield, Understanding the
    Mechanism of Ketamine Infusion Therapy; What is Ketamine Infusion Therapy? Uses and Benefits).

    Days are the local calendar days of the visits' starts: Monday and Wednesday are 2 days apart."""

    count: int = 6
    min_gap_days: int = 2
    max_gap_days: int = 7
    window_days: int = 21

    def __post_init__(self):
        if self.count < 1:
            raise ValueError("count must be at least 1")
        if not 1 <= self.min_gap_days <= self.max_gap_days:
            raise ValueError("need 1 <= min_gap_days <= max_gap_days")
        if self.window_days < 0:
            raise ValueError("window_days must not be negative")


@dataclass(frozen=True)
class Preferences:
    """The patient's wishes. Morning: the visit starts before 12:00; afternoon: at or after 12:00."""

    weekdays: frozenset[int] | None = None  # 0 = Monday .. 6 = Sunday; None = any day
    part_of_day: PartOfDay | None = None

    def __post_init__(self):
        if self.weekdays is not None:
            object.__setattr__(self, "weekdays", frozenset(self.weekdays))
            if not self.weekdays or not all(0 <= w <= 6 for w in self.weekdays):
                raise ValueError("weekdays must be a non-empty set of 0 (Monday) .. 6 (Sunday)")
        if self.part_of_day not in (None, MORNING, AFTERNOON):
            raise ValueError("part_of_day must be 'morning', 'afternoon' or None")


@dataclass(frozen=True)
class Visit:
    start: datetime  # aware, in the clinic's time zone
    end: datetime
    chair_id: ChairId


@dataclass(frozen=True)
class Plan:
    visits: tuple[Visit, ...]


@dataclass(frozen=True)
class NoPlan:
    reason: str  # plain English for the front desk; never patient data


@dataclass(frozen=True)
class FreeStart:
    start: datetime
    end: datetime
    chair_id: ChairId


@dataclass(frozen=True)
class Problem:
    """One broken rule in a plan. `kind` is one of PROBLEM_KINDS; `visit_index` indexes the visits as given."""

    kind: str
    message: str
    visit_index: int | None = None

    def __str__(self):
        return self.message


@dataclass(frozen=True, eq=False)
class ClinicSchedule:
    """What the clinic looks like: time zone, hours, closures and every chair's bookings.

    Build it once per request; its busy-time index is built on first use and reused by every
    planning call made with it.

    Opening hours and closures are on the location's local wall clock; every instant in or out is an aware
    datetime, and arithmetic on instants is done in UTC, so a 90-minute block is 90 real minutes also on the
    days the clocks change. Start times lie on a grid of `granularity_minutes` from local midnight (08:00,
    08:15, ...). Ties go to the chair first in `chair_busy`: pass the chairs in the order the front desk sees
    them (Chair.Meta.ordering), every chair that may be used as a key, even with no bookings.
    """

    tz: ZoneInfo
    opening_hours: Mapping[int, Sequence[tuple[time, time]]]  # weekday -> [(opens, closes)]; missing/empty = closed
    chair_busy: Mapping[ChairId, Sequence[Interval]]  # chair -> active bookings, aware datetimes
    closures: frozenset[date] = frozenset()
    granularity_minutes: int = 15
    # At most this many infusions start in one local quarter hour (None: no limit); `starts` counts the
    # booked ones per quarter hour (keys: aware instants, each counted in the quarter hour it falls in).
    start_cap: int | None = None
    starts: Mapping[datetime, int] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "closures", frozenset(self.closures))
        if not 1 <= self.granularity_minutes <= 720:
            raise ValueError("granularity_minutes must be between 1 and 720")
        if self.start_cap is not None and self.start_cap < 1:
            raise ValueError("start_cap must be at least 1 (or None for no limit)")
        for weekday, intervals in self.opening_hours.items():
            if not 0 <= weekday <= 6:
                raise ValueError("opening_hours keys are weekdays 0 (Monday) .. 6 (Sunday)")
            for opens, closes in intervals:
                if not opens < closes:
                    raise ValueError("every opening interval must open before it closes, on the same day")

    @cached_property
    def _chair_index(self) -> dict[ChairId, _Busy]:
        return {chair: _Busy(intervals) for chair, intervals in self.chair_busy.items()}

    @cached_property
    def _start_counts(self) -> dict[datetime, int]:
        """Booked starts per quarter hour, keyed by the quarter hour's first instant in UTC."""
        if isinstance(self.starts, StartCounts) and self.starts.tz is self.tz:
            return dict(self.starts)  # counted per quarter hour of this very zone already
        counts: dict[datetime, int] = {}
        for instant, n in self.starts.items():
            key = quarter_hour(instant, self.tz)
            counts[key] = counts.get(key, 0) + n
        return counts

    @cached_property
    def _full_quarters(self) -> frozenset[datetime]:
        """The quarter hours (UTC first instants) in which no further infusion may start."""
        if self.start_cap is None:
            return frozenset()
        return frozenset(key for key, n in self._start_counts.items() if n >= self.start_cap)

    def prepare(self) -> ClinicSchedule:
        """Build the busy-time index now (so a benchmark or a request can time it separately)."""
        self._chair_index  # noqa: B018 - evaluates the cached property
        return self


class StartCounts(dict):
    """Starts counted per quarter hour of `tz`'s wall clock, keyed by the quarter hour's first instant (UTC).

    For `ClinicSchedule.starts` when the caller reads the starts in batches (the booking page widens its
    window of days): each start is put in its quarter hour once, by `add`, and a schedule in the same `tz`
    takes the counts as they are instead of quartering every key again for each window.
    """

    def __init__(self, tz: ZoneInfo):
        super().__init__()
        self.tz = tz

    def add(self, instant: datetime, n: int = 1) -> None:
        key = quarter_hour(instant, self.tz)
        self[key] = self.get(key, 0) + n

    def copy(self) -> StartCounts:
        counts = StartCounts(self.tz)
        counts.update(self)
        return counts


# --------------------------------------------------------------------------------------------
# Public functions


def plan_series(
    schedule: ClinicSchedule,
    *,
    block_minutes: int,
    earliest: date,
    rules: SeriesRules = SeriesRules(),  # noqa: B008 - frozen, so a shared default is safe
    patient_busy: Iterable[Interval] = (),
    preferences: Preferences = Preferences(),  # noqa: B008
    horizon_days: int = 60,
    not_before: datetime | None = None,
    avoid_days: Iterable[date] = (),
) -> Plan | NoPlan:
    """The earliest plan of `rules.count` visits whose first visit falls within `horizon_days` days from `earliest`.

    Earliest means: the first visit as early as possible, then the second, and so on (lexicographic
    order of the visits' starts); on each day the earliest free start in any chair, ties to the
    first chair. Later visits may fall after the horizon (up to the window). `not_before` (an aware
    instant, usually now) removes start times before it; no visit falls on `avoid_days` (the dates too
    close to the patient's other visits, `days_too_close`).
    """
    search = SeriesSearch(
        block_minutes=block_minutes,
        earliest=earliest,
        rules=rules,
        preferences=preferences,
        not_before=not_before,
        avoid_days=avoid_days,
    )
    return search.plan(schedule, patient_busy=patient_busy, horizon_days=horizon_days)


class SeriesSearch:
    """`plan_series` for a caller that reads the schedule in growing windows of days (selectors.propose_series):
    `plan` once per window, each time with a schedule (and the patient's bookings) holding more days.

    A day's earliest free slot depends on that day's hours, closures and bookings alone (the chairs', the
    patient's and the starts in its quarter hours; a visit fits inside one day's opening hours). So the days up
    to `unchanged_through`, which the new schedule holds exactly as the previous one did (a wider window only
    adds later days), keep the slots the previous `plan` worked out instead of being worked out again.
    """

    def __init__(
        self,
        *,
        block_minutes: int,
        earliest: date,
        rules: SeriesRules = SeriesRules(),  # noqa: B008
        preferences: Preferences = Preferences(),  # noqa: B008
        not_before: datetime | None = None,
        avoid_days: Iterable[date] = (),
    ):
        self.block_minutes, self.earliest, self.rules = block_minutes, earliest, rules
        self.preferences, self.not_before, self.avoid_days = preferences, not_before, frozenset(avoid_days)
        self._days: _Days | None = None  # the previous plan's

    def plan(
        self,
        schedule: ClinicSchedule,
        *,
        patient_busy: Iterable[Interval] = (),
        horizon_days: int = 60,
        unchanged_through: date | None = None,
    ) -> Plan | NoPlan:
        """plan_series(schedule, ...) with this search's other arguments."""
        if horizon_days < 1:
            raise ValueError("horizon_days must be at least 1")
        rules, earliest = self.rules, self.earliest
        days = _Days(schedule, self.block_minutes, patient_busy, self.preferences, self.not_before, self.avoid_days)
        if unchanged_through is not None and self._days is not None:
            days.keep(self._days, unchanged_through)
        self._days = days
        if (rules.count - 1) * rules.min_gap_days > rules.window_days:
            return NoPlan(
                reason=(
                    f"No {rules.count}-visit series can keep visits at least {rules.min_gap_days} days apart "
                    f"within {rules.window_days} days of the first; check the protocol's settings."
                )
            )
        for offset in range(horizon_days):
            first = earliest + timedelta(days=offset)
            if days.slot(first) is None:
                continue
            chosen = [first]
            if _extend(days, rules, first, chosen, set()):
                return Plan(visits=tuple(days.visit(d) for d in chosen))
        return NoPlan(reason=_explain(days, rules, earliest, horizon_days))


def free_starts(
    schedule: ClinicSchedule,
    day: date,
    *,
    block_minutes: int,
    patient_busy: Iterable[Interval] = (),
    part_of_day: PartOfDay | None = None,
    not_before: datetime | None = None,
) -> list[FreeStart]:
    """Every (start, chair) on one local date where a block of `block_minutes` fits, by start then chair order.

    No start in a quarter hour already holding `schedule.start_cap` starts. For moving one visit: leave the
    visit being moved out of `chair_busy`, `patient_busy` and `starts`.
    """
    days = _Days(schedule, block_minutes, patient_busy, Preferences(part_of_day=part_of_day), not_before)
    block = days.block
    out = []
    starts = days.patient_free(days.candidates(day))
    for chair, busy in schedule._chair_index.items():
        for s in starts:
            if busy.conflict_end(s, s + block) is None:
                out.append((s, days.chair_rank[chair], chair))
    out.sort(key=lambda row: (row[0], row[1]))
    return [FreeStart(start=days.aware(s), end=days.aware(s + block), chair_id=chair) for s, _, chair in out]


def booster_date(last_infusion: date, *, weeks: int = 4) -> date:
    """Suggested date of a single maintenance (booster) visit: the last infusion plus `weeks` weeks."""
    return last_infusion + timedelta(weeks=weeks)


def maintenance_plan(
    schedule: ClinicSchedule,
    *,
    first_date: date,
    block_minutes: int,
    count: int = 1,
    every_weeks: int = 4,
    tolerance_days: int = 7,
    min_gap_days: int = 1,
    patient_busy: Iterable[Interval] = (),
    preferences: Preferences = Preferences(),  # noqa: B008
    not_before: datetime | None = None,
    avoid_days: Iterable[date] = (),
) -> Plan | NoPlan:
    """`count` visits targeted at first_date, first_date + every_weeks weeks, ...

    Each visit takes the earliest free start on its target date, or on the nearest following day
    within `tolerance_days` (a later visit always falls at least `min_gap_days` after the one before).
    """
    if count < 1 or every_weeks < 1 or tolerance_days < 0:
        raise ValueError("need count >= 1, every_weeks >= 1, tolerance_days >= 0")
    days = _Days(schedule, block_minutes, patient_busy, preferences, not_before, avoid_days)
    chosen: list[date] = []
    for number in range(count):
        target = first_date + timedelta(weeks=every_weeks * number)
        found = None
        for extra in range(tolerance_days + 1):
            d = target + timedelta(days=extra)
            if chosen and (d - chosen[-1]).days < min_gap_days:
                continue
            if days.slot(d) is not None:
                found = d
                break
        if found is None:
            last = target + timedelta(days=tolerance_days)
            what = "the maintenance visit" if count == 1 else f"maintenance visit {number + 1} of {count}"
            return NoPlan(
                reason=f"No free chair for {what} between {fmt.day(target)} and {fmt.day(last)}"
                f"{_why_days(days, target, last)}."
            )
        chosen.append(found)
    return Plan(visits=tuple(days.visit(d) for d in chosen))


def validate_plan(
    visits: Plan | Sequence[Visit],
    schedule: ClinicSchedule,
    *,
    rules: SeriesRules | None = SeriesRules(),  # noqa: B008
    patient_busy: Iterable[Interval] = (),
    block_minutes: int | None = None,
) -> list[Problem]:
    """Every rule the visits break; an empty list means the plan is sound.

    Checks each visit (chair known, duration when `block_minutes` is given, closure, opening hours,
    overlap with the chair's and the patient's other bookings and with the other visits, starts beyond
    `schedule.start_cap` in a quarter hour with the booked starts and the plan's earlier ones) and, when
    `rules` is given, the series (count, spacing, max_gap, window). Pass `rules=None` for a single
    maintenance visit. To re-check an edited plan, leave the plan's own appointments out of
    `chair_busy`, `patient_busy` and `starts`.
    """
    if isinstance(visits, Plan):
        visits = visits.visits
    visits = list(visits)
    spans = [(_utc(v.start), _utc(v.end)) for v in visits]
    tz = schedule.tz
    patient = _Busy(patient_busy)
    index = schedule._chair_index
    problems: list[Problem] = []
    order = sorted(range(len(visits)), key=lambda i: spans[i][0])
    number = {i: n + 1 for n, i in enumerate(order)}  # visit numbers in date order, for messages

    for i, visit in enumerate(visits):
        label = f"Visit {number[i]}"
        s, e = spans[i]
        local = visit.start.astimezone(tz)
        when = fmt.when(local)
        if not s < e:
            problems.append(Problem("duration", f"{label} ({when}) ends before it starts.", i))
            continue
        if block_minutes is not None and e - s != timedelta(minutes=block_minutes):
            minutes = round((e - s).total_seconds() / 60)
            problems.append(Problem("duration", f"{label} ({when}) lasts {minutes} minutes, not {block_minutes}.", i))
        if local.date() in schedule.closures:
            problems.append(Problem("closure", f"{label} ({when}) falls on a day the clinic is closed.", i))
        else:
            hours = schedule.opening_hours.get(local.weekday(), ())
            if not hours:
                problems.append(
                    Problem("hours", f"{label} ({when}): the clinic is closed on {WEEKDAY_NAMES[local.weekday()]}.", i)
                )
            elif not any(
                _local_utc(tz, local.date(), opens) <= s and e <= _local_utc(tz, local.date(), closes)
                for opens, closes in hours
            ):
                shown = ", ".join(f"{fmt.clock(o)}-{fmt.clock(c)}" for o, c in hours)
                problems.append(
                    Problem("hours", f"{label} ({when}) does not fit wholly inside opening hours ({shown}).", i)
                )
        busy = index.get(visit.chair_id)
        if busy is None:
            problems.append(Problem("chair", f"{label} ({when}) is in an unknown chair.", i))
        elif busy.conflict_end(s, e) is not None:
            problems.append(Problem("overlap", f"{label} ({when}) overlaps another booking in its chair.", i))
        if patient.conflict_end(s, e) is not None:
            problems.append(Problem("overlap", f"{label} ({when}) overlaps another appointment of the patient.", i))
        for j in range(i):
            if s < spans[j][1] and spans[j][0] < e:
                problems.append(
                    Problem("plan_overlap", f"{label} ({when}) overlaps visit {number[j]} of this plan.", i)
                )

    if schedule.start_cap is not None:  # staggered starts: the booked ones and this plan's, in date order
        counts, used = schedule._start_counts, {}
        for i in order:
            first = quarter_hour(spans[i][0], tz)
            used[first] = used.get(first, 0) + 1
            if counts.get(first, 0) + used[first] > schedule.start_cap:
                label = f"Visit {number[i]} ({fmt.when(visits[i].start, tz)})"
                problems.append(_stagger_problem(label, first, tz, schedule.start_cap, i))

    if rules is None:
        return problems
    if len(visits) != rules.count:
        problems.append(Problem("count", f"The series has {len(visits)} visits, not {rules.count}."))
    dates = [visits[i].start.astimezone(tz).date() for i in order]
    for n in range(1, len(order)):
        gap = (dates[n] - dates[n - 1]).days
        if gap < rules.min_gap_days:
            problems.append(
                Problem(
                    "spacing",
                    f"Visit {n + 1} ({fmt.day(dates[n])}) is {_days(gap)} after visit {n} "
                    f"({fmt.day(dates[n - 1])}); visits must be at least {_days(rules.min_gap_days)} apart.",
                    order[n],
                )
            )
        elif gap > rules.max_gap_days:
            problems.append(
                Problem(
                    "max_gap",
                    f"Visit {n + 1} ({fmt.day(dates[n])}) is {_days(gap)} after visit {n} "
                    f"({fmt.day(dates[n - 1])}); visits should be at most {_days(rules.max_gap_days)} apart.",
                    order[n],
                )
            )
    if dates and (dates[-1] - dates[0]).days > rules.window_days:
        problems.append(
            Problem(
                "window",
                f"The last visit ({fmt.day(dates[-1])}) is {_days((dates[-1] - dates[0]).days)} after the first "
                f"({fmt.day(dates[0])}); the series must fit within {_days(rules.window_days)}.",
                order[-1],
            )
        )
    return problems


def near_other_visits(days: Sequence[date], other_days: Iterable[date], min_gap_days: int) -> list[Problem]:
    """The visits on local dates `days` closer than `min_gap_days` to one of the patient's other active visits.

    `other_days` are the local dates of every other active visit of the patient, in any series (initial or
    maintenance): two infusions of one patient are never closer than the protocol's minimum gap, whichever
    series they belong to. `visit_index` indexes `days`.
    """
    others = sorted(set(other_days))
    problems = []
    for i, day in enumerate(days):
        close = [other for other in others if abs((day - other).days) < min_gap_days]
        if close:
            other = min(close, key=lambda o: abs((day - o).days))
            gap = abs((day - other).days)
            problems.append(
                Problem(
                    "spacing",
                    f"{fmt.day(day)} is {_days(gap)} from the patient's visit on {fmt.day(other)}; "
                    f"a patient's visits must be at least {_days(min_gap_days)} apart, in any series.",
                    i,
                )
            )
    return problems


def on_deferred_days(visits: Sequence[Visit], deferred: Iterable[tuple[Interval, date]], tz: ZoneInfo) -> list[Problem]:
    """The visits that start within a day on which a visit of the patient was deferred at check-in.

    A deferral says "not today" (DOMAIN §7): no infusion of that patient for the rest of that local day,
    whatever path books one (a replacement the same evening, a move, a new plan). `deferred` gives each such
    day as its [start, end) instants in the zone of the location where the visit was deferred, with its local
    date for the message. Every instant counts, so a visit at another location (another zone) is held by
    the same day. Times in messages are on `tz`'s clock (the booking's location). `visit_index` indexes
    `visits`.
    """
    days = list(deferred)
    problems = []
    for i, visit in enumerate(visits):
        start = _utc(visit.start)
        for (begin, end), day in days:
            if _utc(begin) <= start < _utc(end):
                label = f"Visit {i + 1}" if len(visits) > 1 else "The visit"
                problems.append(
                    Problem(
                        "deferred",
                        f"{label} ({fmt.when(visit.start, tz)}) falls on {fmt.day(day)}, when the patient's visit was "
                        "deferred at check-in: no infusion for the rest of that day. Choose another day.",
                        i,
                    )
                )
                break
    return problems


def days_too_close(other_days: Iterable[date], min_gap_days: int) -> frozenset[date]:
    """The local dates a new visit may not fall on: within `min_gap_days` of one of `other_days`."""
    return frozenset(
        other + timedelta(days=offset) for other in set(other_days) for offset in range(1 - min_gap_days, min_gap_days)
    )


# Problem kinds a move may go past when staff confirm it explicitly (and the confirmation is recorded).
CONFIRMABLE = ("max_gap", "window")


def move_problems(day: date, other_days: Iterable[date], rules: SeriesRules) -> list[Problem]:
    """The rules of planning a visit of a series breaks when moved to local date `day`.

    `other_days` are the local dates of the series' other active visits. A move may not come closer than
    `rules.min_gap_days` to any of them ("spacing") nor stretch the series past MAX_WINDOW_DAYS
    ("max_window"): both are refused. Leaving more than `rules.max_gap_days` between neighbours ("max_gap")
    or going past `rules.window_days` within the cap ("window") is allowed only when staff confirm it
    (CONFIRMABLE), as when a patient falls ill.
    """
    others = list(other_days)
    problems = []
    for other in others:
        gap = abs((day - other).days)
        if gap < rules.min_gap_days:
            problems.append(
                Problem(
                    "spacing",
                    f"{fmt.day(day)} is {gap} day(s) from another visit of this series on {fmt.day(other)}; "
                    f"visits must be at least {rules.min_gap_days} days apart.",
                )
            )
    dates = sorted({*others, day})
    for before, after in zip(dates, dates[1:], strict=False):
        gap = (after - before).days
        if gap > rules.max_gap_days:
            problems.append(
                Problem(
                    "max_gap",
                    f"{fmt.day(after)} would be {_days(gap)} after the visit before it ({fmt.day(before)}); "
                    f"visits should be at most {_days(rules.max_gap_days)} apart. Confirm to move it anyway.",
                )
            )
    span = (max(dates) - min(dates)).days
    if span > MAX_WINDOW_DAYS:
        problems.append(
            Problem(
                "max_window",
                f"The series would span {span} days; it may never span more than {MAX_WINDOW_DAYS} days.",
            )
        )
    elif span > rules.window_days:
        problems.append(
            Problem(
                "window",
                f"The series would span {span} days, past its window of {rules.window_days} days. "
                "Confirm to move it anyway.",
            )
        )
    return problems


# --------------------------------------------------------------------------------------------
# Internals


_FIRST, _SECOND, _TZINFO = itemgetter(0), itemgetter(1), attrgetter("tzinfo")


class _Busy:
    """One chair's (or the patient's) bookings, sorted by start, for O(log n) 'is [s, e) free?'.

    `reach[i]` is the latest end among the first i + 1 bookings, so the bookings starting before e
    overlap [s, e) exactly when reach at that point is after s; no merging pass is needed. The fast
    path is what the database returns: UTC datetimes in start order (sorting is then one pass).
    """

    __slots__ = ("starts", "reach")

    def __init__(self, intervals: Iterable[Interval]):
        # Python compares and subtracts datetimes sharing one tzinfo by wall clock, which is wrong
        # in a fall-back hour; UTC has no such hour. Rows from the database are UTC already.
        pairs = sorted(intervals, key=_FIRST)
        starts, ends = list(map(_FIRST, pairs)), list(map(_SECOND, pairs))
        if (set(map(_TZINFO, starts)) | set(map(_TZINFO, ends))) - {UTC}:
            pairs = sorted(((_utc(start), _utc(end)) for start, end in pairs), key=_FIRST)
            starts, ends = list(map(_FIRST, pairs)), list(map(_SECOND, pairs))
        self.starts = starts
        self.reach = list(accumulate(ends, max))

    def conflict_end(self, s: datetime, e: datetime) -> datetime | None:
        """None when [s, e) is free; else an instant before which no start can be free (the jump target)."""
        k = bisect_left(self.starts, e)
        if k and self.reach[k - 1] > s:
            return self.reach[k - 1]
        return None


def quarter_hour(instant: datetime, tz: ZoneInfo) -> datetime:
    """The first instant (UTC) of the local wall-clock quarter hour `instant` falls in: 08:05 -> 08:00. In a
    fall-back hour the two 01:00s are two quarter hours (two instants)."""
    if instant.tzinfo is not UTC:  # the database's instants are UTC already
        instant = _utc(instant)
    local = instant.astimezone(tz)
    # Called for every booked start: most start on a quarter hour, so no timedelta is built for them (and
    # a positional one for the others: keyword arguments cost more than the rest of the function).
    past = local.minute % 15 * 60 + local.second
    if past or local.microsecond:
        return instant - timedelta(0, past, local.microsecond)
    return instant


def _stagger_problem(label: str, first: datetime, tz: ZoneInfo, cap: int, index: int) -> Problem:
    quarter = f"{fmt.clock(first, tz)}–{fmt.clock(first + QUARTER_HOUR, tz)}"
    if cap == 1:
        told = f"another infusion starts at {quarter} at this location: one nurse places one IV at a time"
    else:
        told = (
            f"{cap} other infusions start at {quarter} at this location, as many as may start in one quarter hour "
            "(one nurse places one IV at a time)"
        )
    return Problem("stagger", f"{label}: {told}; choose another quarter hour.", index)


def _utc(instant: datetime) -> datetime:
    if instant.utcoffset() is None:
        raise ValueError("expected an aware datetime")
    return instant.astimezone(UTC)


def _local_utc(tz: ZoneInfo, d: date, t: time) -> datetime:
    """The instant the local clock first shows d t (a time in a spring-forward gap maps past the gap)."""
    return datetime.combine(d, t, tzinfo=tz).astimezone(UTC)


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


class _Days:
    """Per-call view of the schedule: each date's earliest free (start, chair), computed once."""

    def __init__(self, schedule, block_minutes, patient_busy, preferences, not_before, avoid_days=()):
        if block_minutes < 1:
            raise ValueError("block_minutes must be at least 1")
        self.schedule = schedule
        self.tz = schedule.tz
        self.block = timedelta(minutes=block_minutes)
        self.patient = _Busy(patient_busy)
        self.preferences = preferences
        self.not_before = None if not_before is None else _utc(not_before)
        self.chairs = list(schedule._chair_index.items())
        self.chair_rank = {chair: rank for rank, (chair, _) in enumerate(self.chairs)}
        self._slots: dict[date, tuple[datetime, ChairId] | None] = {}
        self.avoid = frozenset(avoid_days)
        self.reasons: dict[date, str] = {}  # why a date has no slot: closed / near / preference / full

    def aware(self, instant: datetime) -> datetime:
        return instant.astimezone(self.tz)

    def keep(self, earlier: _Days, through: date) -> None:
        """Take `earlier`'s answers for the dates up to `through`: the caller vouches that this schedule and the
        patient's bookings hold those dates exactly as `earlier`'s did, and the other arguments are the same."""
        self._slots.update((d, slot) for d, slot in earlier._slots.items() if d <= through)
        self.reasons.update((d, reason) for d, reason in earlier.reasons.items() if d <= through)

    def candidates(self, d: date) -> list[datetime]:
        """Grid starts on local date d whose whole block fits in an opening interval and whose quarter hour still
        has room for another infusion to start (staggered starts); patient and chairs ignored."""
        schedule = self.schedule
        if d in schedule.closures or not schedule.opening_hours.get(d.weekday()):
            self.reasons[d] = "closed"
            return []
        if d in self.avoid:
            self.reasons[d] = "near"
            return []
        weekdays = self.preferences.weekdays
        if weekdays is not None and d.weekday() not in weekdays:
            self.reasons[d] = "preference"
            return []
        tz, block, g = self.tz, self.block, schedule.granularity_minutes
        full = schedule._full_quarters
        part = self.preferences.part_of_day
        # Fast path for the days without a change of clocks (all but two a year): one fixed offset.
        offset = datetime.combine(d, time(0), tzinfo=tz).utcoffset()
        fixed = offset == datetime.combine(d + timedelta(days=1), time(0), tzinfo=tz).utcoffset()
        out = []
        for opens, closes in schedule.opening_hours[d.weekday()]:
            open_at, close_at = _local_utc(tz, d, opens), _local_utc(tz, d, closes)
            if fixed:
                first = opens.hour * 60 + opens.minute + (1 if opens.second or opens.microsecond else 0)
                begin, end = -(-first // g) * g, closes.hour * 60 + closes.minute
                if part == MORNING:  # starts before 12:00
                    end = min(end, 12 * 60)
                elif part == AFTERNOON:  # starts at or after 12:00, on the grid
                    begin = max(begin, -(-12 * 60 // g) * g)
                # With one offset all day the local clock shows `minute` at midnight + minute, so its quarter hour
                # began minute % 15 minutes before: quarter_hour()'s answer without a time zone lookup per start.
                midnight = datetime.combine(d, time(0), tzinfo=UTC) - offset
                for minute in range(begin, end, g):
                    ts = midnight + _MINUTES[minute]
                    if open_at <= ts and ts + block <= close_at and not (full and ts - _MINUTES[minute % 15] in full):
                        out.append(ts)
            else:  # wall clock and instants part ways: try the whole day, keep what falls inside
                for minute in range(0, 24 * 60, g):
                    t = time(minute // 60, minute % 60)
                    if (part == MORNING and t >= NOON) or (part == AFTERNOON and t < NOON):
                        continue
                    for ts in _instants(tz, d, t):
                        if open_at <= ts and ts + block <= close_at and not (full and quarter_hour(ts, tz) in full):
                            out.append(ts)
        if self.not_before is not None:
            out = [ts for ts in out if ts >= self.not_before]
        return sorted(set(out))

    def patient_free(self, starts: list[datetime]) -> list[datetime]:
        block, patient = self.block, self.patient
        return [s for s in starts if patient.conflict_end(s, s + block) is None]

    def slot(self, d: date) -> tuple[datetime, ChairId] | None:
        if d in self._slots:
            return self._slots[d]
        block = self.block
        starts = self.patient_free(self.candidates(d))
        best = None
        if starts:
            for chair, busy in self.chairs:
                i, n = 0, len(starts)
                while i < n:
                    s = starts[i]
                    if best is not None and s >= best[0]:
                        break  # cannot beat the chair already found (ties go to the earlier chair)
                    end = busy.conflict_end(s, s + block)
                    if end is None:
                        best = (s, chair)
                        break
                    i = bisect_left(starts, end, i + 1)
                if best is not None and best[0] == starts[0]:
                    break
        if best is None and d not in self.reasons:
            self.reasons[d] = "full"
        self._slots[d] = best
        return best

    def visit(self, d: date) -> Visit:
        s, chair = self._slots[d]
        return Visit(start=self.aware(s), end=self.aware(s + self.block), chair_id=chair)


def _instants(tz: ZoneInfo, d: date, t: time) -> list[datetime]:
    """The UTC instants at which the local clock shows d t: none in a spring-forward gap, two in a fall-back hour."""
    out = []
    for fold in (0, 1):
        local = datetime.combine(d, t, tzinfo=tz).replace(fold=fold)
        instant = local.astimezone(UTC)
        back = instant.astimezone(tz)
        if back.replace(tzinfo=None, fold=0) == local.replace(tzinfo=None, fold=0) and instant not in out:
            out.append(instant)
    return out


def _extend(days: _Days, rules: SeriesRules, first: date, chosen: list[date], dead: set) -> bool:
    """Depth-first search with backtracking: complete `chosen` to rules.count dates, earliest first."""
    if len(chosen) == rules.count:
        return True
    limit = first + timedelta(days=rules.window_days)
    prev = chosen[-1]
    for gap in range(rules.min_gap_days, rules.max_gap_days + 1):
        d = prev + timedelta(days=gap)
        if d > limit:
            break
        key = (len(chosen), d)
        if key in dead or days.slot(d) is None:
            continue
        chosen.append(d)
        if _extend(days, rules, first, chosen, dead):
            return True
        chosen.pop()
        dead.add(key)  # no completion from this date at this position (for this first date)
    return False


def _why_days(days: _Days, first: date, last: date) -> str:
    """', where the clinic is closed on 3 days and there is no free chair on 5 days' (or '')."""
    counts = {"closed": 0, "near": 0, "preference": 0, "full": 0}
    d = first
    while d <= last:
        if days.slot(d) is None:
            counts[days.reasons[d]] += 1
        d += timedelta(days=1)
    parts = []
    if counts["closed"]:
        parts.append(f"the clinic is closed on {_days(counts['closed'])}")
    if counts["near"]:
        n = counts["near"]
        parts.append(f"{_days(n)} {'is' if n == 1 else 'are'} too close to the patient's other visits")
    if counts["preference"]:
        n = counts["preference"]
        parts.append(f"{_days(n)} {'is' if n == 1 else 'are'} not on the preferred weekdays")
    if counts["full"]:
        extra = " at the preferred time of day" if days.preferences.part_of_day else ""
        parts.append(f"there is no free chair{extra} on {_days(counts['full'])}")
    if not parts:
        return ""
    if len(parts) > 1:
        parts[-1] = "and " + parts[-1]
    return ", where " + (" " if len(parts) == 2 else ", ").join(parts)


def _explain(days: _Days, rules: SeriesRules, earliest: date, horizon_days: int) -> str:
    last_first = earliest + timedelta(days=horizon_days - 1)
    span_end = last_first + timedelta(days=rules.window_days)
    usable = sum(1 for o in range((span_end - earliest).days + 1) if days.slot(earliest + timedelta(days=o)))
    reason = (
        f"No {rules.count}-visit series can start within {_days(horizon_days)} of {fmt.day(earliest)} "
        f"(by {fmt.day(last_first)}). Looked from {fmt.day(earliest)} to {fmt.day(span_end)}"
        f"{_why_days(days, earliest, span_end)}."
    )
    if usable:
        reason += (
            f" The {_days(usable)} with a free chair cannot be spaced {rules.min_gap_days}-{rules.max_gap_days} "
            f"days apart within {_days(rules.window_days)} of the first."
        )
    return reason
