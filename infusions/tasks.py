"""Celery tasks: thin wrappers around the reminders' claim-and-send loop and its three kinds (reminders, patient
notices, maintenance check-in invitations). Beat and the code that queues them know the tasks by name: the names
must not change. Nothing in infusions imports this module (the top of its layers). No task waits for a future
time (no ETA): the due time lives in the database, so Redis never holds a message long enough to re-deliver it
after its visibility timeout.
"""

import logging

from celery import shared_task
from django.utils import timezone

from clinic.context import clinic_context
from infusions.outcomes import checkins
from infusions.reminders import dispatch, notices

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


@shared_task(name="infusions.tasks.invite_maintenance_checkins", ignore_result=True)
def invite_maintenance_checkins() -> dict:
    """Lapse, invite, send (infusions.outcomes.checkins). The organisation's `maintenance_checkin_days` of 0 turns
    it off."""
    days = clinic_context().clinic.maintenance_checkin_days
    if not days:
        return {"lapsed": 0, "invited": 0}
    now = timezone.now()
    outcome = {"lapsed": checkins.lapse(now), "invited": checkins.invite(now, days)}
    outcome |= checkins.send()
    if any(outcome.values()):
        logger.info("maintenance check-ins: %s", outcome)
    return outcome
