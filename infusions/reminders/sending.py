"""One claim-and-send loop for every message the clinic sends a patient on its own (healthchecks' `sendalerts` shape).

Reminders (`dispatch.REMINDER`), move and cancel notices (`notices.NOTICE`) and maintenance check-in invitations
(`infusions.outcomes.checkins.INVITATION`) are each a small `Kind`; the loop claims, re-checks, sends and records
them all the same way, so two workers never send one row and a fix to one is a fix to all. The steps and the one
gap: `claim`, `send_claimed`, and docs/reminders.md.
"""

import logging
import time
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection
from django.db.models import F, Model, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from clinic.context import clinic_context
from infusions.models import Reminder
from infusions.reminders import sms
from infusions.reminders.quiet_hours import QuietHours
from infusions.reminders.rendering import Rendered

logger = logging.getLogger(__name__)

CLAIM_BATCH = 500
MAX_ATTEMPTS = 5
# How old the re-check of a batch (visit, consent, lease) may be when one of its rows is sent.
RECHECK = timedelta(seconds=5)
EMAIL, SMS = Reminder.Channel.EMAIL, Reminder.Channel.SMS


def lease() -> timedelta:
    """How long a claimed row may stay in "sending" before a claim takes it back."""
    return timedelta(seconds=getattr(settings, "REMINDER_LEASE_SECONDS", 600))


def recheck_every() -> float:
    """Seconds between two re-checks of a batch being sent: RECHECK, and never more than a quarter of the lease."""
    return min(RECHECK, lease() / 4).total_seconds()


@dataclass(frozen=True)
class Settle:
    """How a row ends this round: the outcome it counts as, and the fields recorded on it (none: nothing to record)."""

    outcome: str
    fields: dict = field(default_factory=dict)

    def key(self):
        return (self.outcome, tuple(sorted(self.fields.items())))


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0  # recorded as failed (the front desk's list, for reminders); a check-in: tried again next run
    retried: int = 0  # given back after a failed send, tried again later
    skipped: int = 0  # never to be sent (visit changed, consent withdrawn)
    postponed: int = 0  # given back for a later due time (a reminder's SMS in quiet hours)
    held: int = 0  # given back for the next run (a notice's or a check-in's SMS in quiet hours)
    lost: int = 0  # the claim had been taken back (lease expired) before this step

    def add(self, other: "Outcome") -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


class Sending:
    """What the checks and texts of one batch share: the organisation and each location's quiet hours."""

    def __init__(self, organisation):
        self.organisation = organisation
        self._quiet = {}  # location id -> QuietHours

    def quiet_hours(self, location) -> QuietHours:
        if location.pk not in self._quiet:
            self._quiet[location.pk] = QuietHours.at(location, self.organisation)
        return self._quiet[location.pk]


class Kind:
    """One type of outbox row the loop sends. Subclasses set the attributes and override the methods below."""

    name = ""  # the word of the logs and of the SMS reference: "reminder", "notice", "checkin"
    model: type[Model]
    header = ""  # the e-mail header that carries the row's id (never patient data), e.g. "X-Clinic-Reminder"
    related: tuple[str, ...] = ()  # select_related of the batch's load: everything the checks and texts read
    claimable: dict = {}  # the conditions the claim's UPDATE re-checks (e.g. status pending)

    def due(self, now: datetime) -> QuerySet:
        """The rows to claim now, in the order to claim them."""
        raise NotImplementedError

    def new_token(self, now: datetime):
        """The value that marks this claim's rows (see `claim_fields` and `ours`)."""
        return uuid.uuid4()

    def claim_fields(self, now: datetime, token) -> dict:
        raise NotImplementedError

    def ours(self, token) -> dict:
        """The field values of a row this claim still holds: equalities only."""
        raise NotImplementedError

    def renew_fields(self, now: datetime) -> dict:
        """What renewing the lease of a held row writes; empty for a kind without a lease."""
        return {}

    def reclaim(self, now: datetime) -> int:
        """Take back the rows whose lease expired (their worker died); how many."""
        return 0

    def check(self, row, now: datetime, ctx: Sending) -> Settle | None:
        """The send-time re-check: None to send now, else how the row ends this round."""
        raise NotImplementedError

    def channels(self, row) -> list[str]:
        """The channels to send the row by (each one consented, checked by `check`)."""
        raise NotImplementedError

    def patient(self, row):
        raise NotImplementedError

    def render(self, row, ctx: Sending) -> Rendered:
        raise NotImplementedError

    def attachments(self, row, ctx: Sending) -> list[tuple[str, bytes, str]]:
        return []

    def reference(self, row) -> str:
        """The SMS reference: the row's id, so a provider's report can be matched to its row."""
        return f"{self.name}-{row.pk}"

    def sent_fields(self, now: datetime) -> dict:
        """What a sent row records (plain values only); empty when the claim recorded it already."""
        raise NotImplementedError

    def failed(self, row, error: str, now: datetime, *, delivered: int) -> Settle:
        """How a row whose send raised `error` (after `delivered` messages left) ends this round."""
        raise NotImplementedError


class OutboxKind(Kind):
    """A row with the outbox's status, attempts, claim and lease fields (Reminder, PatientNotice): the claim moves it
    from pending to sending and counts an attempt; a row whose lease expired goes back to pending, or is recorded
    failed once it has had MAX_ATTEMPTS. (Reminder.Status and PatientNotice.Status share their values.)"""

    claimable = {"status": "pending"}
    released: dict = {}  # what a row given back clears besides its status (the claim token)

    def claim_fields(self, now, token) -> dict:
        return {"status": "sending", "claimed_at": now, "attempts": F("attempts") + 1, "updated_at": now}

    def ours(self, token) -> dict:
        return {"status": "sending"}

    def renew_fields(self, now) -> dict:
        return {"claimed_at": now, "updated_at": now}

    def reclaim(self, now) -> int:
        stale = self.model.objects.filter(status="sending", claimed_at__lt=now - lease())
        failed = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
            status="failed", last_error="LeaseExpired", updated_at=now, **self.released
        )
        retried = stale.update(status="pending", last_error="LeaseExpired", updated_at=now, **self.released)
        if failed or retried:
            logger.warning("%ss reclaimed after lease expiry: %s retried, %s failed", self.name, retried, failed)
        return failed + retried

    def channels(self, row) -> list[str]:
        return [row.channel]

    def patient(self, row):
        return row.appointment.patient

    def sent_fields(self, now) -> dict:
        return {"status": "sent", "sent_at": now, "last_error": "", "updated_at": now}

    def skip(self, reason: str) -> Settle:
        return Settle("skipped", {"status": "skipped", "last_error": reason})

    def hold(self, outcome: str = "held", **fields) -> Settle:
        """Give the row back to pending without counting this round as an attempt."""
        return Settle(outcome, {"status": "pending", "attempts": F("attempts") - 1, **self.released, **fields})

    def failed(self, row, error, now, *, delivered) -> Settle:
        if row.attempts >= MAX_ATTEMPTS:
            return Settle("failed", {"status": "failed", "last_error": error, **self.released})
        return Settle("retried", {"status": "pending", "last_error": error, **self.retry_fields(row, now)})

    def retry_fields(self, row, now) -> dict:
        """What a failed send that will be tried again records besides its status (a later due time)."""
        return {}


# --- 1. The claim ---------------------------------------------------------------------------------------------


def _claim_returning() -> bool:
    """One UPDATE ... RETURNING claims a batch: PostgreSQL, and SQLite from 3.35 (RETURNING, MATERIALIZED)."""
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and connection.Database.sqlite_version_info >= (3, 35)


def _claim_statement(kind: Kind, picked: QuerySet, fields: dict) -> tuple[str, list]:
    """Pick the due rows once (a materialised CTE: an `IN (SELECT ... LIMIT ... FOR UPDATE SKIP LOCKED)` may be
    run again per row by PostgreSQL and claim far more than the limit) and claim them in the same statement.
    Both halves are the ORM's own SQL; only the CTE's name and the lock clause are added."""
    q = connection.ops.quote_name
    pk = q(kind.model._meta.pk.column)
    select_sql, select_params = picked.values("pk").query.get_compiler(connection=connection).as_sql()
    if connection.features.has_select_for_update_skip_locked:
        select_sql += " FOR UPDATE SKIP LOCKED"
    # The CTE names its one column, and the subquery qualifies it: nothing can resolve to the updated table's id.
    in_picked = RawSQL(f"SELECT picked.{q('pk')} FROM picked", ())  # noqa: S608, S611 - constant, no value
    update = kind.model.objects.filter(**kind.claimable).filter(pk__in=in_picked)
    query = update.query.chain(UpdateQuery)
    query.add_update_values(fields)
    update_sql, update_params = query.get_compiler(connection=connection).as_sql()
    sql = f"WITH picked ({q('pk')}) AS MATERIALIZED ({select_sql}) {update_sql} RETURNING {pk}"
    return sql, [*select_params, *update_params]


def claim(kind: Kind, *, now: datetime | None = None, limit: int = CLAIM_BATCH, only=None, exclude=()):
    """Claim up to `limit` due rows of `kind` (`only`: among those ids) for this caller: (token, ids now ours).

    First the rows whose worker died are taken back (their lease expired: `Kind.reclaim`). Then one conditional
    UPDATE moves the due rows to "being sent", its WHERE re-checking that each row is still claimable, and only the
    ids it changed are this caller's: two workers or two beats never hold one row. On PostgreSQL the candidates are
    picked in the same statement with `FOR UPDATE SKIP LOCKED`, so concurrent claims do not even wait.
    """
    now = now or timezone.now()
    kind.reclaim(now)
    token = kind.new_token(now)
    picked = kind.due(now)
    if only is not None:
        picked = picked.filter(pk__in=list(only))
    if exclude:
        picked = picked.exclude(pk__in=list(exclude))
    picked = picked[:limit]
    fields = kind.claim_fields(now, token)
    if _claim_returning():
        # One statement: atomic on its own, and only the rows it changed (still claimable, so no other claim
        # had them) come back.
        sql, params = _claim_statement(kind, picked, fields)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return token, sorted(row[0] for row in cursor.fetchall())
    # Without RETURNING: one conditional UPDATE per row; the rows whose update changed a row are ours.
    claimed = [
        pk
        for pk in picked.values_list("pk", flat=True)
        if kind.model.objects.filter(pk=pk, **kind.claimable).update(**fields) == 1
    ]
    return token, sorted(claimed)


# --- 2. The send ----------------------------------------------------------------------------------------------


def _db(model, name: str, value):
    """`value` as the database stores `model`.`name` (a UUID is 32 hex characters on SQLite)."""
    return model._meta.get_field(name).get_db_prep_value(value, connection)


class _Recorder:
    """Records each sent row at once, conditional on the claim: one prepared UPDATE (the ORM's query building would
    cost more than the rest of the row's bookkeeping)."""

    def __init__(self, kind: Kind, token):
        self.kind, self.model = kind, kind.model
        self.where = [(name, _db(self.model, name, value)) for name, value in kind.ours(token).items()]
        self.sql = None
        self.constants = {}  # (field, value) -> the value as stored: the same for every row

    def _sql(self, names) -> str:
        q, meta = connection.ops.quote_name, self.model._meta
        column = lambda name: q(meta.get_field(name).column)  # noqa: E731
        sets = ", ".join(f"{column(name)} = %s" for name in names)
        where = " AND ".join(f"{column(name)} = %s" for name in [meta.pk.name, *(n for n, _ in self.where)])
        # Quoted identifiers only; every value is a parameter.
        return f"UPDATE {q(meta.db_table)} SET {sets} WHERE {where}"  # noqa: S608

    def _stored(self, name, value):
        key = (name, value)
        if key not in self.constants:
            self.constants[key] = _db(self.model, name, value)
        return self.constants[key]

    def sent(self, pk) -> bool:
        now = timezone.now()
        fields = self.kind.sent_fields(now)
        if not fields:
            return True
        self.sql = self.sql or self._sql(list(fields))
        at = None  # the send's time as stored, prepared once for all the fields that take it
        params = []
        for name, value in fields.items():
            if value is now:
                at = at if at is not None else _db(self.model, name, now)
                params.append(at)
            else:
                params.append(self._stored(name, value))
        params += [pk, *(value for _, value in self.where)]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.rowcount == 1


class _Batch:
    """The rows of one `send_claimed` call still to send, renewed and re-checked together."""

    def __init__(self, kind: Kind, token, sending: Sending, outcome: Outcome):
        self.kind, self.token, self.sending, self.outcome = kind, token, sending, outcome

    def ours(self, pks) -> QuerySet:
        return self.kind.model.objects.filter(pk__in=pks, **self.kind.ours(self.token))

    def settle(self, pks, settle: Settle) -> None:
        """Record one outcome for rows of this claim, in one conditional UPDATE; count the rows still ours."""
        done = self.ours(pks).update(**settle.fields) if settle.fields else len(pks)
        setattr(self.outcome, settle.outcome, getattr(self.outcome, settle.outcome) + done)
        self.outcome.lost += len(pks) - done

    def load(self, pks, now) -> list:
        """Renew the lease of `pks` and load those still ours with all the texts need; settle, in one UPDATE per
        outcome, the ones that must not be sent now; return the ones to send."""
        renew = self.kind.renew_fields(now)
        if renew:
            self.ours(pks).update(**renew)
        rows = list(self.ours(pks).select_related(*self.kind.related).order_by("pk"))
        self.outcome.lost += len(pks) - len(rows)
        groups, settles, to_send = defaultdict(list), {}, []
        for row in rows:
            verdict = self.kind.check(row, now, self.sending)
            if verdict is None:
                to_send.append(row)
            else:
                groups[verdict.key()].append(row.pk)
                settles[verdict.key()] = verdict
        for key, group in groups.items():
            self.settle(group, settles[key])
        return to_send


def _deliver(kind: Kind, row, sending: Sending, *, delivered: list, email_connection, sms_backend) -> None:
    """Send `row` by each of its channels, noting each channel in `delivered` once its backend took the message."""
    text = kind.render(row, sending)
    patient = kind.patient(row)
    for channel in kind.channels(row):
        if channel == EMAIL:
            message = EmailMessage(
                subject=text.subject,
                body=text.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[patient.email],
                headers={kind.header: str(row.pk), "Auto-Submitted": "auto-generated"},
                connection=email_connection,
            )
            for attachment in kind.attachments(row, sending):
                message.attach(*attachment)
            message.send()
        else:
            sms_backend.send(to=patient.phone, body=text.sms, reference=kind.reference(row))
        delivered.append(channel)


def _send_one(row, batch: _Batch, recorder: _Recorder, email_connection, sms_backend) -> None:
    kind, outcome = batch.kind, batch.outcome
    now = timezone.now()
    # The batch was checked a moment ago; the clock has moved on since (visit begun, quiet hours).
    verdict = kind.check(row, now, batch.sending)
    if verdict is not None:
        batch.settle([row.pk], verdict)
        return
    delivered = []
    try:
        _deliver(
            kind, row, batch.sending, delivered=delivered, email_connection=email_connection, sms_backend=sms_backend
        )
    except Exception as exc:  # noqa: BLE001 - any provider error is recorded (and tried again where the kind may)
        error = type(exc).__name__[:80]
        # The type only: provider messages can carry addresses or numbers.
        attempt = getattr(row, "attempts", None)
        logger.warning("%s %s: send failed (%s), attempt %s", kind.name, row.pk, error, attempt)
        batch.settle([row.pk], kind.failed(row, error, now, delivered=len(delivered)))
        return
    # Recorded before the next send begins: a worker killed now has at most this one message unrecorded.
    if recorder.sent(row.pk):
        outcome.sent += 1
    else:
        outcome.lost += 1


def send_claimed(kind: Kind, ids, token, *, email_connection=None, sms_backend=None) -> Outcome:
    """Send the rows of `kind` this caller claimed with `token`, recording each outcome.

    The batch's lease is renewed and the batch loaded in one query with everything the texts need. Each row is
    re-checked (`Kind.check`); the rows not to send now are recorded in one UPDATE per outcome (skipped for good, or
    given back for later: quiet hours). The others are sent one by one, each re-checked right before its send (the
    clock has moved on: a visit begun, quiet hours) and recorded right after, conditional on the claim. Every
    `recheck_every()` (RECHECK, at most a quarter of the lease) the rest is renewed and re-checked, so no row is sent
    on an older check, nor after its lease could have lapsed. A failed send is given back to be tried again (after
    the kind's backoff) or recorded as failed (`Kind.failed`).
    """
    outcome = Outcome()
    pending = sorted({int(pk) for pk in ids})
    if not pending:
        return outcome
    batch = _Batch(kind, token, Sending(clinic_context().clinic), outcome)
    rows = batch.load(pending, timezone.now())
    if not rows:
        return outcome
    sms_backend = sms_backend or sms.get_backend()
    own_connection = email_connection is None
    email_connection = email_connection or get_connection()
    every = recheck_every()
    recorder = _Recorder(kind, token)
    try:
        while rows:
            checked = time.monotonic()
            for index, row in enumerate(rows):
                if index and time.monotonic() - checked > every:
                    # Renew the lease and re-check the rest before sending more.
                    rows = batch.load([r.pk for r in rows[index:]], timezone.now())
                    break
                _send_one(row, batch, recorder, email_connection, sms_backend)
            else:
                rows = []
    finally:
        if own_connection:
            try:
                email_connection.close()
            except Exception:  # noqa: BLE001 - the messages are recorded already
                logger.warning("closing the e-mail connection failed")
    return outcome


def run(kind: Kind, *, only=None, rounds: int = 20, email_connection=None, sms_backend=None) -> Outcome:
    """Claim and send the due rows of `kind` (`only`: among those ids) in one go, a batch at a time. A row given
    back this run (quiet hours, a failed send) waits for the next run. The notices and the check-ins are sent this
    way; the reminders are claimed by one Celery task and sent by others (infusions.tasks)."""
    total, seen = Outcome(), set()
    for _ in range(rounds):
        token, ids = claim(kind, only=only, exclude=seen)
        if not ids:
            break
        seen.update(ids)
        total.add(send_claimed(kind, ids, token, email_connection=email_connection, sms_backend=sms_backend))
        if len(ids) < CLAIM_BATCH:
            break
    return total
