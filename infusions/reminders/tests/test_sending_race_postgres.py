"""On PostgreSQL, two workers (threads, each with its own connection) draining the same due notices, or the same
check-in invitations, at the same moment through the one loop send each row once, and no claim takes more rows
than its limit. (The reminders' own: test_reminder_race_postgres.py.)"""

from collections import Counter
from functools import partial

import pytest
from django.core import mail

from clinic.tests.concurrency import run_at_once
from infusions.models import OutcomeInvitation, PatientNotice
from infusions.outcomes import checkins
from infusions.reminders import notices, sending, sms
from infusions.tests.reminder_helpers import POSTGRES_RACE, NoRefusal, due_invitations, due_notices

pytestmark = [*POSTGRES_RACE, pytest.mark.usefixtures("locmem_outboxes")]

LIMIT = 5


def drain_at_once(kind) -> dict[int, list[int]]:
    """Two workers claiming and sending `kind` until nothing is due; each one's claim sizes."""
    claims: dict[int, list[int]] = {0: [], 1: []}

    def worker(n):
        while True:
            token, claimed = sending.claim(kind, limit=LIMIT)
            if not claimed:
                return
            claims[n].append(len(claimed))
            sending.send_claimed(kind, claimed, token)

    assert run_at_once([partial(worker, 0), partial(worker, 1)], refusal=NoRefusal) == ["ok", "ok"]
    assert claims[0] and claims[1], "both workers took part"
    assert max(claims[0] + claims[1]) <= LIMIT
    return claims


def sent(header: str, prefix: str) -> Counter:
    counts = Counter((int(m.extra_headers[header]), "email") for m in mail.outbox)
    counts.update((int(m["reference"].removeprefix(prefix)), "sms") for m in sms.outbox)
    return counts


def test_two_workers_draining_notices_at_once_send_each_once():
    ids = due_notices(40)  # 80 rows
    drain_at_once(notices.NOTICE)
    counts = sent("X-Clinic-Notice", "notice-")
    assert set(counts) == set(PatientNotice.objects.values_list("pk", "channel"))
    assert sorted({pk for pk, _ in counts}) == sorted(ids)
    assert set(counts.values()) == {1}
    assert set(PatientNotice.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_two_workers_draining_check_in_invitations_at_once_send_each_once():
    ids = due_invitations(30)
    drain_at_once(checkins.INVITATION)
    counts = sent("X-Clinic-Checkin", "checkin-")
    assert set(counts) == {(pk, channel) for pk in ids for channel in ("email", "sms")}
    assert set(counts.values()) == {1}
    assert OutcomeInvitation.objects.filter(sent_at__isnull=True).count() == 0
