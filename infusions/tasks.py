"""Celery tasks for reminders: thin wrappers around infusions.reminders.dispatch.

Beat runs `dispatch_due_reminders` every minute (settings.CELERY_BEAT_SCHEDULE). It claims due rows
and queues `send_reminders` for them in batches once the claim has committed. No task ever waits
for a future time (no ETA): the due time lives in the database, so Redis never holds a message long
enough to re-deliver it after its visibility timeout.
"""

import logging

from celery import shared_task

from infusions.reminders import dispatch

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
