"""On PostgreSQL, two workers (threads, each with its own connection) draining the same due reminders at
the same moment send each reminder exactly once, and no claim takes more rows than its limit."""

from collections import Counter
from functools import partial

import pytest
from django.core import mail

from clinic.tests.concurrency import run_at_once
from infusions.models import Reminder
from infusions.reminders import dispatch, sms
from infusions.tests.reminder_helpers import POSTGRES_RACE, NoRefusal, due_reminders

pytestmark = [*POSTGRES_RACE, pytest.mark.usefixtures("locmem_outboxes")]

LIMIT = 20


def test_two_workers_draining_at_once_send_each_reminder_once():
    ids = due_reminders(150)  # 300 rows
    claims: dict[int, list[int]] = {0: [], 1: []}

    def worker(n):
        while True:
            token, claimed = dispatch.claim_due(limit=LIMIT)
            if not claimed:
                return
            claims[n].append(len(claimed))
            dispatch.send_claimed(claimed, token)

    assert run_at_once([partial(worker, 0), partial(worker, 1)], refusal=NoRefusal) == ["ok", "ok"]
    assert claims[0] and claims[1], "both workers took part"
    assert max(claims[0] + claims[1]) <= LIMIT
    sent = Counter([int(m.extra_headers["X-Clinic-Reminder"]) for m in mail.outbox])
    sent.update(int(m["reference"]) for m in sms.outbox)
    assert sorted(sent) == sorted(ids)
    assert set(sent.values()) == {1}
    assert set(Reminder.objects.values_list("status", "attempts")) == {("sent", 1)}
