"""The Celery tasks: beat's dispatch claims and queues sends in batches; the send task acknowledges late."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine

from infusions import tasks
from infusions.models import Reminder
from infusions.tests.reminder_helpers import local, visit

pytestmark = pytest.mark.django_db

BOOKED = local(2026, 2, 2, 10)
START = local(2026, 2, 10, 9)


def test_the_beat_task_queues_sends_in_batches_after_claiming():
    for n in range(3):
        with time_machine.travel(BOOKED, tick=False):
            visit(START + timedelta(hours=2 * n), consent_sms=False)
    with (
        time_machine.travel(START + timedelta(hours=-1), tick=False),
        mock.patch.object(tasks, "SEND_BATCH", 4),
        mock.patch.object(tasks.send_reminders, "delay") as delay,
    ):
        assert tasks.dispatch_due_reminders() == 6
        batches = [call.args[0] for call in delay.call_args_list]
        assert [len(b) for b in batches] == [4, 2]
        assert Reminder.objects.filter(status="sending").count() == 6
        token = delay.call_args_list[0].args[1]
        assert tasks.send_reminders.run(batches[0], token)["sent"] == 4


def test_the_send_task_acknowledges_late_and_is_rejected_when_its_worker_dies():
    assert tasks.send_reminders.acks_late is True
    assert tasks.send_reminders.reject_on_worker_lost is True
    assert tasks.dispatch_due_reminders.name == "infusions.tasks.dispatch_due_reminders"
