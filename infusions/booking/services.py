"""Booking and running infusion series: every proposal and every change to appointments goes through here.

Each flow is a symmetric pair that decides the patient's eligibility and protocol once (`series_propose` /
`series_book`, `maintenance_propose` / `maintenance_book`), so what the page proposed is what gets booked. Every
change checks who acts and where they work, runs in one transaction and syncs the visit's reminder rows inside it.
How two bookings at once are kept apart: `_lock_patient`, `_lock_location` and docs/architecture.md#concurrency.
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from clinic.context import ClinicContext, clinic_context
from clinic.locations import check_works_at
from clinic.models import Location
from clinic.refusals import Refused
from clinic.roles import acts
from infusions import reminders
from infusions.booking import selectors
from infusions.booking.planner import (
    CONFIRMABLE,
    FreeStart,
    NoPlan,
    Plan,
    Preferences,
    Problem,
    Visit,
    booster_date,
    days_too_close,
    move_problems,
    near_other_visits,
    on_deferred_days,
    validate_plan,
)
from infusions.models import Appointment, Chair, InfusionSeries, MaintenanceOrder, Protocol
from infusions.reminders import notices
from intake.eligibility import Eligibility, booking_eligibility
from intake.models import Patient

logger = logging.getLogger(__name__)

OVERLAP_CONSTRAINTS = ("appointment_no_chair_overlap", "appointment_no_patient_overlap")
ONE_ACTIVE_SERIES = "series_one_active_initial_per_patient"
ACTIVE_SERIES = "This patient already has an active series; cancel or complete it first."


class SlotTaken(Refused):
    """Another booking took the time: the page offers a fresh proposal (turned from the database's refusal too)."""

    def __init__(self, message="That time was just taken."):
        super().__init__(message)


class NeedsConfirmation(Refused):
    """Allowed, but only when the user confirms explicitly (a visit past the series window)."""


class BadPlan(Refused):
    """The request names no such visit of the plan (a hand-made or stale address): the page answers 400."""


VisitRequest = tuple[datetime, int]  # (aware start, chair id)

# What the pages that call each service require (infusions.booking.views; a test keeps them equal).
BOOK = ("infusions.add_appointment", "infusions.add_infusionseries", "intake.view_patient_contact")
CHANGE = ("infusions.change_appointment",)
REPLACE = (*CHANGE, "infusions.add_appointment")
CHANGE_SERIES = (*CHANGE, "infusions.change_infusionseries")
ORDER_MAINTENANCE = ("infusions.view_maintenanceorder", "infusions.add_maintenanceorder")
CANCEL_ORDER = ("infusions.change_maintenanceorder",)


@dataclass(frozen=True)
class MaintenanceChoice:
    """What the maintenance visits are planned from: the form's values, or the clinic's defaults."""

    count: int
    every_weeks: int
    first: date
    suggested: date | None  # the last infusion + the clinic's interval, when there was one


@dataclass(frozen=True)
class Proposal:
    """A plan for the front desk, or why there is none.

    Not bookable: `eligibility.reason` says why (the eligibility rule's words), or `refusal` does (no
    protocol, maintenance not allowed yet). Otherwise `visits` is the proposed or edited plan with the
    `problems` it breaks, or `no_plan` says why the planner found none.
    """

    eligibility: Eligibility
    protocol: Protocol | None = None
    refusal: str = ""
    visits: tuple[Visit, ...] = ()
    problems: tuple[Problem, ...] = ()
    no_plan: str = ""
    maintenance: MaintenanceChoice | None = None
    order: MaintenanceOrder | None = None
    active_series: InfusionSeries | None = None  # the series that stands in the way of a new one
    chairs: Mapping[int, str] = field(default_factory=dict)  # chair id -> name, for the visits shown

    @property
    def bookable(self) -> bool:
        return self.eligibility.bookable and not self.refusal


@dataclass(frozen=True)
class DayOption:
    slot: FreeStart
    chair: str | None
    visits: tuple[Visit, ...]  # the whole plan with the visit being changed put at this time


@dataclass(frozen=True)
class DayOptions:
    """The free times on one day for visit `index` of a plan being edited."""

    proposal: Proposal  # eligibility, protocol and refusal, as for the plan
    visits: tuple[Visit, ...] = ()
    index: int = 0
    day: date | None = None
    options: tuple[DayOption, ...] = ()

    @property
    def current(self) -> Visit:
        return self.visits[self.index]


def protocol_for(indication: str) -> Protocol:
    try:
        return Protocol.objects.get(indication=indication)
    except Protocol.DoesNotExist:
        raise Refused("No protocol is set up for this patient's indication; ask an administrator.") from None


def _is_overlap(exc: Exception) -> bool:
    cause = exc.__cause__
    name = getattr(getattr(cause, "diag", None), "constraint_name", None)
    if name:
        return name in OVERLAP_CONSTRAINTS
    return any(constraint in str(exc) for constraint in OVERLAP_CONSTRAINTS)


def _is_one_active_series(exc: Exception) -> bool:
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    # SQLite names the columns, not the constraint.
    return name == ONE_ACTIVE_SERIES or "infusions_infusionseries.patient_id" in str(exc)


def _lock_patient(patient) -> None:
    """Serialise every booking and move of one patient (PostgreSQL: the patient's row lock, held to COMMIT;
    SQLite: the IMMEDIATE transaction holds the whole database already), so the re-checks that follow read
    what the other bookings of this patient committed."""
    Patient.objects.select_for_update().filter(pk=patient.pk).exists()


def _lock_location(location: Location) -> ClinicContext:
    """Serialise the bookings and moves at one location (PostgreSQL: the location's row lock, held to COMMIT,
    taken after the patient's; SQLite: the IMMEDIATE transaction holds the whole database already), so the
    staggered-starts re-check reads the starts the other bookings committed. The context of the row read now
    (its current cap)."""
    if connection.features.has_select_for_update:
        location = Location.objects.select_for_update().get(pk=location.pk)
    return clinic_context(location)


def _check_across_series(
    days: Sequence[date], *, patient, min_gap_days: int, clinic: ClinicContext, exclude_ids=(), exclude_series_id=None
) -> None:
    """Refuse a visit closer than the protocol's minimum gap to another active visit of the patient, any series."""
    others = selectors.patient_visit_days(
        patient, exclude_ids=exclude_ids, exclude_series_id=exclude_series_id, clinic=clinic
    )
    problems = near_other_visits(days, others, min_gap_days)
    if problems:
        raise Refused(" ".join(p.message for p in problems))


def _is_lock_conflict(exc: Exception) -> bool:
    # PostgreSQL: deadlock_detected (40P01) or serialization_failure (40001) between two bookings.
    return getattr(exc.__cause__, "pgcode", None) in ("40P01", "40001")


class _translate_conflicts:
    """Turn the database's refusal of an overlapping row into SlotTaken (outside the atomic block).

    On SQLite the booking transaction holds the write lock from BEGIN (settings: transaction_mode IMMEDIATE), so
    the re-check cannot interleave with another booking. On PostgreSQL two transactions can both pass the re-check;
    the exclusion constraints (infusions/migrations/0002_no_overlap_postgres.py) refuse the second insert."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, IntegrityError) and _is_one_active_series(exc):
            logger.info("booking refused by the database: a second active initial series")
            raise Refused(ACTIVE_SERIES) from None
        if isinstance(exc, IntegrityError) and _is_overlap(exc):
            logger.info("booking refused by the database: overlapping appointment")
            raise SlotTaken() from None
        if isinstance(exc, DatabaseError) and _is_lock_conflict(exc):
            logger.info("booking refused by the database: concurrent booking")
            raise SlotTaken() from None
        return False


def _problems(
    visits: Sequence[Visit], *, patient, rules, block_minutes: int, clinic: ClinicContext, exclude_ids=()
) -> list[Problem]:
    """Hours, closures, chairs, overlaps, (with rules) spacing, and a deferral's day ("not today" holds the rest of
    that local day: `planner.on_deferred_days`) of these visits against the database now. Every booking path
    checks its visits here: a new series or maintenance plan, a move, a replacement, an undone cancel or mark."""
    dates = [clinic.local_date(v.start) for v in visits]
    first, last = min(dates), max(dates)
    schedule = selectors.clinic_schedule(first, last, exclude_ids=exclude_ids, clinic=clinic)
    busy = selectors.patient_busy(patient, first, last, exclude_ids=exclude_ids, clinic=clinic)
    problems = validate_plan(visits, schedule, rules=rules, patient_busy=busy, block_minutes=block_minutes)
    deferred = selectors.deferred_days(patient, min(v.start for v in visits), max(v.start for v in visits))
    return problems + on_deferred_days(visits, deferred, clinic.tz)


def _check_visits(
    visits: Sequence[Visit], *, patient, rules, block_minutes: int, clinic: ClinicContext, exclude_ids=()
) -> None:
    """Refuse visits in the past or breaking a rule; another booking in the way is `SlotTaken`."""
    now = clinic.now()
    if not visits:
        raise Refused("Choose at least one visit.")
    if any(v.start < now for v in visits):
        raise Refused("A visit is in the past; choose a later time.")
    problems = _problems(
        visits, patient=patient, rules=rules, block_minutes=block_minutes, clinic=clinic, exclude_ids=exclude_ids
    )
    if any(p.kind == "overlap" for p in problems):  # plan_overlap (two visits of this plan) is not "taken"
        raise SlotTaken()
    staggered = [p.message for p in problems if p.kind == "stagger"]
    if staggered:  # the quarter hour's starts were taken (by other bookings, or by this plan's own visits)
        raise SlotTaken(" ".join(staggered))
    if problems:
        raise Refused(" ".join(p.message for p in problems))


def _as_visits(requests: Sequence[VisitRequest], block_minutes: int) -> list[Visit]:
    block = timedelta(minutes=block_minutes)
    visits = []
    for start, chair_id in sorted(requests, key=lambda r: r[0]):
        if start.utcoffset() is None:
            raise Refused("Visit times must carry a time zone.")
        visits.append(Visit(start=start, end=start + block, chair_id=int(chair_id)))
    return visits


def _create_series(
    patient, protocol, kind, visits: Sequence[Visit], by, location
) -> tuple[InfusionSeries, list[Appointment]]:
    """The series, its visits and their reminder rows, inside the booking's transaction."""
    series = InfusionSeries(patient=patient, protocol=protocol, kind=kind, created_by=by, location=location)
    series._history_user = by
    series.save()
    appointments = _create(series, visits, by)
    reminders.sync_for(appointments)
    return series, appointments


def _create(series, visits: Sequence[Visit], by) -> list[Appointment]:
    created = []
    for number, visit in enumerate(visits, start=1):
        appointment = Appointment(
            series=series,
            patient_id=series.patient_id,
            chair_id=visit.chair_id,
            sequence=number,
            start=visit.start,
            end=visit.end,
        )
        appointment._history_user = by
        appointment.save()
        created.append(appointment)
    return created


def _refuse_unless_bookable(terms: Proposal) -> Protocol:
    if not terms.eligibility.bookable:
        raise Refused(terms.eligibility.reason)
    if terms.refusal:
        raise Refused(terms.refusal)
    return terms.protocol


# --- Proposing and editing a plan -------------------------------------------------------------


def _with_protocol(eligibility: Eligibility) -> Proposal:
    """The eligibility decision and, when bookable, the protocol of the screened indication."""
    if not eligibility.bookable:
        return Proposal(eligibility=eligibility)
    try:
        return Proposal(eligibility=eligibility, protocol=protocol_for(eligibility.indication))
    except Refused as exc:
        return Proposal(eligibility=eligibility, refusal=str(exc))


def active_series(patient) -> InfusionSeries | None:
    """The patient's active initial series (at most one: the database holds it)."""
    return InfusionSeries.objects.filter(
        patient=patient, kind=InfusionSeries.Kind.INITIAL, status=InfusionSeries.Status.ACTIVE
    ).first()


def _series_terms(patient) -> Proposal:
    terms = _with_protocol(booking_eligibility(patient))
    if not terms.bookable:
        return terms
    current = active_series(patient)
    if current is not None:
        return replace(terms, refusal=ACTIVE_SERIES, active_series=current)
    return terms


def maintenance_eligibility(patient, *, clinic: ClinicContext | None = None) -> Eligibility:
    """The booking rule, and the patient's last screening no older than the clinic's validity for maintenance."""
    clinic = clinic or clinic_context()
    return booking_eligibility(patient, max_screening_age_days=clinic.clinic.screening_valid_days)


MAINTENANCE_NOT_YET = (
    "Maintenance visits are booked after the initial series is completed or when a clinician orders them."
)


def maintenance_allowed(patient) -> bool:
    """A completed initial series or a clinician's open order lets front desk book maintenance."""
    return (
        InfusionSeries.objects.filter(
            patient=patient, kind=InfusionSeries.Kind.INITIAL, status=InfusionSeries.Status.COMPLETED
        ).exists()
        or MaintenanceOrder.objects.open().filter(patient=patient).exists()
    )


def _maintenance_terms(patient, clinic: ClinicContext, *, lock_order: bool = False) -> Proposal:
    """Eligibility, protocol, and the completed-series-or-open-order rule; `lock_order` inside a booking."""
    terms = _with_protocol(maintenance_eligibility(patient, clinic=clinic))
    if not terms.bookable:
        return terms
    orders = MaintenanceOrder.objects.select_for_update() if lock_order else MaintenanceOrder.objects
    order = orders.open().filter(patient=patient).first()
    if order is None and not maintenance_allowed(patient):
        return replace(terms, refusal=MAINTENANCE_NOT_YET)
    return replace(terms, order=order)


def _location_of(requests: Sequence[VisitRequest], location: Location | None = None) -> Location:
    """The one location whose chairs the visits ask for (1 query): a series is booked at one location."""
    location_id = selectors.location_of_chairs({int(chair_id) for _, chair_id in requests})
    if location_id is None:
        raise Refused("All visits of a series are booked in chairs of one location.")
    if location is not None:
        if location.pk != location_id:
            raise Refused(f"Those chairs are not at {location.name}.")
        return location
    return Location.objects.get(pk=location_id)


def _edited(terms: Proposal, requests, *, patient, rules, clinic) -> Proposal:
    """A plan the front desk edited, with every rule it breaks."""
    block = terms.protocol.chair_minutes
    visits = _as_visits(requests, block)
    problems = _problems(visits, patient=patient, rules=rules, block_minutes=block, clinic=clinic)
    others = selectors.patient_visit_days(patient, clinic=clinic)
    problems += near_other_visits([clinic.local_date(v.start) for v in visits], others, terms.protocol.min_gap_days)
    return replace(terms, visits=tuple(visits), problems=tuple(problems), chairs=selectors.chair_names())


def _planned(terms: Proposal, plan: Plan | NoPlan) -> Proposal:
    if isinstance(plan, NoPlan):
        return replace(terms, no_plan=plan.reason)
    return replace(terms, visits=plan.visits, chairs=selectors.chair_names())


def series_propose(
    *,
    patient,
    location: Location,
    earliest: date | None = None,
    preferences: Preferences | None = None,
    visits: Sequence[VisitRequest] | None = None,
) -> Proposal:
    """The earliest series at `location` from `earliest` (not before its today) for the patient's wishes; or,
    given `visits`, that edited plan with the rules it breaks."""
    clinic = clinic_context(location)
    terms = _series_terms(patient)
    if not terms.bookable:
        return terms
    if visits:
        return _edited(terms, visits, patient=patient, rules=terms.protocol.series_rules(), clinic=clinic)
    today = clinic.today()
    plan = selectors.propose_series(
        patient,
        terms.protocol,
        clinic=clinic,
        earliest=max(earliest or today, today),
        preferences=preferences,
        now=clinic.now(),
        avoid_days=_too_close(patient, terms.protocol, clinic),
    )
    return _planned(terms, plan)


def _too_close(patient, protocol, clinic) -> frozenset[date]:
    """The local dates a proposal leaves out: too close to another visit, or a day a visit was deferred."""
    close = days_too_close(selectors.patient_visit_days(patient, clinic=clinic), protocol.min_gap_days)
    today = clinic.today()
    begin, end = clinic.day_bounds(today, today + timedelta(days=1))
    held = set()
    for (start, stop), _ in selectors.deferred_days(patient, begin, end):
        held.update({clinic.local_date(start), clinic.local_date(stop - timedelta(microseconds=1))})
    return close | frozenset(held)


def last_infusion(patient) -> datetime | None:
    """Start of the patient's last infusion: the latest active visit (scheduled, arrived or completed), so a
    series still under way counts from its last booked visit."""
    return (
        Appointment.objects.active().filter(patient=patient).order_by("-start").values_list("start", flat=True).first()
    )


def _maintenance_choice(patient, clinic: ClinicContext, *, first, count, every_weeks) -> MaintenanceChoice:
    interval = clinic.clinic.maintenance_interval_weeks
    today = clinic.today()
    last = last_infusion(patient)
    suggested = booster_date(clinic.local_date(last), weeks=interval) if last else None
    return MaintenanceChoice(
        count=count or 1,
        every_weeks=every_weeks or interval,
        first=max(first or suggested or today, today),
        suggested=suggested,
    )


def maintenance_propose(
    *,
    patient,
    location: Location,
    first: date | None = None,
    count: int | None = None,
    every_weeks: int | None = None,
    preferences: Preferences | None = None,
    visits: Sequence[VisitRequest] | None = None,
) -> Proposal:
    """`count` booster visits every `every_weeks` weeks from `first` (defaults: one visit at the last
    infusion + the clinic's interval) at `location`; or, given `visits`, that edited plan with the rules it
    breaks."""
    clinic = clinic_context(location)
    terms = _maintenance_terms(patient, clinic)
    if not terms.bookable:
        return terms
    choice = _maintenance_choice(patient, clinic, first=first, count=count, every_weeks=every_weeks)
    terms = replace(terms, maintenance=choice)
    if visits:
        return _edited(terms, visits, patient=patient, rules=None, clinic=clinic)
    plan = selectors.propose_maintenance(
        patient,
        terms.protocol,
        clinic=clinic,
        first_date=choice.first,
        count=choice.count,
        every_weeks=choice.every_weeks,
        preferences=preferences,
        now=clinic.now(),
        avoid_days=_too_close(patient, terms.protocol, clinic),
    )
    return _planned(terms, plan)


def _day_options(terms: Proposal, *, patient, visits, index: int, day: date | None, clinic) -> DayOptions:
    if not terms.bookable:
        return DayOptions(proposal=terms)
    planned = _as_visits(visits, terms.protocol.chair_minutes)
    if not 0 <= index < len(planned):
        raise BadPlan("No such visit in the plan.")
    current = planned[index]
    day = day or clinic.local_date(current.start)
    others = [v for k, v in enumerate(planned) if k != index]
    free = selectors.free_times(
        patient, terms.protocol, day, clinic=clinic, extra_busy=[(v.start, v.end) for v in others], now=clinic.now()
    )
    chairs = selectors.chair_names()
    options = tuple(
        DayOption(
            slot=slot,
            chair=chairs.get(slot.chair_id),
            visits=tuple(sorted([*others, Visit(slot.start, slot.end, slot.chair_id)], key=lambda v: v.start)),
        )
        for slot in free
    )
    return DayOptions(proposal=terms, visits=tuple(planned), index=index, day=day, options=options)


def series_options(
    *, patient, location: Location, visits: Sequence[VisitRequest], index: int, day: date | None = None
) -> DayOptions:
    """Other free times at `location` for visit `index` (0-based, in date order) of a series plan, on `day`
    (default: its day)."""
    clinic = clinic_context(location)
    return _day_options(_series_terms(patient), patient=patient, visits=visits, index=index, day=day, clinic=clinic)


def maintenance_options(
    *, patient, location: Location, visits: Sequence[VisitRequest], index: int, day: date | None = None
) -> DayOptions:
    """Other free times at `location` for visit `index` of a maintenance plan, on `day` (default: its day)."""
    clinic = clinic_context(location)
    terms = _maintenance_terms(patient, clinic)
    return _day_options(terms, patient=patient, visits=visits, index=index, day=day, clinic=clinic)


# --- Booking -----------------------------------------------------------------------------------


@acts(*BOOK)
def series_book(*, patient, visits: Sequence[VisitRequest], by, location: Location | None = None) -> InfusionSeries:
    """Book an initial series on the protocol of the patient's screened indication: every visit or none, all at
    one location (`location`, or the one whose chairs the visits name), where `by` works."""
    location = _location_of(visits, location) if visits else location
    if location is None:
        raise Refused("Choose at least one visit.")
    check_works_at(by, location.pk)
    with _translate_conflicts(), transaction.atomic():
        _lock_patient(patient)
        clinic = _lock_location(location)
        protocol = _refuse_unless_bookable(_series_terms(patient))
        planned = _as_visits(visits, protocol.chair_minutes)
        _check_visits(
            planned,
            patient=patient,
            rules=protocol.series_rules(),
            block_minutes=protocol.chair_minutes,
            clinic=clinic,
        )
        days = [clinic.local_date(v.start) for v in planned]
        _check_across_series(days, patient=patient, min_gap_days=protocol.min_gap_days, clinic=clinic)
        series, appointments = _create_series(patient, protocol, InfusionSeries.Kind.INITIAL, planned, by, location)
    logger.info("series %s booked: %s visits by user %s", series.pk, len(appointments), by.pk)
    return series


@acts(*BOOK)
def maintenance_book(
    *, patient, visits: Sequence[VisitRequest], by, location: Location | None = None
) -> InfusionSeries:
    """Book booster visits after a completed series or on a clinician's order (which this fulfils), all at one
    location (`location`, or the one whose chairs the visits name), where `by` works.

    The screening must be recent enough.
    """
    if not visits:
        raise Refused("Choose at least one maintenance visit.")
    location = _location_of(visits, location)
    check_works_at(by, location.pk)
    with _translate_conflicts(), transaction.atomic():
        _lock_patient(patient)
        clinic = _lock_location(location)
        # The order is locked so that a clinician's cancel and this booking cannot both take it.
        terms = _maintenance_terms(patient, clinic, lock_order=True)
        protocol, order = _refuse_unless_bookable(terms), terms.order
        if not visits:
            raise Refused("Choose at least one maintenance visit.")
        planned = _as_visits(visits, protocol.chair_minutes)
        _check_visits(planned, patient=patient, rules=None, block_minutes=protocol.chair_minutes, clinic=clinic)
        days = [clinic.local_date(v.start) for v in planned]
        for n in range(1, len(days)):  # the plan's own visits, as far apart as any two of the patient's
            problems = near_other_visits(days[n : n + 1], days[:n], protocol.min_gap_days)
            if problems:
                raise Refused(problems[0].message)
        _check_across_series(days, patient=patient, min_gap_days=protocol.min_gap_days, clinic=clinic)
        series, appointments = _create_series(patient, protocol, InfusionSeries.Kind.MAINTENANCE, planned, by, location)
        if order is not None:
            order.fulfilled_series = series
            order._history_user = by
            order.save(update_fields=["fulfilled_series"])
    if order is not None:
        logger.info("maintenance order %s fulfilled by series %s", order.pk, series.pk)
    logger.info("maintenance series %s booked: %s visits by user %s", series.pk, len(appointments), by.pk)
    return series


# --- Changing booked visits -------------------------------------------------------------------


def _locked(appointment, by) -> Appointment:
    """The visit locked, as it is now; PermissionDenied unless `by` works at its location."""
    appointment = (
        Appointment.objects.select_for_update(of=("self", "series"))
        .select_related("series__protocol", "chair__location")
        .get(pk=appointment.pk)
    )
    check_works_at(by, appointment.chair.location_id)
    return appointment


@acts(*CHANGE)
def appointment_move(
    *,
    appointment,
    start: datetime,
    chair_id: int,
    by,
    confirm_past_window: bool = False,
    to_other_location: bool = False,
) -> Appointment:
    """Move one scheduled visit by the planning rules (`planner.move_problems`): the minimum spacing (also
    against the patient's visits in other series) and the 28-day cap are refused; a longer gap than the
    protocol's or past the series window needs `confirm_past_window`, and the confirmation is recorded in
    the appointment's history (change reason `rule_override: ...`).

    A chair at another location than the visit's is refused unless `to_other_location` says the move there
    was chosen explicitly; the reminders then name the new location (they are made again on every move). `by`
    works at the visit's location and at the chair's."""
    check_works_at(by, appointment.chair.location_id)
    target = Chair.objects.select_related("location").filter(pk=chair_id).first()
    if target is None:
        raise BadPlan("No such chair.")
    check_works_at(by, target.location_id)
    with _translate_conflicts(), transaction.atomic():
        _lock_patient(appointment.patient)
        clinic = _lock_location(target.location)  # where the visit goes: its starts are the ones to keep apart
        appointment = _locked(appointment, by)
        refusal = appointment.move_refusal()
        if refusal:
            raise Refused(refusal)
        if target.location_id != appointment.chair.location_id and not to_other_location:
            raise Refused(
                f"That chair is at {target.location.name}, not {appointment.chair.location.name}: "
                "choose the other location explicitly to move the visit there."
            )
        visit, overridden = _check_new_time(appointment, start, chair_id, confirm_past_window, clinic)
        previous_start, previous_location = appointment.start, appointment.chair.location_id
        appointment.start, appointment.end, appointment.chair_id = visit.start, visit.end, visit.chair_id
        appointment._history_user = by
        if overridden:
            # The history's change reason holds 100 characters: the rules confirmed, by kind (the row has the time).
            appointment._change_reason = "rule_override: " + ", ".join(p.kind for p in overridden)
        appointment.save(update_fields=["start", "end", "chair", "updated_at"])
        reminders.sync_for([appointment])
        if visit.start != previous_start or target.location_id != previous_location:  # not a change of chair only
            notices.write(appointment, "moved", previous_start=previous_start)
    logger.info("appointment %s moved by user %s", appointment.pk, by.pk)
    return appointment


def _check_new_time(appointment, start, chair_id, confirm_past_window: bool, clinic: ClinicContext):
    """The rules for one visit of a series at a new time (a move, or a replacement of visit N): the series'
    spacing (refused, or confirmable and returned as overridden), the spacing across series, then hours,
    chair, overlaps and staggered starts. Returns (the visit, the problems confirmed)."""
    series = appointment.series
    protocol = series.protocol
    (visit,) = _as_visits([(start, chair_id)], protocol.chair_minutes)
    initial = series.kind == InfusionSeries.Kind.INITIAL
    overridden = _check_spacing(appointment, visit, protocol, confirm_past_window, clinic) if initial else []
    _check_across_series(
        [clinic.local_date(visit.start)],
        patient=appointment.patient,
        min_gap_days=protocol.min_gap_days,
        clinic=clinic,
        exclude_ids=[appointment.pk],
        # An initial series' own visits were checked above, with the series' words.
        exclude_series_id=series.pk if initial else None,
    )
    _check_visits(
        [visit],
        patient=appointment.patient,
        rules=None,
        block_minutes=protocol.chair_minutes,
        clinic=clinic,
        exclude_ids=[appointment.pk],
    )
    return visit, overridden


def _check_spacing(
    appointment, visit: Visit, protocol, confirm_past_window: bool, clinic: ClinicContext
) -> list[Problem]:
    """The planner's rules for a moved visit, as refusals or a request to confirm; returns what was confirmed."""
    others = [
        clinic.local_date(start)
        for start in Appointment.objects.active()
        .filter(series_id=appointment.series_id)
        .exclude(pk=appointment.pk)
        .values_list("start", flat=True)
    ]
    problems = move_problems(clinic.local_date(visit.start), others, protocol.series_rules())
    refused = [p for p in problems if p.kind not in CONFIRMABLE]
    if refused:
        raise Refused(refused[0].message)
    if problems and not confirm_past_window:
        raise NeedsConfirmation(" ".join(p.message for p in problems))
    return problems


@acts(*REPLACE)
def appointment_replace(
    *, appointment, start: datetime, chair_id: int, by, confirm_past_window: bool = False
) -> Appointment:
    """Book a cancelled, no-show or deferred visit of an active series again, as a new scheduled visit with the
    same number (`replaces` the old one, at most once), so the series can still reach its count. The move's
    checks: the series' spacing against its other active visits (past the max gap or the window needs
    `confirm_past_window`, recorded as `rule_override: ...`), the patient's other series, and the hours,
    chair, overlaps and staggered starts at the series' location. `by` works at the visit's location and the
    series'."""
    check_works_at(by, appointment.chair.location_id)
    target = Chair.objects.select_related("location").filter(pk=chair_id).first()
    if target is None:
        raise BadPlan("No such chair.")
    check_works_at(by, target.location_id)
    with _translate_conflicts(), transaction.atomic():
        _lock_patient(appointment.patient)
        clinic = _lock_location(target.location)
        appointment = _locked(appointment, by)
        refusal = appointment.replace_refusal()
        if refusal:
            raise Refused(refusal)
        series = appointment.series
        check_works_at(by, series.location_id)
        if target.location_id != series.location_id:
            raise Refused(f"That chair is not at {series.location.name}, where the series is booked.")
        visit, overridden = _check_new_time(appointment, start, chair_id, confirm_past_window, clinic)
        replacement = Appointment(
            series=series,
            patient_id=series.patient_id,
            chair_id=visit.chair_id,
            sequence=appointment.sequence,
            start=visit.start,
            end=visit.end,
            replaces=appointment,
        )
        replacement._history_user = by
        if overridden:
            replacement._change_reason = "rule_override: " + ", ".join(p.kind for p in overridden)
        replacement.save()
        reminders.sync_for([replacement])
    logger.info("appointment %s replaced by %s by user %s", appointment.pk, replacement.pk, by.pk)
    return replacement


@acts(*CHANGE)
def appointment_confirm_by_phone(*, appointment, by) -> Appointment:
    """The front desk called the patient, who will come: the visit counts as confirmed (history says by whom)."""
    with transaction.atomic():
        appointment = _locked(appointment, by)
        if appointment.status != Appointment.Status.SCHEDULED:
            raise Refused("Only a scheduled visit can be confirmed.")
        if appointment.confirmed_at is None:
            appointment.confirmed_at = clinic_context(appointment.chair.location).now()
            appointment._history_user = by
            appointment._change_reason = "confirmed by phone"
            appointment.save(update_fields=["confirmed_at", "updated_at"])
    logger.info("appointment %s confirmed by phone by user %s", appointment.pk, by.pk)
    return appointment


@acts(*CHANGE)
def appointment_cancel(*, appointment, by, reason: str) -> Appointment:
    """Cancel a scheduled visit for one of `Appointment.CancelReason`; marked a late cancel when it is less than
    the organisation's `late_cancel_hours` before the start. The patient is told (`notices`, on commit)."""
    if reason not in Appointment.CancelReason.values:
        raise Refused(fields={"reason": "Choose why the visit is cancelled."})
    with transaction.atomic():
        appointment = _locked(appointment, by)
        if not appointment.can_cancel:
            raise Refused("Only a scheduled visit can be cancelled.")
        clinic = clinic_context(appointment.chair.location)
        now = clinic.now()
        appointment.status = Appointment.Status.CANCELLED
        appointment.cancel_reason = reason
        appointment.cancelled_at = now
        appointment.late_cancel = appointment.start - now < timedelta(hours=clinic.clinic.late_cancel_hours)
        appointment._history_user = by
        appointment.save(update_fields=["status", "cancel_reason", "cancelled_at", "late_cancel", "updated_at"])
        reminders.sync_for([appointment])
        notices.write(appointment, "cancelled", previous_start=appointment.start)
    logger.info("appointment %s cancelled by user %s", appointment.pk, by.pk)  # the reason may be health
    return appointment


@acts(*CHANGE)
def appointment_undo_cancel(*, appointment, by) -> Appointment:
    """Undo a cancel the clinic-local day it was made, while the series is active and the visit's time still
    free (the chair, the patient, the spacing, the location's staggered starts: `_check_still_free`); the
    reminders are made again. A patient who may already have been told of the cancel (its notice sent, or
    being sent) is told it stands after all (`notices`, on commit)."""
    check_works_at(by, appointment.chair.location_id)
    with _translate_conflicts(), transaction.atomic():
        _lock_patient(appointment.patient)
        clinic = _lock_location(appointment.chair.location)
        appointment = _locked(appointment, by)
        refusal = appointment.undo_cancel_refusal(clinic)
        if refusal:
            raise Refused(refusal)
        _check_still_free(appointment, clinic)
        appointment.status = Appointment.Status.SCHEDULED
        appointment.cancel_reason, appointment.cancelled_at, appointment.late_cancel = "", None, False
        appointment._history_user = by
        appointment._change_reason = Appointment.UNDO_CANCEL_REASON
        appointment.save(update_fields=["status", "cancel_reason", "cancelled_at", "late_cancel", "updated_at"])
        reminders.sync_for([appointment])
        if notices.cancel_may_have_reached(appointment):
            notices.write(appointment, "reinstated", previous_start=appointment.start)
    logger.info("appointment %s: cancel undone by user %s", appointment.pk, by.pk)
    return appointment


@acts(*CHANGE_SERIES)
def series_cancel_rest(*, series, by, reason: str) -> int:
    """Cancel every visit of the series still scheduled, and the series itself, for one of
    `Appointment.CancelReason` (each visit marked a late cancel as `appointment_cancel` would). The patient
    is told in one message listing the cancelled visits (`notices`, on commit)."""
    if reason not in Appointment.CancelReason.values:
        raise Refused(fields={"reason": "Choose why the rest of the series is cancelled."})
    with transaction.atomic():
        series = InfusionSeries.objects.select_for_update().select_related("location").get(pk=series.pk)
        check_works_at(by, series.location_id)
        if not series.can_cancel_rest:
            raise Refused("Only an active series can be cancelled.")
        clinic = clinic_context(series.location)
        now = clinic.now()
        late = timedelta(hours=clinic.clinic.late_cancel_hours)
        rest = list(
            Appointment.objects.select_for_update()
            .filter(series=series, status=Appointment.Status.SCHEDULED)
            .select_related("patient", "chair__location")
            .order_by("start")
        )
        for appointment in rest:
            appointment.status = Appointment.Status.CANCELLED
            appointment.cancel_reason = reason
            appointment.cancelled_at = now
            appointment.late_cancel = appointment.start - now < late
            appointment._history_user = by
            appointment._change_reason = "rest of the series cancelled"
            appointment.save(update_fields=["status", "cancel_reason", "cancelled_at", "late_cancel", "updated_at"])
        series.status = InfusionSeries.Status.CANCELLED
        series._history_user = by
        series.save(update_fields=["status"])
        reminders.sync_for(rest)
        upcoming = [a for a in rest if a.start > now]
        if upcoming:
            notices.write(upcoming[0], "series_cancelled", previous_start=upcoming[0].start)
    logger.info("series %s: %s visits cancelled by user %s", series.pk, len(rest), by.pk)
    return len(rest)


@acts(*CHANGE)
def appointment_mark(*, appointment, status: str, by) -> Appointment:
    """Mark a visit arrived or no-show from its start, completed from its end (the model's rule).

    Arrived also needs the patient's eligibility: a visit on hold (a new screening waiting for review, a
    deferral, a decline) is not started until that is resolved.
    """
    if status not in Appointment.MARK_FROM:
        if status == Appointment.Status.COMPLETED:
            raise Refused("A visit is completed by its discharge on the visit's chair-side record.")
        raise Refused("A visit can be marked arrived or no-show.")
    with transaction.atomic():
        appointment = _locked(appointment, by)
        clinic = clinic_context(appointment.chair.location)
        refusal = appointment.mark_refusal(status, clinic)
        if refusal:
            raise Refused(refusal)
        if status == Appointment.Status.ARRIVED:
            eligibility = booking_eligibility(appointment.patient)
            if not eligibility.bookable:
                raise Refused(f"On hold: {eligibility.reason}")
        appointment.status = status
        appointment._history_user = by
        appointment.save(update_fields=["status", "updated_at"])
        reminders.sync_for([appointment])
    logger.info("appointment %s marked %s by user %s", appointment.pk, status, by.pk)
    return appointment


def _check_still_free(appointment, clinic: ClinicContext) -> None:
    """Undoing a cancel or a no-show makes the visit hold its chair and the patient's time again, as a booking
    does: refuse when the chair or the patient was booked meanwhile, its quarter hour already has the
    location's cap of starts (staggered starts), or another visit of the patient now stands closer than the
    minimum gap (the same checks as a booking, on both databases; the caller holds the location's lock)."""
    protocol = appointment.series.protocol
    visit = Visit(start=appointment.start, end=appointment.end, chair_id=appointment.chair_id)
    problems = _problems(
        [visit],
        patient=appointment.patient,
        rules=None,
        block_minutes=protocol.chair_minutes,
        clinic=clinic,
        exclude_ids=[appointment.pk],
    )
    if any(p.kind == "overlap" for p in problems):
        raise SlotTaken("Its time was given to another visit meanwhile: book a new visit instead.")
    if any(p.kind == "stagger" for p in problems):
        raise SlotTaken(
            "Another infusion now starts in the same quarter hour (the location's cap of starts): "
            "book a new visit instead."
        )
    deferred = [p.message for p in problems if p.kind == "deferred"]
    if deferred:
        raise Refused(" ".join(deferred))
    _check_across_series(
        [clinic.local_date(appointment.start)],
        patient=appointment.patient,
        min_gap_days=protocol.min_gap_days,
        clinic=clinic,
        exclude_ids=[appointment.pk],
    )


@acts(*CHANGE)
def appointment_undo_mark(*, appointment, by) -> Appointment:
    """Undo a mistaken mark (arrived, completed, no-show) back to the status before it, the day it was made."""
    check_works_at(by, appointment.chair.location_id)
    with _translate_conflicts(), transaction.atomic():
        _lock_patient(appointment.patient)
        clinic = _lock_location(appointment.chair.location)
        appointment = _locked(appointment, by)
        refusal = appointment.undo_refusal(clinic)
        if refusal:
            raise Refused(refusal)
        previous, _ = appointment.last_mark()
        undone = appointment.status
        if undone not in Appointment.ACTIVE_STATUSES and previous in Appointment.ACTIVE_STATUSES:
            _check_still_free(appointment, clinic)
        appointment.status = previous
        appointment._history_user = by
        appointment._change_reason = f"{Appointment.UNDO_REASON}: {undone} back to {previous}"
        appointment.save(update_fields=["status", "updated_at"])
        reminders.sync_for([appointment])
    logger.info("appointment %s: mark %s undone to %s by user %s", appointment.pk, undone, previous, by.pk)
    return appointment


@acts(*CHANGE_SERIES)
def series_complete(*, series, by) -> InfusionSeries:
    """Close a series once none of its visits is still scheduled or under way."""
    with transaction.atomic():
        series = InfusionSeries.objects.select_for_update().get(pk=series.pk)
        check_works_at(by, series.location_id)
        if not series.can_complete:
            raise Refused("Only an active series can be completed.")
        open_visits = series.appointments.filter(
            status__in=[Appointment.Status.SCHEDULED, Appointment.Status.ARRIVED]
        ).count()
        if open_visits:
            raise Refused(
                f"{open_visits} visit(s) of this series are still open: "
                "mark them completed, no-show or cancelled first."
            )
        series.status = InfusionSeries.Status.COMPLETED
        series._history_user = by
        series.save(update_fields=["status"])
    logger.info("series %s completed by user %s", series.pk, by.pk)
    return series


# --- A clinician's maintenance order ----------------------------------------------------------

ORDER_OPEN = "This patient already has an open maintenance order; cancel it before ordering again."


@acts(*ORDER_MAINTENANCE)
def maintenance_order(*, patient, by, note: str = "") -> MaintenanceOrder:
    """A clinician orders maintenance visits; front desk may then book them without a completed series."""
    order = MaintenanceOrder(patient=patient, ordered_by=by, note=note.strip())
    try:
        order.full_clean(exclude=["patient", "ordered_by"], validate_constraints=False)
    except ValidationError as exc:
        raise Refused(" ".join(exc.messages), fields=exc.message_dict) from None
    try:
        with transaction.atomic():
            if MaintenanceOrder.objects.open().filter(patient=patient).exists():
                raise Refused(ORDER_OPEN)
            order._history_user = by
            order.save()
    except IntegrityError:
        # Another order committed between the check and the insert: the database's one-open-order
        # constraint refused this one (SQLite's message does not name the constraint, so look again).
        if MaintenanceOrder.objects.open().filter(patient=patient).exists():
            raise Refused(ORDER_OPEN) from None
        raise
    logger.info("maintenance order %s for patient %s by user %s", order.pk, patient.pk, by.pk)
    return order


def maintenance_order_page(*, patient) -> dict:
    """A patient's open maintenance order, the earlier ones, and whether maintenance may be booked now."""
    orders = patient.maintenance_orders.select_related("ordered_by", "fulfilled_series")
    return {
        "order": next((o for o in orders if o.is_open), None),
        "past": [o for o in orders if not o.is_open][:10],
        "eligibility": maintenance_eligibility(patient),
    }


@acts(*CANCEL_ORDER)
def maintenance_order_cancel(*, order, by) -> MaintenanceOrder:
    """A clinician withdraws an open order before front desk books it."""
    with transaction.atomic():
        order = MaintenanceOrder.objects.select_for_update().get(pk=order.pk)
        if order.fulfilled_series_id is not None:
            raise Refused("This order has been booked already; cancel the booked visits instead.")
        if order.cancelled_at is not None:
            raise Refused("This order is already cancelled.")
        order.cancelled_at = clinic_context().now()
        order._history_user = by
        order.save(update_fields=["cancelled_at"])
    logger.info("maintenance order %s cancelled by user %s", order.pk, by.pk)
    return order
