"""Each claimed row is re-checked just before it is sent: a cancelled or moved visit, or withdrawn
consent, is skipped."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from infusions import reminders
from infusions.models import Appointment, Reminder
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


def test_a_visit_cancelled_after_the_claim_is_skipped_not_sent():
    appointment = booked()
    with time_machine.travel(DUE_24, tick=False):
        token, ids = dispatch.claim_due()
        Appointment.objects.filter(pk=appointment.pk).update(status="cancelled")
        outcome = dispatch.send_claimed(ids, token)
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
        assert dispatch_due().sent == 0
    with time_machine.travel(new_start - timedelta(hours=24), tick=False):
        assert dispatch_due().sent == 2
    assert len(mail.outbox) == 2
    assert all("Sat 14 Feb 2026" in m.body for m in mail.outbox)
    assert Reminder.objects.filter(visit_start=START, status="cancelled").count() == 2


def test_a_claimed_row_whose_visit_moved_meanwhile_is_skipped():
    appointment = booked(consent_sms=False)
    with time_machine.travel(DUE_24, tick=False):
        token, ids = dispatch.claim_due()
        Appointment.objects.filter(pk=appointment.pk).update(
            start=START + timedelta(hours=3), end=START + timedelta(hours=4, minutes=30)
        )
        assert dispatch.send_claimed(ids, token).skipped == 2
    assert mail.outbox == []


def test_consent_withdrawn_after_booking_skips_the_channel():
    appointment = booked()
    appointment.patient.consent_sms = False
    appointment.patient.save()
    with time_machine.travel(DUE_24, tick=False):
        outcome = dispatch_due()
    assert (outcome.sent, outcome.skipped) == (2, 2)
    assert sms.outbox == []
