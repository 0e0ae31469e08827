"""A patient who consented to a channel but gets no reminder (booked too late) is not left silent:
the front desk sees why on the series page, so it gives the preparation instructions itself."""

import pytest
import time_machine
from django.urls import reverse

from infusions.reminders.outbox import missing_channels
from infusions.tests.reminder_helpers import local, visit

pytestmark = pytest.mark.django_db

EARLY = local(2026, 2, 2, 6)  # 06:00, inside quiet hours (21:00-08:00)


@time_machine.travel(EARLY, tick=False)
def test_a_same_morning_visit_has_no_sms_and_the_front_desk_is_told_why(client, front_desk):
    appointment = visit(local(2026, 2, 2, 9))  # 09:00: an SMS could only go at 08:00, 1 h before
    assert missing_channels(appointment, appointment.patient) == ["sms"]
    client.force_login(front_desk)
    page = client.get(reverse("infusions:series", args=[appointment.series_id])).content.decode()
    assert 'data-testid="missing-reminder"' in page
    assert "No SMS reminder" in page and "21:00" in page and "08:00" in page
    assert "No e-mail reminder" not in page  # the e-mail went out at once


@time_machine.travel(EARLY, tick=False)
def test_a_visit_days_ahead_misses_nothing(client, front_desk):
    appointment = visit(local(2026, 2, 6, 9))
    assert missing_channels(appointment, appointment.patient) == []
    client.force_login(front_desk)
    page = client.get(reverse("infusions:series", args=[appointment.series_id])).content.decode()
    assert 'data-testid="missing-reminder"' not in page


@time_machine.travel(EARLY, tick=False)
def test_a_visit_an_hour_away_says_no_e_mail_either():
    appointment = visit(local(2026, 2, 2, 7))
    assert missing_channels(appointment, appointment.patient) == ["email", "sms"]


@time_machine.travel(EARLY, tick=False)
def test_channels_without_consent_are_not_reported():
    appointment = visit(local(2026, 2, 2, 9), consent_sms=False)
    assert missing_channels(appointment, appointment.patient) == []
