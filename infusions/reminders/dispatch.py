"""Dispatch of due reminders in small idempotent steps, and the front desk's retry.

1. `claim_due` moves due rows from pending to sending with one conditional UPDATE that stamps a fresh
   claim token (`WHERE status = 'pending'`); only rows that carry that token afterwards are this
   caller's, so two workers or two beats never hold the same row. On PostgreSQL the candidate ids
   are picked with `SELECT ... FOR UPDATE SKIP LOCKED` so concurrent claims do not even wait.
2. `send_claimed` re-checks each row (visit still scheduled at the same start, consent, the quiet hours
   of the visit's location), renews its lease, sends (in the words, time and place of the visit's
   location), and records the outcome, all conditional on the claim token. A failed send is retried
   after BACKOFF, and marked failed after MAX_ATTEMPTS.
3. A row left in "sending" longer than the lease (its worker died) is reclaimed by the next claim.
   That is the one gap: a provider that accepted a message whose worker died before recording it
   sends it again. Reminders err on the side of at-least-once (README, Reminders).
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from clinic.context import clinic_context
from infusions.models import Appointment, Reminder
from infusions.reminders import rendering, sms
from infusions.reminders.outbox import channels_for, worth_sending
from infusions.reminders.quiet_hours import QuietHours

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Wait before attempt 2, 3, 4, 5 after a failed send.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
CLAIM_BATCH = 500


def lease() -> timedelta:
    """How long a claimed row may stay in "sending" before dispatch takes it back."""
    return timedelta(seconds=getattr(settings, "REMINDER_LEASE_SECONDS", 600))


def reclaim_stuck(now: datetime) -> int:
    """Take back rows whose worker died while sending (lease expired): retry, or fail at the limit."""
    stale = Reminder.objects.filter(status=Reminder.Status.SENDING, claimed_at__lt=now - lease())
    failed = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Reminder.Status.FAILED, last_error="LeaseExpired", claim_token=None, updated_at=now
    )
    retried = stale.update(status=Reminder.Status.PENDING, last_error="LeaseExpired", claim_token=None, updated_at=now)
    if failed or retried:
        logger.warning("reminders reclaimed after lease expiry: %s retried, %s failed", retried, failed)
    return failed + retried


def claim_due(*, now: datetime | None = None, limit: int = CLAIM_BATCH) -> tuple[uuid.UUID, list[int]]:
    """Claim up to `limit` due rows for this caller: (claim token, ids that are now ours)."""
    now = now or timezone.now()
    reclaim_stuck(now)
    token = uuid.uuid4()
    with transaction.atomic():
        due = Reminder.objects.due(now).order_by("due_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        if not ids:
            return token, []
        Reminder.objects.filter(pk__in=ids, status=Reminder.Status.PENDING).update(
            status=Reminder.Status.SENDING,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        # Only rows whose conditional update stamped our token are ours (sendalerts' claim pattern).
        # Read in the same transaction, so a failure here undoes the claim instead of stranding rows.
        claimed = list(Reminder.objects.filter(pk__in=ids, claim_token=token).values_list("id", flat=True))
    return token, claimed


def _record(reminder, token, **fields) -> bool:
    fields.setdefault("updated_at", timezone.now())
    changed = Reminder.objects.filter(pk=reminder.pk, claim_token=token, status=Reminder.Status.SENDING).update(
        **fields
    )
    return changed == 1


def _give_back(reminder, token, due: datetime, error: str) -> bool:
    """Put a claimed row back to pending for later, without counting this as an attempt."""
    return _record(
        reminder,
        token,
        status=Reminder.Status.PENDING,
        due_at=due,
        attempts=F("attempts") - 1,
        claim_token=None,
        last_error=error,
    )


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    postponed: int = 0
    lost: int = 0  # the claim had been taken back (lease expired) before this step


def send_claimed(ids, token, *, email_connection=None, sms_backend=None) -> Outcome:
    """Send the rows this caller claimed with `token`, one by one, recording each outcome."""
    token = uuid.UUID(str(token))
    outcome = Outcome()
    rows = list(
        Reminder.objects.filter(pk__in=list(ids), claim_token=token, status=Reminder.Status.SENDING)
        # Each visit is rendered and checked against quiet hours at its own location: loaded with it.
        .select_related("appointment__patient", "appointment__chair__location")
        .order_by("id")
    )
    outcome.lost = len(set(ids)) - len(rows)
    if not rows:
        return outcome
    organisation = clinic_context().clinic
    sms_backend = sms_backend or sms.get_backend()
    own_connection = email_connection is None
    email_connection = email_connection or get_connection()
    try:
        for reminder in rows:
            _send_one(reminder, token, organisation, email_connection, sms_backend, outcome)
    finally:
        if own_connection:
            try:
                email_connection.close()
            except Exception:  # noqa: BLE001 - the messages are recorded already
                logger.warning("closing the e-mail connection failed")
    return outcome


def _send_one(reminder, token, organisation, email_connection, sms_backend, outcome: Outcome) -> None:
    now = timezone.now()
    appointment = reminder.appointment
    patient = appointment.patient
    if (
        appointment.status != Appointment.Status.SCHEDULED
        or appointment.start != reminder.visit_start
        or appointment.start <= now
    ):
        _record(reminder, token, status=Reminder.Status.SKIPPED, last_error="VisitChanged")
        outcome.skipped += 1
        return
    if reminder.channel not in channels_for(patient):
        _record(reminder, token, status=Reminder.Status.SKIPPED, last_error="NoConsent")
        outcome.skipped += 1
        return
    quiet = QuietHours.at(appointment.chair.location, organisation)
    if reminder.channel == Reminder.Channel.SMS and quiet.contains(now):
        later = quiet.send_after(now)
        if worth_sending(appointment.start, later):
            _give_back(reminder, token, later, "QuietHours")
            outcome.postponed += 1
        else:
            _record(reminder, token, status=Reminder.Status.SKIPPED, last_error="QuietHours")
            outcome.skipped += 1
        return
    # Renew the lease right before the send: if the row was taken back meanwhile, it is not ours.
    if not _record(reminder, token, claimed_at=now):
        outcome.lost += 1
        return
    try:
        _deliver(reminder, organisation, email_connection=email_connection, sms_backend=sms_backend)
    except Exception as exc:  # noqa: BLE001 - any provider error is recorded and retried
        error = type(exc).__name__[:80]
        # The type only: provider messages can carry addresses or numbers.
        logger.warning("reminder %s: send failed (%s), attempt %s", reminder.pk, error, reminder.attempts)
        if reminder.attempts >= MAX_ATTEMPTS:
            _record(reminder, token, status=Reminder.Status.FAILED, last_error=error, claim_token=None)
            outcome.failed += 1
        else:
            wait = BACKOFF[min(reminder.attempts, len(BACKOFF)) - 1]
            _record(reminder, token, status=Reminder.Status.PENDING, due_at=now + wait, last_error=error)
            outcome.retried += 1
        return
    _record(reminder, token, status=Reminder.Status.SENT, sent_at=timezone.now(), last_error="")
    outcome.sent += 1


def _deliver(reminder, organisation, *, email_connection, sms_backend) -> None:
    if reminder.channel == Reminder.Channel.EMAIL:
        rendering.email_message(reminder, organisation, connection=email_connection).send()
    else:
        text = rendering.render(reminder.appointment, organisation, offset_hours=reminder.offset_hours)
        sms_backend.send(to=reminder.appointment.patient.phone, body=text.sms, reference=str(reminder.pk))


class RetryRefused(Exception):
    """The reminder cannot be retried; the message is for staff."""


def reminder_retry(*, reminder_id: int, by) -> None:
    """Send a failed reminder again at the next dispatch, with a fresh set of attempts."""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().select_related("appointment").get(pk=reminder_id)
        if reminder.status != Reminder.Status.FAILED:
            raise RetryRefused("Only a failed reminder can be retried.")
        now = timezone.now()
        if not reminder.is_current or reminder.appointment.start <= now:
            raise RetryRefused("The visit has changed or already begun; this reminder is no longer needed.")
        reminder.status, reminder.due_at, reminder.attempts = Reminder.Status.PENDING, now, 0
        reminder.claim_token = None
        reminder.save(update_fields=["status", "due_at", "attempts", "claim_token", "updated_at"])
    logger.info("reminder %s retried by user %s", reminder_id, by.pk)
