"""Claiming and sending due reminders: sent once, re-checked at send time, retried, reclaimed."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail

from infusions import reminders, sms, tasks
from infusions.models import Appointment, Reminder
from infusions.tests.reminder_helpers import local, visit

pytestmark = pytest.mark.django_db

BOOKED = local(2026, 2, 2, 10)
START = local(2026, 2, 10, 9)
DUE_24 = START - timedelta(hours=24)


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.SMS_BACKEND = "infusions.sms.LocmemBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def booked(**patient):
    with time_machine.travel(BOOKED, tick=False):
        return visit(START, **patient)


def dispatch():
    token, ids = reminders.claim_due()
    return reminders.send_claimed(ids, token)


def test_it_sends_each_due_reminder_once_by_email_and_sms():
    appointment = booked(first_name="Robin")
    with time_machine.travel(DUE_24 + timedelta(minutes=1), tick=False):
        outcome = dispatch()
        again = dispatch()
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
        outcome = dispatch()
    assert outcome.sent == 0
    assert Reminder.objects.filter(status="pending").count() == 4


def test_a_second_claimer_gets_none_of_the_rows_the_first_holds():
    booked()
    with time_machine.travel(DUE_24, tick=False):
        first_token, first = reminders.claim_due()
        second_token, second = reminders.claim_due()
        assert len(first) == 4 and second == []
        # A send under the wrong token changes nothing.
        assert reminders.send_claimed(first, second_token).sent == 0
        assert reminders.send_claimed(first, first_token).sent == 4
        assert reminders.send_claimed(first, first_token).sent == 0
    assert len(mail.outbox) + len(sms.outbox) == 4


def test_a_visit_cancelled_after_the_claim_is_skipped_not_sent():
    appointment = booked()
    with time_machine.travel(DUE_24, tick=False):
        token, ids = reminders.claim_due()
        Appointment.objects.filter(pk=appointment.pk).update(status="cancelled")
        outcome = reminders.send_claimed(ids, token)
    assert outcome.skipped == 4 and outcome.sent == 0
    assert mail.outbox == [] and sms.outbox == []
    assert set(Reminder.objects.values_list("status", "last_error")) == {("skipped", "VisitChanged")}


def test_a_moved_visit_is_reminded_at_its_new_time_only():
    appointment = booked(consent_sms=False)
    new_start = START + timedelta(days=4)
    with time_machine.travel(BOOKED + timedelta(days=1), tick=False):
        appointment.start, appointment.end = new_start, new_start + timedelta(minutes=90)
        appointment.save()
        reminders.sync_for([appointment])
    with time_machine.travel(DUE_24 + timedelta(minutes=5), tick=False):  # the old 24 h time
        assert dispatch().sent == 0
    with time_machine.travel(new_start - timedelta(hours=24), tick=False):
        assert dispatch().sent == 2
    assert len(mail.outbox) == 2
    assert all("Saturday 14 February 2026" in m.body for m in mail.outbox)
    assert Reminder.objects.filter(visit_start=START, status="cancelled").count() == 2


def test_a_claimed_row_whose_visit_moved_meanwhile_is_skipped():
    appointment = booked(consent_sms=False)
    with time_machine.travel(DUE_24, tick=False):
        token, ids = reminders.claim_due()
        Appointment.objects.filter(pk=appointment.pk).update(
            start=START + timedelta(hours=3), end=START + timedelta(hours=4, minutes=30)
        )
        assert reminders.send_claimed(ids, token).skipped == 2
    assert mail.outbox == []


def test_a_failed_send_is_retried_with_backoff_then_marked_failed():
    class Broken(sms.BaseBackend):
        def send(self, *, to, body, reference=""):
            raise sms.SmsError("Twilio answered HTTP 500")

    booked(consent_email=False)
    Reminder.objects.filter(offset_hours=72).delete()
    now = DUE_24
    waits = []
    for _ in range(reminders.MAX_ATTEMPTS):
        with time_machine.travel(now, tick=False):
            token, ids = reminders.claim_due()
            assert len(ids) == 1
            reminders.send_claimed(ids, token, sms_backend=Broken())
        row = Reminder.objects.get()
        if row.status == "pending":
            waits.append(row.due_at - now)
            now = row.due_at
    assert waits == list(reminders.BACKOFF)
    assert (row.status, row.attempts, row.last_error) == ("failed", 5, "SmsError")


def test_a_row_stuck_in_sending_is_reclaimed_after_the_lease():
    booked(consent_sms=False)
    with time_machine.travel(DUE_24, tick=False):
        token, ids = reminders.claim_due()  # the worker holding this claim dies here
    with time_machine.travel(DUE_24 + reminders.lease() - timedelta(seconds=1), tick=False):
        assert reminders.claim_due()[1] == []
    with time_machine.travel(DUE_24 + reminders.lease() + timedelta(seconds=1), tick=False):
        new_token, new_ids = reminders.claim_due()
        assert sorted(new_ids) == sorted(ids)
        # The dead worker's message, delivered again later, no longer owns the rows.
        assert reminders.send_claimed(ids, token).sent == 0
        assert reminders.send_claimed(new_ids, new_token).sent == 2
    assert {r.attempts for r in Reminder.objects.all()} == {2}


def test_consent_withdrawn_after_booking_skips_the_channel():
    appointment = booked()
    appointment.patient.consent_sms = False
    appointment.patient.save()
    with time_machine.travel(DUE_24, tick=False):
        outcome = dispatch()
    assert (outcome.sent, outcome.skipped) == (2, 2)
    assert sms.outbox == []


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
