"""A row whose worker died while sending comes back after the lease; the dead worker's claim no longer counts."""

from datetime import timedelta

import pytest
import time_machine

from infusions.models import Reminder
from infusions.reminders import dispatch
from infusions.tests.reminder_helpers import local, visit

pytestmark = pytest.mark.django_db

BOOKED = local(2026, 2, 2, 10)
START = local(2026, 2, 10, 9)
DUE_24 = START - timedelta(hours=24)


def booked(**patient):
    with time_machine.travel(BOOKED, tick=False):
        return visit(START, **patient)


def test_a_row_stuck_in_sending_is_reclaimed_after_the_lease():
    booked(consent_sms=False)
    with time_machine.travel(DUE_24, tick=False):
        token, ids = dispatch.claim_due()  # the worker holding this claim dies here
    with time_machine.travel(DUE_24 + dispatch.lease() - timedelta(seconds=1), tick=False):
        assert dispatch.claim_due()[1] == []
    with time_machine.travel(DUE_24 + dispatch.lease() + timedelta(seconds=1), tick=False):
        new_token, new_ids = dispatch.claim_due()
        assert sorted(new_ids) == sorted(ids)
        # The dead worker's message, delivered again later, no longer owns the rows.
        assert dispatch.send_claimed(ids, token).sent == 0
        assert dispatch.send_claimed(new_ids, new_token).sent == 2
    assert {r.attempts for r in Reminder.objects.all()} == {2}
