"""Booking and running infusion series: every change to appointments goes through here.

Each service runs in one transaction, checks the current status first, and calls
`reminders.sync_for` inside that transaction so reminder rows always match what was committed.

No double booking: on SQLite the booking transaction holds the write lock from BEGIN (settings:
transaction_mode IMMEDIATE), so the re-check below cannot interleave with another booking; on
PostgreSQL two transactions can both pass the re-check, and the exclusion constraints (migration
0002) refuse the second insert, which is turned into `SlotTaken`.

Error messages are shown to staff as they are: they name times and rules, never a patient.
"""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from clinic.models import Clinic
from infusions import reminders, selectors
from infusions.models import Appointment, InfusionSeries, MaintenanceOrder, Protocol
from infusions.planner import Visit, validate_plan
from intake.eligibility import booking_eligibility

logger = logging.getLogger(__name__)

# A series may never stretch beyond this many days from its first visit (DOMAIN §5).
MAX_WINDOW_DAYS = 28
OVERLAP_CONSTRAINTS = ("appointment_no_chair_overlap", "appointment_no_patient_overlap")


class BookingError(Exception):
    """A refusal the front desk can read as it is."""


class SlotTaken(BookingError):
    def __init__(self, message="That time was just taken."):
        super().__init__(message)


class NotBookable(BookingError):
    """The eligibility rule says no; the message is its reason."""


class StatusError(BookingError):
    """The appointment or series is not in a status that allows this change."""


class NeedsConfirmation(BookingError):
    """Allowed, but only when the user confirms explicitly (a visit past the series window)."""


VisitRequest = tuple[datetime, int]  # (aware start, chair id)


def protocol_for(indication: str) -> Protocol:
    try:
        return Protocol.objects.get(indication=indication)
    except Protocol.DoesNotExist:
        raise BookingError("No protocol is set up for this patient's indication; ask an administrator.") from None


def _is_overlap(exc: Exception) -> bool:
    cause = exc.__cause__
    name = getattr(getattr(cause, "diag", None), "constraint_name", None)
    if name:
        return name in OVERLAP_CONSTRAINTS
    return any(constraint in str(exc) for constraint in OVERLAP_CONSTRAINTS)


def _is_lock_conflict(exc: Exception) -> bool:
    # PostgreSQL: deadlock_detected (40P01) or serialization_failure (40001) between two bookings.
    return getattr(exc.__cause__, "pgcode", None) in ("40P01", "40001")


class _translate_conflicts:
    """Turn the database's refusal of an overlapping row into SlotTaken (outside the atomic block)."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, IntegrityError) and _is_overlap(exc):
            logger.info("booking refused by the database: overlapping appointment")
            raise SlotTaken() from None
        if isinstance(exc, DatabaseError) and _is_lock_conflict(exc):
            logger.info("booking refused by the database: concurrent booking")
            raise SlotTaken() from None
        return False


def _check_visits(visits: Sequence[Visit], *, patient, rules, block_minutes: int, exclude_ids=()) -> None:
    """Re-check hours, closures, chairs, overlaps and (with rules) spacing against the database now."""
    now = timezone.now()
    if any(v.start < now for v in visits):
        raise BookingError("A visit is in the past; choose a later time.")
    tz = selectors.clinic_tz()
    dates = [v.start.astimezone(tz).date() for v in visits]
    first, last = min(dates), max(dates)
    schedule = selectors.clinic_schedule(first, last, exclude_ids=exclude_ids)
    busy = selectors.patient_busy(patient, first, last, exclude_ids=exclude_ids)
    problems = validate_plan(visits, schedule, rules=rules, patient_busy=busy, block_minutes=block_minutes)
    if any(p.kind == "overlap" for p in problems):  # plan_overlap (two visits of this plan) is not "taken"
        raise SlotTaken()
    if problems:
        raise BookingError(" ".join(p.message for p in problems))


def _as_visits(requests: Sequence[VisitRequest], block_minutes: int) -> list[Visit]:
    block = timedelta(minutes=block_minutes)
    visits = []
    for start, chair_id in sorted(requests, key=lambda r: r[0]):
        if start.utcoffset() is None:
            raise BookingError("Visit times must carry a time zone.")
        visits.append(Visit(start=start, end=start + block, chair_id=int(chair_id)))
    return visits


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


def series_book(*, patient, protocol: Protocol, visits: Sequence[VisitRequest], by) -> InfusionSeries:
    """Book an initial series: every visit or none."""
    with _translate_conflicts(), transaction.atomic():
        eligibility = booking_eligibility(patient)
        if not eligibility.bookable:
            raise NotBookable(eligibility.reason)
        if eligibility.indication != protocol.indication:
            raise BookingError("The protocol does not match the indication of the patient's screening.")
        if InfusionSeries.objects.filter(
            patient=patient, kind=InfusionSeries.Kind.INITIAL, status=InfusionSeries.Status.ACTIVE
        ).exists():
            raise BookingError("This patient already has an active series; cancel or complete it first.")
        planned = _as_visits(visits, protocol.chair_minutes)
        _check_visits(
            planned, patient=patient, rules=selectors.rules_for(protocol), block_minutes=protocol.chair_minutes
        )
        series = InfusionSeries(patient=patient, protocol=protocol, kind=InfusionSeries.Kind.INITIAL, created_by=by)
        series._history_user = by
        series.save()
        appointments = _create(series, planned, by)
        reminders.sync_for(appointments)
    logger.info("series %s booked: %s visits by user %s", series.pk, len(appointments), by.pk)
    return series


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


def maintenance_book(*, patient, visits: Sequence[VisitRequest], by) -> InfusionSeries:
    """Book booster visits after a completed series or on a clinician's order (which this fulfils).

    The screening must be recent enough.
    """
    with _translate_conflicts(), transaction.atomic():
        eligibility = booking_eligibility(patient, max_screening_age_days=Clinic.get().screening_valid_days)
        if not eligibility.bookable:
            raise NotBookable(eligibility.reason)
        # Locked so that a clinician's cancel and this booking cannot both take the same order.
        order = MaintenanceOrder.objects.select_for_update().open().filter(patient=patient).first()
        if order is None and not maintenance_allowed(patient):
            raise BookingError(MAINTENANCE_NOT_YET)
        if not visits:
            raise BookingError("Choose at least one maintenance visit.")
        protocol = protocol_for(eligibility.indication)
        planned = _as_visits(visits, protocol.chair_minutes)
        tz = selectors.clinic_tz()
        days = [v.start.astimezone(tz).date() for v in planned]
        if len(set(days)) != len(days):
            raise BookingError("Maintenance visits must fall on different days.")
        _check_visits(planned, patient=patient, rules=None, block_minutes=protocol.chair_minutes)
        series = InfusionSeries(patient=patient, protocol=protocol, kind=InfusionSeries.Kind.MAINTENANCE, created_by=by)
        series._history_user = by
        series.save()
        appointments = _create(series, planned, by)
        reminders.sync_for(appointments)
        if order is not None:
            order.fulfilled_series = series
            order._history_user = by
            order.save(update_fields=["fulfilled_series"])
    if order is not None:
        logger.info("maintenance order %s fulfilled by series %s", order.pk, series.pk)
    logger.info("maintenance series %s booked: %s visits by user %s", series.pk, len(appointments), by.pk)
    return series


def _locked(appointment) -> Appointment:
    return Appointment.objects.select_for_update().select_related("series__protocol").get(pk=appointment.pk)


def appointment_move(
    *, appointment, start: datetime, chair_id: int, by, confirm_past_window: bool = False
) -> Appointment:
    """Move one scheduled visit. Keeps the series' minimum spacing; past the window needs a confirm."""
    with _translate_conflicts(), transaction.atomic():
        appointment = _locked(appointment)
        series = appointment.series
        if appointment.status != Appointment.Status.SCHEDULED:
            raise StatusError("Only a scheduled visit can be moved.")
        if series.status != InfusionSeries.Status.ACTIVE:
            raise StatusError("The series is no longer active.")
        protocol = series.protocol
        (visit,) = _as_visits([(start, chair_id)], protocol.chair_minutes)
        if series.kind == InfusionSeries.Kind.INITIAL:
            _check_spacing(appointment, visit, protocol, confirm_past_window)
        _check_visits(
            [visit],
            patient=appointment.patient,
            rules=None,
            block_minutes=protocol.chair_minutes,
            exclude_ids=[appointment.pk],
        )
        appointment.start, appointment.end, appointment.chair_id = visit.start, visit.end, visit.chair_id
        appointment._history_user = by
        appointment.save(update_fields=["start", "end", "chair", "updated_at"])
        reminders.sync_for([appointment])
    logger.info("appointment %s moved by user %s", appointment.pk, by.pk)
    return appointment


def _check_spacing(appointment, visit: Visit, protocol, confirm_past_window: bool) -> None:
    tz = selectors.clinic_tz()
    day = visit.start.astimezone(tz).date()
    others = [
        start.astimezone(tz).date()
        for start in Appointment.objects.active()
        .filter(series_id=appointment.series_id)
        .exclude(pk=appointment.pk)
        .values_list("start", flat=True)
    ]
    for other in others:
        gap = abs((day - other).days)
        if gap < protocol.min_gap_days:
            raise BookingError(
                f"{day:%Y-%m-%d} is {gap} day(s) from another visit of this series on {other:%Y-%m-%d}; "
                f"visits must be at least {protocol.min_gap_days} days apart."
            )
    dates = [*others, day]
    span = (max(dates) - min(dates)).days
    if span > MAX_WINDOW_DAYS:
        raise BookingError(f"The series would span {span} days; it may never span more than {MAX_WINDOW_DAYS} days.")
    if span > protocol.window_days and not confirm_past_window:
        raise NeedsConfirmation(
            f"The series would span {span} days, past its window of {protocol.window_days} days. "
            "Confirm to move it anyway."
        )


def appointment_cancel(*, appointment, by) -> Appointment:
    with transaction.atomic():
        appointment = _locked(appointment)
        if appointment.status != Appointment.Status.SCHEDULED:
            raise StatusError("Only a scheduled visit can be cancelled.")
        appointment.status = Appointment.Status.CANCELLED
        appointment._history_user = by
        appointment.save(update_fields=["status", "updated_at"])
        reminders.sync_for([appointment])
    logger.info("appointment %s cancelled by user %s", appointment.pk, by.pk)
    return appointment


def series_cancel_rest(*, series, by) -> int:
    """Cancel every visit of the series still scheduled, and the series itself."""
    with transaction.atomic():
        series = InfusionSeries.objects.select_for_update().get(pk=series.pk)
        if series.status != InfusionSeries.Status.ACTIVE:
            raise StatusError("Only an active series can be cancelled.")
        rest = list(Appointment.objects.select_for_update().filter(series=series, status=Appointment.Status.SCHEDULED))
        for appointment in rest:
            appointment.status = Appointment.Status.CANCELLED
            appointment._history_user = by
            appointment.save(update_fields=["status", "updated_at"])
        series.status = InfusionSeries.Status.CANCELLED
        series._history_user = by
        series.save(update_fields=["status"])
        reminders.sync_for(rest)
    logger.info("series %s: %s visits cancelled by user %s", series.pk, len(rest), by.pk)
    return len(rest)


# status -> the statuses it may be reached from
MARK_FROM = {
    Appointment.Status.ARRIVED: (Appointment.Status.SCHEDULED,),
    Appointment.Status.COMPLETED: (Appointment.Status.SCHEDULED, Appointment.Status.ARRIVED),
    Appointment.Status.NO_SHOW: (Appointment.Status.SCHEDULED,),
}


def appointment_mark(*, appointment, status: str, by) -> Appointment:
    """Mark a visit arrived, completed or no-show, on or after its day."""
    if status not in MARK_FROM:
        raise StatusError("A visit can be marked arrived, completed or no-show.")
    with transaction.atomic():
        appointment = _locked(appointment)
        if appointment.status not in MARK_FROM[status]:
            raise StatusError(
                f"A {appointment.get_status_display().lower()} visit cannot be marked "
                f"{Appointment.Status(status).label.lower()}."
            )
        tz = selectors.clinic_tz()
        if appointment.start.astimezone(tz).date() > timezone.localdate(timezone=tz):
            raise StatusError("This visit is on a later day; it can be marked on its day.")
        appointment.status = status
        appointment._history_user = by
        appointment.save(update_fields=["status", "updated_at"])
        reminders.sync_for([appointment])
    logger.info("appointment %s marked %s by user %s", appointment.pk, status, by.pk)
    return appointment


def series_complete(*, series, by) -> InfusionSeries:
    """Close a series once none of its visits is still scheduled or under way."""
    with transaction.atomic():
        series = InfusionSeries.objects.select_for_update().get(pk=series.pk)
        if series.status != InfusionSeries.Status.ACTIVE:
            raise StatusError("Only an active series can be completed.")
        open_visits = series.appointments.filter(
            status__in=[Appointment.Status.SCHEDULED, Appointment.Status.ARRIVED]
        ).count()
        if open_visits:
            raise StatusError(
                f"{open_visits} visit(s) of this series are still open: "
                "mark them completed, no-show or cancelled first."
            )
        series.status = InfusionSeries.Status.COMPLETED
        series._history_user = by
        series.save(update_fields=["status"])
    logger.info("series %s completed by user %s", series.pk, by.pk)
    return series


def last_infusion(patient) -> datetime | None:
    """Start of the patient's last completed visit."""
    return (
        Appointment.objects.filter(patient=patient, status=Appointment.Status.COMPLETED)
        .order_by("-start")
        .values_list("start", flat=True)
        .first()
    )


# --- A clinician's maintenance order ----------------------------------------------------------

ORDER_OPEN = "This patient already has an open maintenance order; cancel it before ordering again."


def maintenance_order(*, patient, by, note: str = "") -> MaintenanceOrder:
    """A clinician orders maintenance visits; front desk may then book them without a completed series."""
    order = MaintenanceOrder(patient=patient, ordered_by=by, note=note.strip())
    try:
        order.full_clean(exclude=["patient", "ordered_by"], validate_constraints=False)
    except ValidationError as exc:
        raise BookingError(" ".join(exc.messages)) from None
    try:
        with transaction.atomic():
            if MaintenanceOrder.objects.open().filter(patient=patient).exists():
                raise BookingError(ORDER_OPEN)
            order._history_user = by
            order.save()
    except IntegrityError:
        # Another order committed between the check and the insert: the database's one-open-order
        # constraint refused this one (SQLite's message does not name the constraint, so look again).
        if MaintenanceOrder.objects.open().filter(patient=patient).exists():
            raise BookingError(ORDER_OPEN) from None
        raise
    logger.info("maintenance order %s for patient %s by user %s", order.pk, patient.pk, by.pk)
    return order


def maintenance_order_cancel(*, order, by) -> MaintenanceOrder:
    """A clinician withdraws an open order before front desk books it."""
    with transaction.atomic():
        order = MaintenanceOrder.objects.select_for_update().get(pk=order.pk)
        if order.fulfilled_series_id is not None:
            raise StatusError("This order has been booked already; cancel the booked visits instead.")
        if order.cancelled_at is not None:
            raise StatusError("This order is already cancelled.")
        order.cancelled_at = timezone.now()
        order._history_user = by
        order.save(update_fields=["cancelled_at"])
    logger.info("maintenance order %s cancelled by user %s", order.pk, by.pk)
    return order
