"""Chairs, hours, protocols, series and appointments.

No two active appointments may overlap in one chair, nor for one patient. On PostgreSQL the
database enforces it (exclusion constraints over half-open time ranges, migration 0002); on
SQLite the booking service checks inside a transaction that holds the write lock from its start
(settings: transaction_mode IMMEDIATE), so two bookings cannot interleave.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic import when as fmt
from clinic.models import Location
from infusions.booking.planner import MAX_WINDOW_DAYS, SeriesRules
from infusions.infusion_day.dosing import HIGHEST_CEILING_MG_PER_KG
from intake.models import Patient
from intake.screening import INDICATION_CHOICES

# The indications are the intake questionnaire's: one protocol per indication.
INDICATIONS = INDICATION_CHOICES


class Chair(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="chairs")
    name = models.CharField(max_length=40)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["location__position", "location__name", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["location", "name"], name="chair_name_unique_per_location")]

    def __str__(self):
        return self.name


class OpeningHours(models.Model):
    """One opening interval on a weekday at one location, in its local time. A weekday with no row is closed."""

    WEEKDAYS = [
        (0, "Monday"),
        (1, "Tuesday"),
        (2, "Wednesday"),
        (3, "Thursday"),
        (4, "Friday"),
        (5, "Saturday"),
        (6, "Sunday"),
    ]
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["location__position", "location__name", "weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(condition=Q(opens__lt=F("closes")), name="hours_open_before_close"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday_range"),
            models.UniqueConstraint(fields=["location", "weekday", "opens"], name="hours_unique_start"),
        ]

    def __str__(self):
        return f"{self.location}: {self.get_weekday_display()} {fmt.clock(self.opens)}-{fmt.clock(self.closes)}"


class ClosureQuerySet(models.QuerySet):
    def at(self, location):
        """Closures of this location and those of every location (a holiday: no location)."""
        return self.filter(Q(location=location) | Q(location__isnull=True))


class Closure(models.Model):
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        help_text="Empty: every location is closed that day (a holiday).",
    )
    date = models.DateField()
    reason = models.CharField(max_length=120, blank=True)

    objects = ClosureQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["location", "date"], name="closure_once_per_location_and_date"),
            models.UniqueConstraint(
                fields=["date"], condition=Q(location__isnull=True), name="closure_once_per_date_everywhere"
            ),
        ]

    def __str__(self):
        where = self.location or "every location"
        return f"{where} closed {fmt.day(self.date)}"


class Protocol(models.Model):
    """How one indication is treated: chair time, dose and the series' spacing rules."""

    indication = models.CharField(max_length=40, choices=INDICATIONS, unique=True)
    chair_minutes = models.PositiveIntegerField(validators=[MinValueValidator(15), MaxValueValidator(600)])
    infusion_minutes = models.PositiveIntegerField(validators=[MinValueValidator(5), MaxValueValidator(600)])
    dose_mg_per_kg = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(0.05), MaxValueValidator(HIGHEST_CEILING_MG_PER_KG)],
    )
    max_dose_mg_per_kg = models.DecimalField(
        "dose ceiling (mg/kg)",
        max_digits=4,
        decimal_places=2,
        default=HIGHEST_CEILING_MG_PER_KG,
        validators=[MinValueValidator(0.05), MaxValueValidator(HIGHEST_CEILING_MG_PER_KG)],
        help_text="The day sheet refuses a planned dose above this. The protocol's dose must not exceed it.",
    )
    dose_range = models.CharField(max_length=40, blank=True, help_text='Shown on the day sheet, e.g. "0.1-0.5 mg/kg"')
    series_count = models.PositiveSmallIntegerField(default=6, validators=[MinValueValidator(1), MaxValueValidator(12)])
    min_gap_days = models.PositiveSmallIntegerField(default=2, validators=[MinValueValidator(1)])
    max_gap_days = models.PositiveSmallIntegerField(default=7, validators=[MinValueValidator(1)])
    window_days = models.PositiveSmallIntegerField(
        default=21,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WINDOW_DAYS)],
        help_text=f"All visits within this many days of the first (at most {MAX_WINDOW_DAYS}).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["indication"]
        constraints = [
            models.CheckConstraint(
                condition=Q(infusion_minutes__lte=F("chair_minutes")), name="protocol_infusion_fits_chair"
            ),
            models.CheckConstraint(condition=Q(min_gap_days__gte=2), name="protocol_never_consecutive_days"),
            models.CheckConstraint(condition=Q(min_gap_days__lte=F("max_gap_days")), name="protocol_gap_order"),
            models.CheckConstraint(condition=Q(window_days__lte=MAX_WINDOW_DAYS), name="protocol_window_at_most_28"),
            models.CheckConstraint(
                condition=Q(dose_mg_per_kg__lte=F("max_dose_mg_per_kg")),
                name="protocol_dose_within_ceiling",
                violation_error_message="The protocol's dose is above its dose ceiling.",
            ),
        ]

    def __str__(self):
        return self.get_indication_display()

    def series_rules(self) -> SeriesRules:
        """The protocol's spacing rules as the planner takes them."""
        return SeriesRules(
            count=self.series_count,
            min_gap_days=self.min_gap_days,
            max_gap_days=self.max_gap_days,
            window_days=self.window_days,
        )


class InfusionSeries(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial series"
        MAINTENANCE = "maintenance", "Maintenance"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="series")
    # Booked at one location; a visit moves to another only when the front desk says so explicitly.
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="series")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INITIAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "infusion series"
        constraints = [
            # At most one active initial series per patient, whatever races the booking service loses.
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(kind="initial", status="active"),
                name="series_one_active_initial_per_patient",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk} of patient {self.patient_id}"

    # What may happen to a series: the services check these, the templates ask them.
    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def is_maintenance(self) -> bool:
        return self.kind == self.Kind.MAINTENANCE

    @property
    def can_cancel_rest(self) -> bool:
        return self.is_active

    @property
    def can_complete(self) -> bool:
        """Only an active series; the service also requires that none of its visits is still open."""
        return self.is_active


# No visit is longer (a protocol's chair time is at most 10 hours); a database constraint holds it,
# and the overlap queries rely on it to read only the range they ask for.
VISIT_MAX_LENGTH = timedelta(hours=12)


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=Appointment.ACTIVE_STATUSES)

    def overlapping(self, start, end):
        """Half-open: [start, end) meets [a, b) only when a < end and start < b.

        A visit lasts at most Appointment.MAX_LENGTH (a database constraint), so one that reaches
        past `start` began at most that long before it: the lower bound on `start` lets the
        (chair, start) and (start) indexes read only the range asked for, not the whole history.
        """
        return self.filter(start__gte=start - Appointment.MAX_LENGTH, start__lt=end, end__gt=start)


class Appointment(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        ARRIVED = "arrived", "Arrived"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"
        DEFERRED = "deferred", "Deferred at check-in"

    # Statuses that hold the chair and the patient's time.
    ACTIVE_STATUSES = (Status.SCHEDULED, Status.ARRIVED, Status.COMPLETED)
    MAX_LENGTH = VISIT_MAX_LENGTH

    series = models.ForeignKey(InfusionSeries, on_delete=models.PROTECT, related_name="appointments")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    chair = models.ForeignKey(Chair, on_delete=models.PROTECT, related_name="appointments")
    sequence = models.PositiveSmallIntegerField(help_text="1 for the first visit of the series")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text="When the patient confirmed attendance")

    class CancelReason(models.TextChoices):
        PATIENT_REQUEST = "patient_request", "Patient's request"
        ILLNESS = "illness", "Illness"
        TRANSPORT = "transport", "Transport"
        CLINIC = "clinic", "Clinic's decision"

    # Set by `services.appointment_cancel` (cleared again by an undo; the history keeps them).
    # Database defaults too, so a row written outside Django (a raw insert, another tool) is whole.
    cancel_reason = models.CharField(max_length=20, choices=CancelReason.choices, blank=True, default="", db_default="")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    late_cancel = models.BooleanField(
        default=False, db_default=False, help_text="Cancelled within the organisation's late-cancel hours of the start"
    )
    # A visit booked again in place of this one (cancelled, no-show or deferred): `services.appointment_replace`.
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replacement", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start", "chair__position", "id"]
        indexes = [
            models.Index(fields=["chair", "start"]),
            models.Index(fields=["patient", "start"]),
            models.Index(fields=["start"]),
        ]
        permissions = [("view_dose_sheet", "Can see the infusion day sheet (planned dose)")]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="appointment_start_before_end"),
            models.CheckConstraint(
                condition=Q(end__lte=F("start") + VISIT_MAX_LENGTH), name="appointment_at_most_12_hours"
            ),
        ]

    def __str__(self):
        return f"Appointment {self.pk}"

    @property
    def is_active(self):
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    # The status machine. A mark (arrived, completed, no-show) may be reached only from these statuses, and
    # not before the visit's start (completed: not before its end); cancel and move only while scheduled.
    # A mark made by mistake may be undone, back to the status before it, on the clinic-local day it was made.
    # Completed is no mark: a visit is completed by its discharge on the chair-side record
    # (infusions.infusion_day.services), deferred by a start gate at check-in.
    MARK_FROM = {
        Status.ARRIVED: (Status.SCHEDULED,),
        Status.NO_SHOW: (Status.SCHEDULED,),
    }
    UNDO_REASON = "undo_mark"
    # Set by `selectors.with_holds` on the pages: why this booked visit is on hold (the eligibility rule's
    # reason), or "" when it is not or was not asked. Arrival waits until the hold is resolved.
    hold = ""  # the change reason of an undo in the history; an undo is not undone again

    def can_mark(self, status: str) -> bool:
        return self.status in self.MARK_FROM.get(status, ())

    def mark_time(self, status: str):
        """The instant from which the visit may be marked `status`: its end for completed, else its start."""
        return self.end if status == self.Status.COMPLETED else self.start

    def mark_refusal(self, status: str, clinic) -> str | None:
        """Why the visit cannot be marked `status` now (`clinic`: a ClinicContext), or None when it can."""
        if not self.can_mark(status):
            return f"A {self.get_status_display().lower()} visit cannot be marked {self.Status(status).label.lower()}."
        when = self.mark_time(status)
        if clinic.now() < when:
            what = "ends" if status == self.Status.COMPLETED else "starts"
            return (
                f"This visit {what} at {fmt.clock(when, clinic.tz)} on {fmt.day(when, clinic.tz)}; "
                f"it can be marked {self.Status(status).label.lower()} from then."
            )
        return None

    def _may_mark_now(self, status: str) -> bool:
        return self.can_mark(status) and timezone.now() >= self.mark_time(status)

    @property
    def can_mark_arrived(self) -> bool:
        return self._may_mark_now(self.Status.ARRIVED) and not self.hold

    @property
    def can_mark_no_show(self) -> bool:
        return self._may_mark_now(self.Status.NO_SHOW)

    def last_mark(self):
        """(status before the mark, when it was marked) for the mark that set the current status, from the
        history; None when the current status is no mark, or was reached by undoing one."""
        if self.status not in self.MARK_FROM:
            return None
        setting = None
        for status, when, reason in self.history.order_by("-history_id").values_list(
            "status", "history_date", "history_change_reason"
        ):
            if status != self.status:
                if setting is None or (setting[1] or "").startswith(self.UNDO_REASON):
                    return None
                return status, setting[0]
            setting = (when, reason)
        return None

    def undo_refusal(self, clinic) -> str | None:
        """Why the last mark cannot be undone now (`clinic`: a ClinicContext), or None when it can."""
        mark = self.last_mark()
        if mark is None:
            return "This visit has no mark to undo."
        if not self.series.is_active:
            return "The series is no longer active."
        if self.has_replacement:
            return "This visit has been replaced: change the replacement instead."
        if clinic.local_date(mark[1]) != clinic.today():
            return "A mark can be undone only on the day it was made."
        if self.status == self.Status.ARRIVED and type(self).objects.filter(pk=self.pk, record__isnull=False).exists():
            return "The patient is checked in: the visit's record goes on from there."
        return None

    @property
    def can_undo_mark(self) -> bool:
        from clinic.context import clinic_context  # the visit's location: its time zone and today

        return self.status in self.MARK_FROM and self.undo_refusal(clinic_context(self.chair.location)) is None

    @property
    def can_cancel(self) -> bool:
        return self.status == self.Status.SCHEDULED

    UNDO_CANCEL_REASON = "undo_cancel"

    def undo_cancel_refusal(self, clinic) -> str | None:
        """Why the cancel cannot be undone now (`clinic`: a ClinicContext), or None when it may be (the service
        also requires the visit's time to be still free)."""
        if self.status != self.Status.CANCELLED or self.cancelled_at is None:
            return "This visit has no cancel to undo."
        if not self.series.is_active:
            return "The series is no longer active."
        if self.has_replacement:
            return "This visit has been replaced: change the replacement instead."
        if clinic.local_date(self.cancelled_at) != clinic.today():
            return "A cancel can be undone only on the day it was made."
        if self.start <= clinic.now():
            return "The visit's time has passed: book a new visit instead."
        return None

    @property
    def can_undo_cancel(self) -> bool:
        from clinic.context import clinic_context  # the visit's location: its time zone and today

        if self.status != self.Status.CANCELLED:
            return False
        return self.undo_cancel_refusal(clinic_context(self.chair.location)) is None

    def move_refusal(self) -> str | None:
        """Why this visit cannot be moved, or None when it can (reads the series)."""
        if self.status != self.Status.SCHEDULED:
            return "Only a scheduled visit can be moved."
        if not self.series.is_active:
            return "The series is no longer active."
        return None

    @property
    def can_move(self) -> bool:
        return self.move_refusal() is None

    REPLACEABLE_STATUSES = (Status.CANCELLED, Status.NO_SHOW, Status.DEFERRED)

    @property
    def has_replacement(self) -> bool:
        return hasattr(self, "replacement")  # the reverse one-to-one: no row, no attribute

    def replace_refusal(self) -> str | None:
        """Why this visit cannot be booked again in its place, or None when it can (reads the series)."""
        if self.status not in self.REPLACEABLE_STATUSES:
            return "Only a cancelled, no-show or deferred visit can be replaced."
        if not self.series.is_active:
            return "The series is no longer active."
        if self.has_replacement:
            return "This visit has been replaced already."
        return None

    @property
    def can_replace(self) -> bool:
        return self.replace_refusal() is None
