"""A failed send is retried after 1, 5, 15 and 60 minutes, then marked failed for the front desk."""

from datetime import timedelta

import pytest
import time_machine

from infusions.models import Reminder
from infusions.reminders import dispatch, sms
from infusions.tests.reminder_helpers import local, visit

pytestmark = pytest.mark.django_db

BOOKED = local(2026, 2, 2, 10)
START = local(2026, 2, 10, 9)
DUE_24 = START - timedelta(hours=24)


def booked(**patient):
    with time_machine.travel(BOOKED, tick=False):
        return visit(START, **patient)


def test_a_failed_send_is_retried_with_backoff_then_marked_failed():
    class Broken(sms.BaseBackend):
        def send(self, *, to, body, reference=""):
            raise sms.SmsError("Twilio answered HTTP 500")

    booked(consent_email=False)
    Reminder.objects.filter(offset_hours=72).delete()
    now = DUE_24
    waits = []
    for _ in range(dispatch.MAX_ATTEMPTS):
        with time_machine.travel(now, tick=False):
            token, ids = dispatch.claim_due()
            assert len(ids) == 1
            dispatch.send_claimed(ids, token, sms_backend=Broken())
        row = Reminder.objects.get()
        if row.status == "pending":
            waits.append(row.due_at - now)
            now = row.due_at
    assert waits == list(dispatch.BACKOFF)
    assert (row.status, row.attempts, row.last_error) == ("failed", 5, "SmsError")
