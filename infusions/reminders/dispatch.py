"""The reminders' kind for the claim-and-send loop (`sending`), and the front desk's retry.

A reminder is re-checked at send time (the visit still booked at the same start and not begun, consent, the quiet
hours of the visit's location) and tried again after BACKOFF until MAX_ATTEMPTS; then the front desk sees it
failed and may send it again (`reminder_retry`). Reminders err towards at-least-once: docs/reminders.md.
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from clinic.locations import check_works_at
from clinic.refusals import Refused
from clinic.roles import acts
from infusions.models import Appointment, Reminder
from infusions.reminders import ics, rendering, sending
from infusions.reminders.outbox import channels_for, worth_sending
from infusions.reminders.sending import CLAIM_BATCH, MAX_ATTEMPTS, Outcome, lease, recheck_every

__all__ = [
    "BACKOFF",
    "CLAIM_BATCH",
    "MAX_ATTEMPTS",
    "REMINDER",
    "Outcome",
    "claim_due",
    "lease",
    "recheck_every",
    "reminder_retry",
    "send_claimed",
]

logger = logging.getLogger(__name__)

# Wait before attempt 2, 3, 4, 5 after a failed send.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))


class ReminderKind(sending.OutboxKind):
    """A reminder row: one channel of one visit, due at `due_at`, held under a claim token."""

    name = "reminder"
    model = Reminder
    header = "X-Clinic-Reminder"
    # Each visit is rendered and checked against quiet hours at its own location: loaded with it.
    related = ("appointment__patient", "appointment__chair__location")
    released = {"claim_token": None}

    def due(self, now):
        return Reminder.objects.due(now).order_by("due_at", "id")

    def claim_fields(self, now, token) -> dict:
        return {**super().claim_fields(now, token), "claim_token": token}

    def ours(self, token) -> dict:
        return {"claim_token": token, "status": Reminder.Status.SENDING}

    def check(self, row, now, ctx):
        appointment = row.appointment
        if (
            appointment.status != Appointment.Status.SCHEDULED
            or appointment.start != row.visit_start
            or appointment.start <= now
        ):
            return self.skip("VisitChanged")
        if row.channel not in channels_for(appointment.patient):
            return self.skip("NoConsent")
        if row.channel == Reminder.Channel.SMS:
            quiet = ctx.quiet_hours(appointment.chair.location)
            if quiet.contains(now):
                later = quiet.send_after(now)
                if worth_sending(appointment.start, later):
                    return self.hold("postponed", due_at=later, last_error="QuietHours")
                return self.skip("QuietHours")
        return None

    def render(self, row, ctx):
        return rendering.render(row.appointment, ctx.organisation, offset_hours=row.offset_hours)

    def attachments(self, row, ctx):
        """The visit as an .ics (time and place only)."""
        return [("visit.ics", ics.calendar([row.appointment], ctx.organisation), "text/calendar")]

    def reference(self, row) -> str:
        return str(row.pk)

    def retry_fields(self, row, now) -> dict:
        return {"due_at": now + BACKOFF[min(row.attempts, len(BACKOFF)) - 1]}


REMINDER = ReminderKind()


def claim_due(*, now: datetime | None = None, limit: int = CLAIM_BATCH) -> tuple[uuid.UUID, list[int]]:
    """Claim up to `limit` due reminders for this caller: (claim token, ids that are now ours)."""
    return sending.claim(REMINDER, now=now, limit=limit)


def send_claimed(ids, token, *, email_connection=None, sms_backend=None) -> Outcome:
    """Send the reminders this caller claimed with `token` (a UUID, or its text from a task's arguments)."""
    token = uuid.UUID(str(token))
    return sending.send_claimed(REMINDER, ids, token, email_connection=email_connection, sms_backend=sms_backend)


@acts("infusions.change_reminder")  # what the retry page requires (infusions.reminders.views.CHANGE)
def reminder_retry(*, reminder_id: int, by) -> None:
    """Send a failed reminder again at the next dispatch, with a fresh set of attempts; `by` works at the visit's
    location."""
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self", "appointment"))
            .select_related("appointment__chair")
            .get(pk=reminder_id)
        )
        check_works_at(by, reminder.appointment.chair.location_id)
        if reminder.status != Reminder.Status.FAILED:
            raise Refused("Only a failed reminder can be retried.")
        now = timezone.now()
        if not reminder.is_current or reminder.appointment.start <= now:
            raise Refused("The visit has changed or already begun; this reminder is no longer needed.")
        reminder.status, reminder.due_at, reminder.attempts = Reminder.Status.PENDING, now, 0
        reminder.claim_token = None
        reminder.save(update_fields=["status", "due_at", "attempts", "claim_token", "updated_at"])
    logger.info("reminder %s retried by user %s", reminder_id, by.pk)
