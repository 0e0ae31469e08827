"""Dispatching 10,000 due reminders (5,000 visits x e-mail and SMS) with 2 workers.

Each worker is a thread running what the Celery tasks run (claim a batch, send it, record each
row) against the bench database, with Django's locmem e-mail backend and the locmem SMS backend.
The broker is left out: it carries one small message per 50 reminders. Reports seconds and sends
per second, and checks that every reminder was sent exactly once.
"""

import contextlib
import threading
import time as clock
from collections import Counter

VISITS = 5_000
WORKERS = 2
BATCH = 200


def _setup():
    # The same due reminders as the worker reliability test (real clock, quiet hours moved away).
    from infusions.tests.reminder_helpers import due_reminders

    due_reminders(VISITS)


def _worker(errors, gate):
    from django.db import connection

    from infusions.reminders import dispatch

    try:
        while True:
            with gate:
                token, ids = dispatch.claim_due(limit=BATCH)
            if not ids:
                break
            with gate:
                dispatch.send_claimed(ids, token)
    except Exception as exc:  # noqa: BLE001 - reported in the result
        errors.append(type(exc).__name__)
    finally:
        connection.close()


def run() -> dict:
    from django.core import mail
    from django.db import connection
    from django.test.utils import override_settings

    from infusions.models import Reminder
    from infusions.reminders import sms

    _setup()
    total = Reminder.objects.count()
    mail.outbox = []
    sms.outbox.clear()
    errors: list[str] = []
    # The bench's SQLite database is in memory, shared between threads with table locks and no busy
    # timeout: there the two workers take turns (a file database under `make run` waits instead).
    serialised = connection.vendor == "sqlite"
    gate = threading.Lock() if serialised else contextlib.nullcontext()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        SMS_BACKEND="infusions.reminders.sms.LocmemBackend",
    ):
        began = clock.perf_counter()
        threads = [threading.Thread(target=_worker, args=(errors, gate)) for _ in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = clock.perf_counter() - began
    sent = Counter(int(m.extra_headers["X-Clinic-Reminder"]) for m in mail.outbox)
    sent.update(int(m["reference"]) for m in sms.outbox)
    statuses = Counter(Reminder.objects.values_list("status", flat=True))
    result = {
        "reminders": total,
        "workers": WORKERS,
        "seconds": round(seconds, 2),
        "sends_per_second": round(sum(sent.values()) / seconds, 1),
        "sent_once": sum(1 for c in sent.values() if c == 1),
        "sent_twice_or_more": sum(1 for c in sent.values() if c > 1),
        "statuses": dict(statuses),
        "errors": dict(Counter(errors)),
        "workers_take_turns": serialised,
        "target_sends_per_second": 500,
    }
    if result["sent_once"] != total or result["sent_twice_or_more"] or dict(statuses) != {"sent": total}:
        # A bench that sent nothing must not pass for a slow one.
        result["error"] = "not every reminder was sent exactly once"
    return result
