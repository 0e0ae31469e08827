"""Appointment reminders: the outbox rows a booking change writes, and their dispatch.

The booking services call `sync_for(appointments)` inside the transaction that creates, moves or
cancels appointments, so reminder rows always match the schedule that was committed: a rolled-back
booking leaves no row behind.

Dispatch (`infusions.tasks`) runs in small idempotent steps:
1. `claim_due` moves due rows from pending to sending with one conditional UPDATE that stamps a fresh
   claim token (`WHERE status = 'pending'`); only rows that carry that token afterwards are this
   caller's, so two workers or two beats never hold the same row. On PostgreSQL the candidate ids
   are picked with `SELECT ... FOR UPDATE SKIP LOCKED` so concurrent claims do not even wait.
2. `send_claimed` re-checks each row (visit still scheduled at the same start, consent, quiet hours),
   renews its lease, sends, and records the outcome, all conditional on the claim token.
3. A row left in "sending" longer than the lease (its worker died) is reclaimed by the next claim.
   That is the one gap: a provider that accepted a message whose worker died before recording it
   sends it again. Reminders err on the side of at-least-once (README, Reminders).
"""

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinic

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Wait before attempt 2, 3, 4, 5 after a failed send.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
# A visit booked after its last reminder time still gets one reminder at once when it is at least
# this far away; closer than that the front desk has just spoken with the patient.
LATE_BOOKING_LEAD = timedelta(hours=2)
# An SMS due in quiet hours goes out this long before quiet hours begin (20:00 for 21:00): an hour
# of slack so a late dispatch still lands before 21:00.
SMS_EVENING_MARGIN = timedelta(hours=1)
CLAIM_BATCH = 500
CONFIRM_SALT = "infusions.reminders.confirm"
CONFIRM_MAX_AGE = timedelta(days=15)  # longer than the longest offset (14 days)


def lease() -> timedelta:
    """How long a claimed row may stay in "sending" before dispatch takes it back."""
    return timedelta(seconds=getattr(settings, "REMINDER_LEASE_SECONDS", 600))


def clinic_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- Quiet hours -----------------------------------------------------------------------------


def in_quiet_hours(moment: datetime, clinic) -> bool:
    local = moment.astimezone(clinic_tz()).time()
    start, end = clinic.sms_quiet_start, clinic.sms_quiet_end
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def before_quiet_hours(moment: datetime, clinic) -> datetime:
    """`moment` if SMS may go out then, else the evening before quiet hours began (20:00 by default)."""
    if not in_quiet_hours(moment, clinic):
        return moment
    tz = clinic_tz()
    local = moment.astimezone(tz)
    evening = (datetime.combine(date(2000, 1, 1), clinic.sms_quiet_start) - SMS_EVENING_MARGIN).time()
    day = local.date() if local.time() >= clinic.sms_quiet_start else local.date() - timedelta(days=1)
    return datetime.combine(day, evening, tzinfo=tz).astimezone(UTC)


def end_of_quiet_hours(moment: datetime, clinic) -> datetime:
    """The first instant at or after `moment` outside quiet hours."""
    if not in_quiet_hours(moment, clinic):
        return moment
    tz = clinic_tz()
    local = moment.astimezone(tz)
    day = local.date() if local.time() < clinic.sms_quiet_end else local.date() + timedelta(days=1)
    return datetime.combine(day, clinic.sms_quiet_end, tzinfo=tz).astimezone(UTC)


# --- Planning: which rows a visit should have -----------------------------------------------


def channels_for(patient) -> list[str]:
    from infusions.models import Reminder

    channels = []
    if patient.consent_email and patient.email:
        channels.append(Reminder.Channel.EMAIL)
    if patient.consent_sms and patient.phone:
        channels.append(Reminder.Channel.SMS)
    return channels


def plan(start: datetime, offsets, channel: str, *, now: datetime, clinic) -> list[tuple[int, datetime]]:
    """(offset hours, due time) for one channel of a visit starting at `start`.

    Offsets whose time has passed at booking are dropped. When all have passed, one reminder goes
    out at once (under the smallest offset) if the visit is at least LATE_BOOKING_LEAD away, so a
    patient booked tomorrow still gets the preparation instructions; an SMS that would go out in
    quiet hours waits for their end, or is dropped when that is too close to the visit.
    """
    sms = channel == "sms"
    planned = []
    for offset in sorted(offsets, reverse=True):
        due = start - timedelta(hours=offset)
        if sms:
            due = before_quiet_hours(due, clinic)
        if due > now:
            planned.append((offset, due))
    if planned:
        return planned
    if start - now < LATE_BOOKING_LEAD:
        return []
    due = end_of_quiet_hours(now, clinic) if sms else now
    if start - due < LATE_BOOKING_LEAD:
        return []
    return [(min(offsets), due)]


def sync_for(appointments, *, now: datetime | None = None) -> None:
    """Bring each appointment's Reminder rows in line with its current time and status.

    Runs inside the caller's transaction. Pending rows for another start, or for a visit that is no
    longer scheduled, are cancelled; rows are written for the current start. A row already sent
    for this start is never written again (unique constraint); one cancelled earlier for this very
    start (the visit moved away and back) becomes pending again.
    """
    from infusions.models import Appointment, Reminder
    from intake.models import Patient

    appointments = [a for a in appointments if a.pk]
    if not appointments:
        return
    now = now or timezone.now()
    clinic = Clinic.get()
    offsets = clinic.reminder_offsets
    patients = Patient.objects.only("email", "phone", "consent_email", "consent_sms").in_bulk(
        {a.patient_id for a in appointments}
    )
    existing = defaultdict(dict)
    for row in Reminder.objects.filter(appointment__in=appointments):
        existing[row.appointment_id][(row.offset_hours, row.channel, row.visit_start)] = row

    to_cancel, to_revive, to_create = [], [], []
    for appointment in appointments:
        rows = existing[appointment.pk]
        scheduled = appointment.status == Appointment.Status.SCHEDULED
        for key, row in rows.items():
            if row.status == Reminder.Status.PENDING and (not scheduled or key[2] != appointment.start):
                to_cancel.append(row.pk)
        if not scheduled:
            continue
        for channel in channels_for(patients[appointment.patient_id]):
            for offset, due in plan(appointment.start, offsets, channel, now=now, clinic=clinic):
                row = rows.get((offset, channel, appointment.start))
                if row is None:
                    to_create.append(
                        Reminder(
                            appointment=appointment,
                            channel=channel,
                            offset_hours=offset,
                            visit_start=appointment.start,
                            due_at=due,
                        )
                    )
                elif row.status in (Reminder.Status.CANCELLED, Reminder.Status.SKIPPED):
                    to_revive.append((row.pk, due))
    if to_cancel:
        # Conditional: a row a worker has just claimed is left to its send-time re-check.
        Reminder.objects.filter(pk__in=to_cancel, status=Reminder.Status.PENDING).update(
            status=Reminder.Status.CANCELLED, updated_at=now
        )
    for pk, due in to_revive:
        Reminder.objects.filter(pk=pk, status__in=[Reminder.Status.CANCELLED, Reminder.Status.SKIPPED]).update(
            status=Reminder.Status.PENDING, due_at=due, attempts=0, last_error="", claim_token=None, updated_at=now
        )
    if to_create:
        Reminder.objects.bulk_create(to_create)


# --- Dispatch ---------------------------------------------------------------------------------


def reclaim_stuck(now: datetime) -> int:
    """Take back rows whose worker died while sending (lease expired): retry, or fail at the limit."""
    from infusions.models import Reminder

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
    from infusions.models import Reminder

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
    from infusions.models import Reminder

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
        status="pending",
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
    from infusions import sms
    from infusions.models import Reminder

    token = uuid.UUID(str(token))
    outcome = Outcome()
    rows = list(
        Reminder.objects.filter(pk__in=list(ids), claim_token=token, status=Reminder.Status.SENDING)
        .select_related("appointment__patient")
        .order_by("id")
    )
    outcome.lost = len(set(ids)) - len(rows)
    if not rows:
        return outcome
    clinic = Clinic.get()
    sms_backend = sms_backend or sms.get_backend()
    own_connection = email_connection is None
    email_connection = email_connection or get_connection()
    try:
        for reminder in rows:
            _send_one(reminder, token, clinic, email_connection, sms_backend, outcome)
    finally:
        if own_connection:
            try:
                email_connection.close()
            except Exception:  # noqa: BLE001 - the messages are recorded already
                logger.warning("closing the e-mail connection failed")
    return outcome


def _send_one(reminder, token, clinic, email_connection, sms_backend, outcome: Outcome) -> None:
    from infusions.models import Appointment, Reminder

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
    if reminder.channel == Reminder.Channel.SMS and in_quiet_hours(now, clinic):
        later = end_of_quiet_hours(now, clinic)
        if appointment.start - later < LATE_BOOKING_LEAD:
            _record(reminder, token, status=Reminder.Status.SKIPPED, last_error="QuietHours")
            outcome.skipped += 1
        else:
            _give_back(reminder, token, later, "QuietHours")
            outcome.postponed += 1
        return
    # Renew the lease right before the send: if the row was taken back meanwhile, it is not ours.
    if not _record(reminder, token, claimed_at=now):
        outcome.lost += 1
        return
    try:
        deliver(reminder, clinic, email_connection=email_connection, sms_backend=sms_backend)
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


# --- The message --------------------------------------------------------------------------------


def confirm_token(appointment) -> str:
    """A signed token naming the visit and its start: a moved visit's old link no longer confirms."""
    return signing.dumps({"a": appointment.pk, "s": int(appointment.start.timestamp())}, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> tuple[int, datetime]:
    """(appointment id, start) from a token; raises signing.BadSignature (or SignatureExpired)."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    return int(data["a"]), datetime.fromtimestamp(int(data["s"]), tz=UTC)


def confirm_url(appointment) -> str:
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("infusions:reminder_confirm", args=[confirm_token(appointment)])


def context_for(appointment, clinic) -> dict:
    """Everything a reminder may say (DOMAIN §6): nothing clinical is ever put in here."""
    local = appointment.start.astimezone(clinic_tz())
    return {
        "first_name": appointment.patient.first_name,
        "date": local.strftime("%A %-d %B %Y"),
        "time": local.strftime("%-I:%M %p"),
        "clinic_name": clinic.name,
        "clinic_address": clinic.address,
        "clinic_phone": clinic.phone,
        "preparation": clinic.preparation_text,
        "confirm_url": confirm_url(appointment),
    }


@dataclass
class Rendered:
    subject: str
    body: str
    sms: str


def render(appointment, clinic) -> Rendered:
    context = context_for(appointment, clinic)
    return Rendered(
        subject=" ".join(render_to_string("infusions/email/reminder_subject.txt", context).split()),
        body=render_to_string("infusions/email/reminder_body.txt", context),
        sms=" ".join(render_to_string("infusions/email/reminder_sms.txt", context).split()),
    )


def deliver(reminder, clinic, *, email_connection, sms_backend) -> None:
    from infusions import ics

    appointment = reminder.appointment
    text = render(appointment, clinic)
    if reminder.channel == "email":
        message = EmailMessage(
            subject=text.subject,
            body=text.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[appointment.patient.email],
            headers={"X-Clinic-Reminder": str(reminder.pk), "Auto-Submitted": "auto-generated"},
            connection=email_connection,
        )
        message.attach("visit.ics", ics.calendar([appointment], clinic), "text/calendar")
        message.send()
    else:
        sms_backend.send(to=appointment.patient.phone, body=text.sms, reference=str(reminder.pk))


# --- Front desk -------------------------------------------------------------------------------


class RetryRefused(Exception):
    """The reminder cannot be retried; the message is for staff."""


def reminder_retry(*, reminder_id: int, by) -> None:
    """Send a failed reminder again at the next dispatch, with a fresh set of attempts."""
    from infusions.models import Reminder

    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().select_related("appointment").get(pk=reminder_id)
        if reminder.status != Reminder.Status.FAILED:
            raise RetryRefused("Only a failed reminder can be retried.")
        if not reminder.is_current or reminder.appointment.start <= timezone.now():
            raise RetryRefused("The visit has changed or already begun; this reminder is no longer needed.")
        now = timezone.now()
        reminder.status, reminder.due_at, reminder.attempts = Reminder.Status.PENDING, now, 0
        reminder.claim_token = None
        reminder.save(update_fields=["status", "due_at", "attempts", "claim_token", "updated_at"])
    logger.info("reminder %s retried by user %s", reminder_id, by.pk)


def with_reminders(appointments):
    """Appointments with their reminders in one extra query (for `_reminders_for_visit.html`)."""
    from infusions.models import Reminder

    return appointments.prefetch_related(
        Prefetch("reminders", queryset=Reminder.objects.order_by("due_at", "channel", "id"))
    )


def failed_reminders():
    from infusions.models import Reminder

    return (
        Reminder.objects.failed()
        .select_related("appointment__patient", "appointment__chair")
        .order_by("appointment__start", "id")
    )
