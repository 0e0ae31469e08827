"""Outcomes across the course: the scores asked before every infusion (at check-in or by the patient's link),
the prescriber's end-of-series evaluation. The reviews the rules raise are `intake.OutcomeReview` (the
clinicians' queue is intake's).

The baseline is the intake's screening (intake.Screening.scores); everything after it is an `OutcomeScore`.
In maintenance the patient is also asked every few weeks (the organisation's `maintenance_checkin_days`) by
an `OutcomeInvitation`: a single-use link with no visit behind it.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from infusions.models.scheduling import Appointment, InfusionSeries
from intake.models import Patient

__all__ = ["OutcomeInvitation", "OutcomeScore", "SeriesEvaluation"]


class OutcomeScore(models.Model):
    class Source(models.TextChoices):
        CHECK_IN = "check_in", "Check-in"
        PATIENT_LINK = "patient_link", "The patient's link"
        EVALUATION = "evaluation", "End-of-series evaluation"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="outcome_scores")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="outcome_scores"
    )
    measure = models.CharField(max_length=10)  # a questionnaire code: phq9, gad7, pcl5, pain
    items = models.JSONField()
    total = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=14, choices=Source.choices)
    taken_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["taken_at", "id"]
        indexes = [models.Index(fields=["patient", "measure", "taken_at"])]
        constraints = [
            # The patient's link answers once per visit and measure: a second use of the link is refused here too.
            models.UniqueConstraint(
                fields=["appointment", "measure"],
                condition=Q(source="patient_link"),
                name="outcome_link_once_per_visit_and_measure",
            ),
        ]

    def __str__(self):
        return f"{self.measure} {self.total} for patient {self.patient_id}"


def new_nonce() -> str:
    """A fresh random string for an invitation's link (the token carries it beside the id)."""
    return secrets.token_urlsafe(24)


class OutcomeInvitation(models.Model):
    """The maintenance check-in: a patient in maintenance is asked the questions by a signed, single-use link.

    Open until it is used (`used_at`, set by one conditional update together with the scores it records) or,
    past `expires_at` unanswered, lapsed by the next run of `infusions.tasks.invite_maintenance_checkins`
    (`lapsed_at`) so the next one may be made: the database holds at most one open invitation per patient,
    whatever two workers or two beats do. `sent_at` is stamped when a run takes the invitation to send it and
    cleared again when the send fails (the next run retries while it is still open). The token
    (`infusions.reminders.tokens.checkin_token`) carries the id and the nonce, never a name.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="outcome_invitations")
    nonce = models.CharField(max_length=40, unique=True, default=new_nonce, editable=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    lapsed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(used_at__isnull=True, lapsed_at__isnull=True),
                name="outcome_invitation_one_open_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="outcome_invitation_expires_later"
            ),
        ]

    def __str__(self):
        return f"Check-in invitation {self.pk} for patient {self.patient_id}"


class SeriesEvaluation(models.Model):
    """A prescriber's end-of-series evaluation: the outcome and the plan. The front desk sees only the order."""

    class Outcome(models.TextChoices):
        REMITTER = "remitter", "Remitter"
        RESPONDER = "responder", "Responder"
        NON_RESPONDER = "non_responder", "Non-responder"

    class Plan(models.TextChoices):
        MAINTENANCE = "maintenance", "Maintenance (boosters)"
        STOP = "stop", "Stop treatment"
        REFER = "refer", "Refer elsewhere"

    series = models.OneToOneField(InfusionSeries, on_delete=models.PROTECT, related_name="evaluation")
    outcome = models.CharField(max_length=14, choices=Outcome.choices)
    plan = models.CharField(max_length=12, choices=Plan.choices)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        # The outcome reports (outcomes.reports) read every evaluation of a location: a permission of their own.
        permissions = [("view_outcome_report", "Can see outcome reports")]

    def __str__(self):
        return f"Evaluation of series {self.series_id}"
