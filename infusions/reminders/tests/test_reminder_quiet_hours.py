"""Quiet hours at booking and at dispatch: no SMS between 21:00 and 08:00 clinic time; offsets are
elapsed hours across the DST change. (The window itself: test_reminder_quiet_hours_window.py.)"""

from datetime import UTC, timedelta

import pytest
import time_machine

from clinic.context import clinic_context
from clinic.tests.factories import main_location
from infusions.models import Reminder
from infusions.reminders import dispatch, sms
from infusions.reminders.quiet_hours import QuietHours
from infusions.tests.reminder_helpers import local, visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.SMS_BACKEND = "infusions.reminders.sms.LocmemBackend"
    sms.outbox.clear()


def due(appointment, channel, offset):
    return Reminder.objects.get(appointment=appointment, channel=channel, offset_hours=offset).due_at


@time_machine.travel(local(2026, 2, 2, 10), tick=False)
def test_an_sms_due_in_quiet_hours_goes_out_at_20_00_the_evening_before():
    appointment = visit(local(2026, 2, 10, 8, 0))  # 24 h before is 08:00: allowed
    early = visit(local(2026, 2, 12, 7, 30))  # 24 h before is 07:30: quiet
    late = visit(local(2026, 2, 14, 22, 0))  # 24 h before is 22:00: quiet
    assert due(appointment, "sms", 24) == local(2026, 2, 9, 8, 0)
    assert due(early, "sms", 24) == local(2026, 2, 10, 20, 0)
    assert due(late, "sms", 24) == local(2026, 2, 13, 20, 0)
    # E-mail keeps the exact offset.
    assert due(early, "email", 24) == local(2026, 2, 11, 7, 30)


def test_a_late_dispatched_sms_in_quiet_hours_waits_until_08_00():
    with time_machine.travel(local(2026, 2, 2, 10), tick=False):
        appointment = visit(local(2026, 2, 10, 16, 0), consent_email=False)
    Reminder.objects.filter(offset_hours=72).delete()
    with time_machine.travel(local(2026, 2, 9, 21, 30), tick=False):  # dispatch was down until 21:30
        token, ids = dispatch.claim_due()
        outcome = dispatch.send_claimed(ids, token)
    assert (outcome.sent, outcome.postponed) == (0, 1)
    row = Reminder.objects.get(appointment=appointment)
    assert (row.status, row.due_at, row.attempts) == ("pending", local(2026, 2, 10, 8, 0), 0)
    assert sms.outbox == []
    with time_machine.travel(local(2026, 2, 10, 8, 0), tick=False):
        token, ids = dispatch.claim_due()
        assert dispatch.send_claimed(ids, token).sent == 1


def test_a_late_booking_in_quiet_hours_sends_the_sms_at_08_00():
    with time_machine.travel(local(2026, 2, 9, 22, 0), tick=False):
        appointment = visit(local(2026, 2, 10, 13, 0))
    assert due(appointment, "sms", 24) == local(2026, 2, 10, 8, 0)
    assert due(appointment, "email", 24) == local(2026, 2, 9, 22, 0)


@time_machine.travel(local(2026, 3, 1, 10), tick=False)
def test_a_visit_the_morning_after_the_clocks_go_forward_is_reminded_24_elapsed_hours_before():
    # 8 March 2026: 02:00 PST becomes 03:00 PDT. A 09:00 PDT visit on 9 March is 24 h after
    # 09:00 PDT on 8 March, and 72 h after 08:00 PST on 6 March.
    appointment = visit(local(2026, 3, 9, 9, 0))
    assert due(appointment, "email", 24) == local(2026, 3, 8, 9, 0)
    assert due(appointment, "email", 72).astimezone(UTC) == local(2026, 3, 6, 8, 0).astimezone(UTC)
    assert appointment.start - due(appointment, "email", 72) == timedelta(hours=72)


@time_machine.travel(local(2026, 3, 1, 10), tick=False)
def test_quiet_hours_hold_in_local_time_across_the_dst_change():
    # 08:30 PDT on 9 March: 24 h before is 08:30 PDT on 8 March (allowed); 72 h before is
    # 07:30 PST on 6 March, in quiet hours, so 20:00 PST on 5 March.
    appointment = visit(local(2026, 3, 9, 8, 30))
    assert due(appointment, "sms", 24) == local(2026, 3, 8, 8, 30)
    assert due(appointment, "sms", 72) == local(2026, 3, 5, 20, 0)
    quiet = QuietHours.at(main_location(), clinic_context().clinic)
    for row in Reminder.objects.filter(channel="sms"):
        assert not quiet.contains(row.due_at)
