"""Reminder rows: the outbox that booking changes write and the Celery dispatch drains.

One row is one message (one channel) for one visit at one offset, for the visit's start as it was
when the row was written. The unique constraint on those four makes a second send for the same
visit time impossible in the database; a moved visit gets new rows for its new start.
"""

from django.db import models
from django.db.models import Q

from infusions.models.scheduling import Appointment

__all__ = ["PatientNotice", "Reminder"]


class ReminderQuerySet(models.QuerySet):
    def due(self, now):
        return self.filter(status=Reminder.Status.PENDING, due_at__lte=now)

    def failed(self):
        return self.filter(status=Reminder.Status.FAILED)


class Reminder(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"  # the visit was moved, cancelled or marked before the send
        CANCELLED = "cancelled", "Cancelled"  # withdrawn by a booking change while still pending

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    channel = models.CharField(max_length=5, choices=Channel.choices)
    offset_hours = models.PositiveSmallIntegerField()
    visit_start = models.DateTimeField(help_text="The visit's start when this reminder was written")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set by the claim that moved the row to "sending"; only the holder of this token may record it.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The exception's type name only: never a message that could carry an address or a name.
    last_error = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "channel", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["status", "claimed_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "offset_hours", "channel", "visit_start"], name="reminder_once_per_visit_time"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "skipped", "cancelled"]),
                name="reminder_status_known",
            ),
            models.CheckConstraint(condition=Q(channel__in=["email", "sms"]), name="reminder_channel_known"),
        ]

    def __str__(self):
        return f"Reminder {self.pk} ({self.channel}, {self.offset_hours} h)"

    @property
    def is_current(self) -> bool:
        """Still about the visit as it stands (same start, still scheduled)."""
        return self.appointment.status == Appointment.Status.SCHEDULED and self.appointment.start == self.visit_start


class PatientNotice(models.Model):
    """One message (one channel) telling the patient a visit was moved or cancelled (or the rest of a series, in
    one message on its first cancelled visit), that a cancel they were told of was undone, or giving the written
    after-care instructions of a visit just discharged: an outbox row
    written in the transaction of the change (a rolled-back change leaves none), sent once by
    `reminders.notices`."""

    class Kind(models.TextChoices):
        MOVED = "moved", "Moved"
        CANCELLED = "cancelled", "Cancelled"
        SERIES_CANCELLED = "series_cancelled", "Rest of the series cancelled"
        REINSTATED = "reinstated", "Cancel undone: the visit stands"
        AFTERCARE = "aftercare", "After-care instructions at discharge"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"  # consent withdrawn, or the change was superseded before the send

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=5, choices=Reminder.Channel.choices)
    previous_start = models.DateTimeField(help_text="The visit's start before the change")
    visit_start = models.DateTimeField(help_text="The visit's start after the change (a move's new start)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=80, blank=True)  # the exception's type name only
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "skipped"]),
                name="patient_notice_status_known",
            ),
            models.CheckConstraint(condition=Q(channel__in=["email", "sms"]), name="patient_notice_channel_known"),
            models.CheckConstraint(
                condition=Q(kind__in=["moved", "cancelled", "series_cancelled", "reinstated", "aftercare"]),
                name="patient_notice_kind_known",
            ),
        ]

    def __str__(self):
        return f"Patient notice {self.pk} ({self.kind}, {self.channel})"
