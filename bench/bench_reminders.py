"""Dispatching 10,000 due reminders (5,000 visits x e-mail and SMS) with 2 workers.

Each worker runs what a Celery worker runs, in a loop: claim a batch of SEND_BATCH (50, the size of
one `send_reminders` task) due rows, send them, record each row, against the bench database, with
Django's locmem e-mail backend and the locmem SMS backend (no provider latency).

- On PostgreSQL the two workers are two **processes** (forked after the set-up, each with its own
  database connection), as Celery's prefork workers are: on this 2-core machine they run in
  parallel, while two threads of one process would share one core through the GIL.
- On SQLite the bench database is in memory, which only threads of one process can share, with
  table locks and no busy timeout: there the two workers are threads that take turns, so the figure
  is one core's.

The broker is left out: it carries one small message per 50 reminders (the Celery worker tests
send 1,000 through real Redis and PostgreSQL). Reports seconds, sends per second and the workers'
own CPU time per send (which the load of other jobs on the machine changes little, unlike the
rate), and checks that every reminder was sent exactly once.
"""

import contextlib
import multiprocessing
import threading
import time as clock
from collections import Counter

VISITS = 5_000
WORKERS = 2


def _setup():
    # The same due reminders as the worker reliability test (real clock, quiet hours moved away).
    from infusions.tests.reminder_helpers import due_reminders

    due_reminders(VISITS)


def _batch() -> int:
    from infusions.tasks import SEND_BATCH

    return SEND_BATCH


def _drain(gate=None) -> None:
    """One worker: claim and send until nothing is due."""
    from infusions.reminders import dispatch

    gate = gate or contextlib.nullcontext()
    while True:
        with gate:
            token, ids = dispatch.claim_due(limit=_batch())
        if not ids:
            return
        with gate:
            dispatch.send_claimed(ids, token)


def _sent_here() -> list[int]:
    """The reminder ids this process's locmem backends accepted messages for."""
    from django.core import mail

    from infusions.reminders import sms

    return [int(m.extra_headers["X-Clinic-Reminder"]) for m in mail.outbox] + [int(m["reference"]) for m in sms.outbox]


def _process_worker(go, results) -> None:
    from django.db import connection

    error = ""
    cpu = 0.0
    try:
        connection.ensure_connection()  # connected before the clock starts, as a running worker is
        go.wait()
        cpu = clock.process_time()
        _drain()
    except Exception as exc:  # noqa: BLE001 - reported in the result
        error = type(exc).__name__
    finally:
        finished, cpu = clock.monotonic(), clock.process_time() - cpu
        connection.close()
    results.put((finished, cpu, _sent_here(), error))


def _in_processes() -> tuple[float, float, list[int], list[str]]:
    from django.db import connections

    connections.close_all()  # each child opens its own connection; none is shared across the fork
    context = multiprocessing.get_context("fork")
    go, results = context.Event(), context.Queue()
    workers = [context.Process(target=_process_worker, args=(go, results)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    clock.sleep(1)  # let both connect
    began = clock.monotonic()
    go.set()
    reports = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    seconds = max(finished for finished, _, _, _ in reports) - began
    sent = [pk for _, _, ids, _ in reports for pk in ids]
    return seconds, sum(cpu for _, cpu, _, _ in reports), sent, [error for *_, error in reports if error]


def _thread_worker(errors, gate) -> None:
    from django.db import connection

    try:
        _drain(gate)
    except Exception as exc:  # noqa: BLE001 - reported in the result
        errors.append(type(exc).__name__)
    finally:
        connection.close()


def _in_threads() -> tuple[float, float, list[int], list[str]]:
    errors: list[str] = []
    gate = threading.Lock()  # the in-memory SQLite database: the two workers take turns
    began, cpu = clock.monotonic(), clock.process_time()
    threads = [threading.Thread(target=_thread_worker, args=(errors, gate)) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return clock.monotonic() - began, clock.process_time() - cpu, _sent_here(), errors


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
    processes = connection.vendor != "sqlite"
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        SMS_BACKEND="infusions.reminders.sms.LocmemBackend",
    ):
        seconds, cpu, sent_ids, errors = _in_processes() if processes else _in_threads()
    sent = Counter(sent_ids)
    statuses = Counter(Reminder.objects.values_list("status", flat=True))
    result = {
        "reminders": total,
        "workers": WORKERS,
        "workers_are": "processes" if processes else "threads taking turns (in-memory SQLite)",
        "batch": _batch(),
        "seconds": round(seconds, 2),
        "sends_per_second": round(sum(sent.values()) / seconds, 1),
        # The workers' own CPU time (not the database server's) per send: what the load of other jobs
        # on the machine does not change.
        "worker_cpu_ms_per_send": round(1000 * cpu / max(1, sum(sent.values())), 3),
        "sent_once": sum(1 for c in sent.values() if c == 1),
        "sent_twice_or_more": sum(1 for c in sent.values() if c > 1),
        "statuses": dict(statuses),
        "errors": dict(Counter(errors)),
        "target_sends_per_second": 1000,
    }
    if result["sent_once"] != total or result["sent_twice_or_more"] or dict(statuses) != {"sent": total}:
        # A bench that sent nothing must not pass for a slow one.
        result["error"] = "not every reminder was sent exactly once"
    return result
