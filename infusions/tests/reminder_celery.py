"""The Celery app for the worker and beat processes that the reliability tests start.

The project's app (clinic.celery) with test-only adjustments, read from the environment:
- beat runs the dispatch every REMINDER_TEST_BEAT_SECONDS (1 s) instead of every minute;
- the reminder lease is REMINDER_TEST_LEASE_SECONDS (so a killed worker's rows come back quickly);
- e-mail and SMS go to one file per message under VAR_DIR/outbox, named by reminder id, so the
  test can count sends across processes; REMINDER_TEST_SEND_DELAY slows each SMS down.
"""

import os
import time
import uuid
from pathlib import Path

import django
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

from clinic.celery import app

# The SMS backends live in the reminders package, which loads models: set Django up before
# importing them (`celery -A` imports this module before the worker sets Django up).
django.setup()

from infusions.reminders.sms import FileBackend  # noqa: E402

settings.REMINDER_LEASE_SECONDS = float(os.environ.get("REMINDER_TEST_LEASE_SECONDS", "600"))
app.conf.beat_schedule = {
    "dispatch-due-reminders": {
        "task": "infusions.tasks.dispatch_due_reminders",
        "schedule": float(os.environ.get("REMINDER_TEST_BEAT_SECONDS", "1")),
    }
}


class OneFilePerMessage(BaseEmailBackend):
    """Each message in its own file, named by its reminder id: safe with several processes."""

    def send_messages(self, email_messages):
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            reference = message.extra_headers.get("X-Clinic-Reminder", "mail")
            target = folder / f"{reference}-{uuid.uuid4().hex}.eml"
            partial = target.with_suffix(".part")
            partial.write_bytes(message.message().as_bytes())
            os.replace(partial, target)
        return len(email_messages)


class SlowSmsBackend(FileBackend):
    def send(self, *, to, body, reference=""):
        time.sleep(float(os.environ.get("REMINDER_TEST_SEND_DELAY", "0")))
        return super().send(to=to, body=body, reference=reference)


__all__ = ["app"]
