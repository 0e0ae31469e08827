"""Dispatch of due reminders in small idempotent steps, and the front desk's retry.

1. `claim_due` moves due rows from pending to sending with one conditional UPDATE that stamps a fresh
   claim token (`WHERE status = 'pending'`) and returns the ids it changed: only those are this
   caller's, so two workers or two beats never hold the same row. On PostgreSQL the candidate ids
   are picked in the same statement with `SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent claims
   do not even wait.
2. `send_claimed` renews the lease of the whole batch and loads it in one query with everything the
   texts need, re-checks each row (visit still scheduled at the same start, consent, the quiet hours
   of the visit's location) and records the rows it will not send in one UPDATE per outcome. It then
   sends the others one by one (in the words, time and place of the visit's location), recording
   each one's outcome right after its send, conditional on the claim token and on `sending`. The
   batch is renewed and re-checked again every RECHECK (at most a quarter of the lease), so a row is
   never sent on a check older than that, nor after its lease could have lapsed. A failed send is
   retried after BACKOFF, and marked failed after MAX_ATTEMPTS.
3. A row left in "sending" longer than the lease (its worker died) is reclaimed by the next claim.
   That is the one gap: a provider that accepted a message whose worker died before recording it
   sends it again. Because each send is recorded before the next one starts, that is at most one
   message per killed worker. Reminders err on the side of at-least-once (README, Reminders).
"""

import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from clinic.context import clinic_context
from clinic.locations import check_works_at
from clinic.refusals import Refused
from clinic.roles import acts
from infusions.models import Appointment, Reminder
from infusions.reminders import rendering, sms
from infusions.reminders.outbox import channels_for, worth_sending
from infusions.reminders.quiet_hours import QuietHours

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Wait before attempt 2, 3, 4, 5 after a failed send.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
CLAIM_BATCH = 500
# How old the re-check of a batch (visit, consent, lease) may be when one of its rows is sent.
RECHECK = timedelta(seconds=5)


def lease() -> timedelta:
    """How long a claimed row may stay in "sending" before dispatch takes it back."""
    return timedelta(seconds=getattr(settings, "REMINDER_LEASE_SECONDS", 600))


def recheck_every() -> float:
    """Seconds between two re-checks of a batch being sent: RECHECK, and never more than a quarter of the lease."""
    return min(RECHECK, lease() / 4).total_seconds()


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


def _db(field: str, value):
    """`value` as the database stores Reminder.`field` (a UUID is 32 hex characters on SQLite)."""
    return Reminder._meta.get_field(field).get_db_prep_value(value, connection)


def _claim_sql(skip_locked: bool) -> str:
    """Pick due rows once (a materialised CTE: an `IN (SELECT ... LIMIT ... FOR UPDATE SKIP LOCKED)`
    may be run again per row by PostgreSQL and claim far more than the limit) and claim them."""
    q = connection.ops.quote_name
    table = q(Reminder._meta.db_table)
    lock = " FOR UPDATE SKIP LOCKED" if skip_locked else ""
    # Quoted identifiers only; every value is a parameter.
    return (
        f"WITH picked AS MATERIALIZED (SELECT {q('id')} FROM {table} "  # noqa: S608
        f"WHERE {q('status')} = %s AND {q('due_at')} <= %s ORDER BY {q('due_at')}, {q('id')} LIMIT %s{lock}) "
        f"UPDATE {table} SET {q('status')} = %s, {q('claim_token')} = %s, {q('claimed_at')} = %s, "
        f"{q('attempts')} = {q('attempts')} + 1, {q('updated_at')} = %s "
        f"WHERE {q('status')} = %s AND {q('id')} IN (SELECT {q('id')} FROM picked) "
        f"RETURNING {q('id')}"
    )


def _claim_returning() -> bool:
    """One UPDATE ... RETURNING claims a batch: PostgreSQL, and SQLite from 3.35 (RETURNING, MATERIALIZED)."""
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and connection.Database.sqlite_version_info >= (3, 35)


def claim_due(*, now: datetime | None = None, limit: int = CLAIM_BATCH) -> tuple[uuid.UUID, list[int]]:
    """Claim up to `limit` due rows for this caller: (claim token, ids that are now ours)."""
    now = now or timezone.now()
    reclaim_stuck(now)
    token = uuid.uuid4()
    if _claim_returning():
        # One statement: atomic on its own, and only the rows it changed (status was still
        # pending, so no other claim had them) come back.
        sending, pending = Reminder.Status.SENDING, Reminder.Status.PENDING
        at = _db("claimed_at", now)
        params = [pending, at, limit, sending, _db("claim_token", token), at, at, pending]
        with connection.cursor() as cursor:
            cursor.execute(_claim_sql(connection.features.has_select_for_update_skip_locked), params)
            claimed = sorted(row[0] for row in cursor.fetchall())
        return token, claimed
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
        claimed = sorted(Reminder.objects.filter(pk__in=ids, claim_token=token).values_list("id", flat=True))
    return token, claimed


def _ours(ids, token):
    return Reminder.objects.filter(pk__in=ids, claim_token=token, status=Reminder.Status.SENDING)


def _record(reminder, token, **fields) -> bool:
    fields.setdefault("updated_at", timezone.now())
    return _ours([reminder.pk], token).update(**fields) == 1


def _record_many(pks, token, **fields) -> int:
    """One conditional UPDATE for a group of rows with the same outcome: how many were still ours."""
    fields.setdefault("updated_at", timezone.now())
    return _ours(pks, token).update(**fields)


def _give_back_fields(due: datetime, error: str) -> dict:
    """Put a claimed row back to pending for later, without counting this as an attempt."""
    return {
        "status": Reminder.Status.PENDING,
        "due_at": due,
        "attempts": F("attempts") - 1,
        "claim_token": None,
        "last_error": error,
    }


def _sent_sql() -> str:
    q = connection.ops.quote_name
    # Quoted identifiers only; every value is a parameter.
    return (
        f"UPDATE {q(Reminder._meta.db_table)} SET {q('status')} = %s, {q('sent_at')} = %s, "  # noqa: S608
        f"{q('last_error')} = '', {q('updated_at')} = %s "
        f"WHERE {q('id')} = %s AND {q('claim_token')} = %s AND {q('status')} = %s"
    )


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    postponed: int = 0
    lost: int = 0  # the claim had been taken back (lease expired) before this step


class _Batch:
    """The rows of one send_claimed call still to send, renewed and re-checked together."""

    def __init__(self, token, organisation, outcome: Outcome):
        self.token = token
        self.organisation = organisation
        self.outcome = outcome
        self.quiet = {}  # location id -> QuietHours

    def quiet_hours(self, location) -> QuietHours:
        if location.pk not in self.quiet:
            self.quiet[location.pk] = QuietHours.at(location, self.organisation)
        return self.quiet[location.pk]

    def load(self, pks, now) -> list:
        """Renew the lease of `pks` and load those still ours with all the texts need; settle, in one
        UPDATE per outcome, the ones that must not be sent now; return the ones to send."""
        _ours(pks, self.token).update(claimed_at=now, updated_at=now)
        rows = list(
            _ours(pks, self.token)
            # Each visit is rendered and checked against quiet hours at its own location: loaded with it.
            .select_related("appointment__patient", "appointment__chair__location")
            .order_by("id")
        )
        self.outcome.lost += len(pks) - len(rows)
        skipped, postponed, to_send = defaultdict(list), defaultdict(list), []
        for reminder in rows:
            verdict = self.check(reminder, now)
            if verdict is None:
                to_send.append(reminder)
            elif verdict[0] == "skip":
                skipped[verdict[1]].append(reminder.pk)
            else:
                postponed[verdict[1]].append(reminder.pk)
        for error, group in skipped.items():
            done = _record_many(group, self.token, status=Reminder.Status.SKIPPED, last_error=error)
            self.outcome.skipped += done
            self.outcome.lost += len(group) - done
        for due, group in postponed.items():
            done = _record_many(group, self.token, **_give_back_fields(due, "QuietHours"))
            self.outcome.postponed += done
            self.outcome.lost += len(group) - done
        return to_send

    def check(self, reminder, now):
        """None to send now, ("skip", reason), or ("postpone", due time)."""
        appointment = reminder.appointment
        if (
            appointment.status != Appointment.Status.SCHEDULED
            or appointment.start != reminder.visit_start
            or appointment.start <= now
        ):
            return ("skip", "VisitChanged")
        if reminder.channel not in channels_for(appointment.patient):
            return ("skip", "NoConsent")
        if reminder.channel == Reminder.Channel.SMS:
            quiet = self.quiet_hours(appointment.chair.location)
            if quiet.contains(now):
                later = quiet.send_after(now)
                if worth_sending(appointment.start, later):
                    return ("postpone", later)
                return ("skip", "QuietHours")
        return None


class _Recorder:
    """Records each sent row at once, conditional on the claim token and on `sending`: one prepared UPDATE
    (the ORM's query building would cost more than the rest of the row's bookkeeping)."""

    def __init__(self, token):
        self.sql, self.token_value = _sent_sql(), _db("claim_token", token)

    def sent(self, pk) -> bool:
        at = _db("sent_at", timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [Reminder.Status.SENT, at, at, pk, self.token_value, Reminder.Status.SENDING])
            return cursor.rowcount == 1


def send_claimed(ids, token, *, email_connection=None, sms_backend=None) -> Outcome:
    """Send the rows this caller claimed with `token` (see the module docstring), recording each outcome."""
    token = uuid.UUID(str(token))
    outcome = Outcome()
    pending = sorted({int(pk) for pk in ids})
    if not pending:
        return outcome
    batch = _Batch(token, clinic_context().clinic, outcome)
    rows = batch.load(pending, timezone.now())
    if not rows:
        return outcome
    sms_backend = sms_backend or sms.get_backend()
    own_connection = email_connection is None
    email_connection = email_connection or get_connection()
    every = recheck_every()
    recorder = _Recorder(token)
    try:
        while rows:
            checked = time.monotonic()
            for index, reminder in enumerate(rows):
                if index and time.monotonic() - checked > every:
                    # Renew the lease and re-check the visits of the rest before sending more.
                    rows = batch.load([r.pk for r in rows[index:]], timezone.now())
                    break
                _send_one(reminder, batch, email_connection, sms_backend, recorder)
            else:
                rows = []
    finally:
        if own_connection:
            try:
                email_connection.close()
            except Exception:  # noqa: BLE001 - the messages are recorded already
                logger.warning("closing the e-mail connection failed")
    return outcome


def _send_one(reminder, batch: _Batch, email_connection, sms_backend, recorder: _Recorder) -> None:
    token, outcome = batch.token, batch.outcome
    now = timezone.now()
    # The batch was checked a moment ago; the clock has moved on since (visit begun, quiet hours).
    verdict = batch.check(reminder, now)
    if verdict is not None:
        if verdict[0] == "skip":
            done = _record(reminder, token, status=Reminder.Status.SKIPPED, last_error=verdict[1])
            outcome.skipped += done
        else:
            done = _record(reminder, token, **_give_back_fields(verdict[1], "QuietHours"))
            outcome.postponed += done
        outcome.lost += not done
        return
    try:
        _deliver(reminder, batch.organisation, email_connection=email_connection, sms_backend=sms_backend)
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
    # Recorded before the next send begins: a worker killed now has at most this one message unrecorded.
    recorder.sent(reminder.pk)
    outcome.sent += 1


def _deliver(reminder, organisation, *, email_connection, sms_backend) -> None:
    if reminder.channel == Reminder.Channel.EMAIL:
        rendering.email_message(reminder, organisation, connection=email_connection).send()
    else:
        text = rendering.render(reminder.appointment, organisation, offset_hours=reminder.offset_hours)
        sms_backend.send(to=reminder.appointment.patient.phone, body=text.sms, reference=str(reminder.pk))


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
