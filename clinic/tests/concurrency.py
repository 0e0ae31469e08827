"""Run calls at the same moment, each in its own thread with its own database connection."""

import threading

from django.db import connections


def run_at_once(calls, *, refusal: type[Exception], timeout: float = 120) -> list[str]:
    """Release every call together; each outcome is "ok", "refused: <message>" or "error: ...".

    `refusal` is the domain's clear refusal; anything else counts as an error, which is what
    concurrency tests must show never happens.
    """
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=30)
            call()
            outcome = "ok"
        except refusal as exc:
            outcome = f"refused: {exc}"
        except Exception as exc:  # noqa: BLE001 - any other error is what the caller must see
            outcome = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()  # this thread's connections only
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert len(outcomes) == len(calls), "a thread did not finish in time"
    return outcomes
