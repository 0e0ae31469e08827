"""Celery tasks for reminders: thin wrappers around infusions.reminders.dispatch; and the maintenance check-in
(`invite_maintenance_checkins`, below).

Beat runs `dispatch_due_reminders` every minute (settings.CELERY_BEAT_SCHEDULE). It claims due rows
and queues `send_reminders` for them in batches once the claim has committed. No task ever waits
for a future time (no ETA): the due time lives in the database, so Redis never holds a message long
enough to re-deliver it after its visibility timeout.
"""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from clinic.context import clinic_context
from infusions.models import InfusionSeries, MaintenanceOrder, OutcomeInvitation, OutcomeScore, Reminder
from infusions.outcomes.questions import patient_location
from infusions.reminders import dispatch, notices, sms
from infusions.reminders.outbox import channels_for
from infusions.reminders.quiet_hours import QuietHours
from infusions.reminders.rendering import Rendered, send_text
from infusions.reminders.tokens import checkin_url
from intake.models import Patient

logger = logging.getLogger(__name__)

SEND_BATCH = 50


@shared_task(name="infusions.tasks.dispatch_due_reminders", ignore_result=True)
def dispatch_due_reminders() -> int:
    """Claim due reminders (up to a few batches per run) and queue their sends."""
    queued = 0
    for _ in range(20):
        token, ids = dispatch.claim_due()
        for start in range(0, len(ids), SEND_BATCH):
            send_reminders.delay(ids[start : start + SEND_BATCH], str(token))
        queued += len(ids)
        if len(ids) < dispatch.CLAIM_BATCH:
            break
    if queued:
        logger.info("reminders queued for sending: %s", queued)
    return queued


@shared_task(
    name="infusions.tasks.send_reminders",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def send_reminders(ids: list[int], token: str) -> dict:
    """Send claimed reminders. Safe to run twice: only rows still held under `token` are sent."""
    outcome = dispatch.send_claimed(ids, token)
    logger.info(
        "reminders: %s sent, %s retry later, %s failed, %s skipped, %s postponed, %s no longer claimed",
        outcome.sent,
        outcome.retried,
        outcome.failed,
        outcome.skipped,
        outcome.postponed,
        outcome.lost,
    )
    return outcome.__dict__


@shared_task(name="infusions.tasks.send_patient_notices", ignore_result=True, acks_late=True)
def send_patient_notices(ids: list[int] | None = None) -> dict:
    """Tell patients their visit was moved or cancelled (infusions.reminders.notices): queued on the change's
    commit with its rows' ids, and run by beat for every row still pending. Each row is sent once."""
    counts = notices.send(ids)
    if any(counts.values()):
        logger.info("patient notices: %s", counts)
    return counts


# --- The maintenance check-in: a link to the questions every few weeks ----------------------------
#
# Beat runs `invite_maintenance_checkins` every hour (clinic.celery) in small idempotent steps:
# 1. `checkins_lapse`: open invitations past their expiry, unanswered, are closed (a conditional update), so
#    the next one may be made; the database holds at most one open invitation per patient.
# 2. `checkins_invite`: a patient in maintenance (a completed initial series, and an active maintenance series
#    or an open maintenance order) who consented to e-mail or SMS, and whose last score (any source) and last
#    invitation are both at least `Clinic.maintenance_checkin_days` old, gets one invitation. Two runs at once
#    make one: the loser's insert breaks the one-open constraint and is skipped.
# 3. `checkins_send`: each open, unsent, unexpired invitation is claimed (`sent_at` stamped where it is NULL:
#    exactly one run wins) and its link sent by every consented channel, in the minimum words: the first name,
#    the link, and the neutral name the patient's location signs with (DOMAIN §6). While the quiet hours of the
#    patient's latest visit's location hold and the patient takes SMS, the invitation waits for the next run
#    (hence hourly). A send that fails before any message left is un-claimed and retried by the next run;
#    a worker that dies between the claim and the send loses that one message (at most once: the next
#    invitation follows after the interval).


def _in_maintenance():
    """A patient in maintenance: a completed initial series, and an active maintenance series or an open order."""
    series = InfusionSeries.objects.filter(patient=OuterRef("pk"))
    return Exists(series.filter(kind=InfusionSeries.Kind.INITIAL, status=InfusionSeries.Status.COMPLETED)) & (
        Exists(series.filter(kind=InfusionSeries.Kind.MAINTENANCE, status=InfusionSeries.Status.ACTIVE))
        | Exists(MaintenanceOrder.objects.open().filter(patient=OuterRef("pk")))
    )


def _reachable():
    return (Q(consent_email=True) & ~Q(email="")) | (Q(consent_sms=True) & ~Q(phone=""))


def checkin_due_patients(now, days: int):
    """The patients to invite now: in maintenance, reachable, not asked (score or invitation) for `days` days."""
    cutoff = now - timedelta(days=days)
    last_score = OutcomeScore.objects.filter(patient=OuterRef("pk")).order_by("-taken_at").values("taken_at")[:1]
    last_invitation = (
        OutcomeInvitation.objects.filter(patient=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    )
    return (
        Patient.objects.filter(_in_maintenance())
        .filter(_reachable())
        .annotate(last_score=Subquery(last_score), last_invitation=Subquery(last_invitation))
        .filter(Q(last_score__isnull=True) | Q(last_score__lte=cutoff))
        .filter(Q(last_invitation__isnull=True) | Q(last_invitation__lte=cutoff))
        .order_by("pk")
    )


def checkins_lapse(now) -> int:
    """Close the open invitations past their expiry, unanswered (a conditional update)."""
    return OutcomeInvitation.objects.filter(used_at__isnull=True, lapsed_at__isnull=True, expires_at__lte=now).update(
        lapsed_at=now
    )


def checkins_invite(now, days: int) -> int:
    """One invitation for each patient due (see `checkin_due_patients`); how many were made."""
    made = 0
    for patient_id in checkin_due_patients(now, days).values_list("pk", flat=True):
        try:
            with transaction.atomic():
                OutcomeInvitation.objects.create(
                    patient_id=patient_id, created_at=now, expires_at=now + timedelta(days=days)
                )
        except IntegrityError:  # another run made this patient's invitation a moment ago
            continue
        made += 1
    return made


def checkin_texts(*, first_name: str, url: str, clinic_name: str):
    """The invitation's words: the first name, the link and the signed name; nothing clinical (DOMAIN §6)."""
    return Rendered(
        subject=f"A few questions from {clinic_name}",
        body=f"Hello {first_name},\n\nYour care team asks you to answer a few questions:\n{url}\n\n"
        f"The link works once.\n\n{clinic_name}\n",
        sms=f"{first_name}, your care team asks you to answer a few questions: {url} {clinic_name}",
    )


def _quiet_hours(location, organisation):
    if location is not None:
        return QuietHours.at(location, organisation)
    return QuietHours(organisation.sms_quiet_start, organisation.sms_quiet_end, ZoneInfo(settings.TIME_ZONE))


def checkins_send(now, *, email_connection=None, sms_backend=None) -> dict:
    """Send the open, unsent invitations of patients still in maintenance (see the steps above)."""
    counts = {"sent": 0, "held": 0, "failed": 0, "lost": 0}
    invitations = list(
        OutcomeInvitation.objects.filter(
            sent_at__isnull=True, used_at__isnull=True, lapsed_at__isnull=True, expires_at__gt=now
        )
        .filter(patient__in=Patient.objects.filter(_in_maintenance()))
        .select_related("patient")
        .order_by("pk")
    )
    if not invitations:
        return counts
    organisation = clinic_context().clinic
    sms_backend = sms_backend or sms.get_backend()
    connection = email_connection or get_connection()
    for invitation in invitations:
        patient = invitation.patient
        channels = channels_for(patient)
        location = patient_location(patient.pk)
        if not channels or (Reminder.Channel.SMS in channels and _quiet_hours(location, organisation).contains(now)):
            counts["held"] += 1  # consent withdrawn (it lapses), or quiet hours: the next run
            continue
        if OutcomeInvitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(sent_at=now) != 1:
            counts["lost"] += 1  # another run took it
            continue
        signed = location.signed_name(organisation) if location is not None else organisation.name
        text = checkin_texts(first_name=patient.first_name, url=checkin_url(invitation), clinic_name=signed)
        delivered = 0
        try:
            for channel in channels:
                send_text(
                    text,
                    email=channel == Reminder.Channel.EMAIL,
                    patient=patient,
                    header="X-Clinic-Checkin",
                    row_id=invitation.pk,
                    email_connection=connection,
                    sms_backend=sms_backend,
                )
                delivered += 1
        except Exception as exc:  # noqa: BLE001 - any provider error: the type only (messages carry addresses)
            logger.warning("check-in invitation %s: send failed (%s)", invitation.pk, type(exc).__name__[:80])
            if not delivered:  # nothing left: the next run tries again
                OutcomeInvitation.objects.filter(pk=invitation.pk, sent_at=now).update(sent_at=None)
                counts["failed"] += 1
                continue
        counts["sent"] += 1
    if email_connection is None:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - the messages are recorded already
            logger.warning("closing the e-mail connection failed")
    return counts


@shared_task(name="infusions.tasks.invite_maintenance_checkins", ignore_result=True)
def invite_maintenance_checkins() -> dict:
    """Lapse, invite, send (see above). The organisation's `maintenance_checkin_days` of 0 turns it off."""
    days = clinic_context().clinic.maintenance_checkin_days
    if not days:
        return {"lapsed": 0, "invited": 0}
    now = timezone.now()
    outcome = {"lapsed": checkins_lapse(now), "invited": checkins_invite(now, days)}
    outcome |= checkins_send(now)
    if any(outcome.values()):
        logger.info("maintenance check-ins: %s", outcome)
    return outcome
