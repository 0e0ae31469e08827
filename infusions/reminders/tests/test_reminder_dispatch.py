"""Claiming and sending due reminders: each sent once, by e-mail and SMS, never before it is due."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from infusions.models import Reminder
from infusions.reminders import dispatch, sms
from infusions.tests.reminder_helpers import dispatch_due, local, visit

pytestmark = pytest.mark.django_db

BOOKED = local(2026, 2, 2, 10)
START = local(2026, 2, 10, 9)
DUE_24 = START - timedelta(hours=24)


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.SMS_BACKEND = "infusions.reminders.sms.LocmemBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def booked(**patient):
    with time_machine.travel(BOOKED, tick=False):
        return visit(START, **patient)


def test_it_sends_each_due_reminder_once_by_email_and_sms():
    appointment = booked(first_name="Robin")
    with time_machine.travel(DUE_24 + timedelta(minutes=1), tick=False):
        outcome = dispatch_due()
        again = dispatch_due()
    assert (outcome.sent, again.sent) == (4, 0)  # 72 h and 24 h both due by now: each once
    assert len(mail.outbox) == 2 and len(sms.outbox) == 2
    message = mail.outbox[0]
    assert message.to == [appointment.patient.email]
    assert "Robin" in message.body
    assert [a[0] for a in message.attachments] == ["visit.ics"]
    assert "BEGIN:VEVENT" in str(message.attachments[0][1])
    assert sms.outbox[0]["to"] == appointment.patient.phone
    rows = Reminder.objects.all()
    assert {r.status for r in rows} == {"sent"}
    assert {r.attempts for r in rows} == {1}
    assert all(r.sent_at is not None for r in rows)


def test_it_sends_nothing_before_the_due_time():
    booked()
    with time_machine.travel(START - timedelta(hours=72, minutes=1), tick=False):
        outcome = dispatch_due()
    assert outcome.sent == 0
    assert Reminder.objects.filter(status="pending").count() == 4


def test_a_second_claimer_gets_none_of_the_rows_the_first_holds():
    booked()
    with time_machine.travel(DUE_24, tick=False):
        first_token, first = dispatch.claim_due()
        second_token, second = dispatch.claim_due()
        assert len(first) == 4 and second == []
        # A send under the wrong token changes nothing.
        assert dispatch.send_claimed(first, second_token).sent == 0
        assert dispatch.send_claimed(first, first_token).sent == 4
        assert dispatch.send_claimed(first, first_token).sent == 0
    assert len(mail.outbox) + len(sms.outbox) == 4
