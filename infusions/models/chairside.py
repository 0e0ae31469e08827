"""The infusion day's record of one visit: check-in, start gates, dose order, flowsheet, adverse events, discharge.

One `InfusionRecord` per visit, kept by nurses and prescribers through `infusions.infusion_day.services` (the
services check every rule: the gates of `infusions.infusion_day.chairside`, the protocol's dose ceiling, the order of
the steps). Signed at discharge: from then on nothing in it changes; a correction is an `Amendment`
beside the original, and the history of every row keeps both.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from infusions.infusion_day import chairside
from infusions.models.scheduling import Appointment
from intake.screening import WEIGHT_KG_MAX, WEIGHT_KG_MIN


def _choices(values) -> list[tuple[str, str]]:
    """(code, label) pairs from the pure module's vocabulary (pairs, or plain codes)."""
    return [tuple(v) if isinstance(v, tuple | list) else (v, str(v).replace("_", " ").capitalize()) for v in values]


class InfusionRecord(models.Model):
    class Stage(models.TextChoices):
        CHECKED_IN = "checked_in", "Waiting"
        IN_CHAIR = "in_chair", "In chair"
        OBSERVATION = "observation", "Observation"
        READY = "ready", "Ready for pickup"
        DISCHARGED = "discharged", "Discharged"
        DEFERRED = "deferred", "Deferred"

    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="record")
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.CHECKED_IN)

    # Check-in (a nurse): today's values, each a field of the check-in form.
    checked_in_at = models.DateTimeField()
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    weight_kg = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(WEIGHT_KG_MIN)), MaxValueValidator(Decimal(WEIGHT_KG_MAX))],
    )
    systolic = models.PositiveSmallIntegerField()
    diastolic = models.PositiveSmallIntegerField()
    heart_rate = models.PositiveSmallIntegerField()
    spo2 = models.PositiveSmallIntegerField("SpO2 (%)")
    # Fasting and escort hold the values now: a nurse's re-check changes them, and each re-check is a
    # `RecordChange` keeping the values it replaced (the check-in's own are the first re-check's `before`).
    fasting_kept = models.BooleanField()
    escort_name = models.CharField(max_length=120, blank=True)
    escort_phone = models.CharField(max_length=40, blank=True)
    escort_sms_consent = models.BooleanField(default=False)
    intoxicated = models.BooleanField()
    pregnancy_possible = models.BooleanField(default=False)
    medication_changes = models.TextField(blank=True)
    # The pre-infusion questionnaires' item answers, by questionnaire code ({"phq9": [..9 ints], "gad7": [...]}).
    questionnaires = models.JSONField(default=dict)
    item9 = models.PositiveSmallIntegerField(validators=[MaxValueValidator(3)])

    # Gates a prescriber releases (BP over the decision threshold; a positive item 9's same-day follow-up).
    bp_decision_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bp_decision_at = models.DateTimeField(null=True, blank=True)
    bp_decision_note = models.TextField(blank=True)
    follow_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    follow_up_at = models.DateTimeField(null=True, blank=True)
    follow_up_note = models.TextField(blank=True)
    # A positive item 9 at check-in raises this alert; its resolution (here or from the clinicians' queue)
    # is the same-day follow-up that releases the start.
    safety_alert = models.OneToOneField(
        "intake.SafetyAlert", on_delete=models.PROTECT, null=True, blank=True, related_name="infusion_record"
    )
    deferred_reason = models.CharField(max_length=250, blank=True)

    # The prescriber's dose order: mg/kg of today's weight; the rest is computed once and kept as ordered.
    # The order now; an order replaced before the start is kept in a `RecordChange` (kind DOSE_ORDER).
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ordered_at = models.DateTimeField(null=True, blank=True)
    dose_mg_per_kg = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    dose_mg = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    vial_mg_per_ml = models.PositiveSmallIntegerField(null=True, blank=True)
    volume_ml = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    bag_ml = models.PositiveSmallIntegerField(null=True, blank=True)
    infusion_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    rate_ml_per_hour = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)

    # Administration.
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    dose_given_mg = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    end_note = models.CharField(max_length=250, blank=True, help_text="Why less than ordered was given, if so.")

    # A prescriber's documented decision to discharge despite the flowsheet (the latest reading out of range, or
    # none since the infusion ended): it covers the readings taken until it was recorded.
    discharge_decision_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discharge_decision_at = models.DateTimeField(null=True, blank=True)
    discharge_decision_note = models.TextField(blank=True)

    # Discharge: the checklist's ticked codes; signing locks the record.
    discharge_checklist = models.JSONField(default=list)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        permissions = [
            ("keep_infusion_record", "Can check in, record vital signs, adverse events and discharge"),
            ("order_dose", "Can order the dose and release start gates (prescriber)"),
            ("view_infusion_stage", "Can see where a patient is on the infusion day (no readings)"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(item9__lte=3), name="record_item9_range"),
            models.CheckConstraint(
                condition=Q(weight_kg__gte=WEIGHT_KG_MIN, weight_kg__lte=WEIGHT_KG_MAX), name="record_weight_range"
            ),
            models.CheckConstraint(
                condition=Q(started_at__isnull=True) | Q(ordered_at__isnull=False), name="record_started_after_order"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(started_at__isnull=False), name="record_ended_after_start"
            ),
            models.CheckConstraint(
                condition=Q(discharged_at__isnull=True) | Q(ended_at__isnull=False),
                name="record_discharged_after_end",
            ),
        ]

    def __str__(self):
        return f"Record of appointment {self.appointment_id}"

    @property
    def is_signed(self) -> bool:
        return self.discharged_at is not None

    @property
    def phase(self) -> str:
        if self.started_at is None:
            return "pre"
        return "infusion" if self.ended_at is None else "observation"


class VitalReading(models.Model):
    """One row of the flowsheet. A value past the clinic's alert thresholds needs an action note."""

    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="readings")
    taken_at = models.DateTimeField()
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    phase = models.CharField(max_length=12)
    systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField("SpO2 (%)", null=True, blank=True)
    moaas = models.PositiveSmallIntegerField("MOAA/S", null=True, blank=True, validators=[MaxValueValidator(5)])
    dissociation = models.CharField(max_length=10, blank=True, choices=_choices(chairside.DISSOCIATION))
    out_of_range = models.JSONField(default=list, help_text="The fields past an alert threshold when recorded.")
    action_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["taken_at", "id"]
        indexes = [models.Index(fields=["record", "taken_at"])]

    def __str__(self):
        return f"Reading {self.pk} of record {self.record_id}"


class AdverseEvent(models.Model):
    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="adverse_events")
    occurred_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=_choices(chairside.ADVERSE_EVENTS))
    description = models.CharField(max_length=250, blank=True, help_text="Required for 'other'.")
    severity = models.CharField(max_length=10, choices=_choices(chairside.AE_SEVERITY))
    action = models.CharField(max_length=20, choices=_choices(chairside.AE_ACTIONS))
    medication = models.CharField(max_length=120, blank=True)
    medication_dose = models.CharField(max_length=60, blank=True)
    route = models.CharField(max_length=10, blank=True, choices=_choices(chairside.ROUTES))
    outcome = models.CharField(max_length=12, choices=_choices(chairside.AE_OUTCOMES))
    history = HistoricalRecords()

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self):
        return f"Adverse event {self.pk} of record {self.record_id}"


class RecordChange(models.Model):
    """A change to an open record before the infusion starts, kept beside it: the record holds the values now,
    this row what they were (`before`), what they became (`after`), who changed them and when, and the step
    they replaced (`earlier_by`, `earlier_at`: the check-in or the last re-check; the order replaced).

    RECHECK: a nurse re-checked the check-in (fasting, escort); `blocking` keeps the messages of the start
    gates that blocked just before. DOSE_ORDER: a prescriber's new order replaced the earlier one.
    `before` and `after` map a field of the record to its value as text (only the fields that changed for a
    re-check; the whole order for a new order). Written once by `infusions.infusion_day.services`, never changed.
    """

    class Kind(models.TextChoices):
        RECHECK = "recheck", "Check-in re-checked"
        DOSE_ORDER = "dose_order", "Dose order changed"

    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    made_at = models.DateTimeField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    earlier_at = models.DateTimeField()
    earlier_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    blocking = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["made_at", "id"]
        indexes = [models.Index(fields=["record", "made_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk} of record {self.record_id}"


class Amendment(models.Model):
    """A correction to a signed record, written beside it: the original stays as it was."""

    record = models.ForeignKey(InfusionRecord, on_delete=models.PROTECT, related_name="amendments")
    made_at = models.DateTimeField(auto_now_add=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    reason = models.CharField(max_length=250)

    class Meta:
        ordering = ["made_at", "id"]

    def __str__(self):
        return f"Amendment {self.pk} of record {self.record_id}"
