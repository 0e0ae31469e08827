"""sync_for writes the outbox rows with the booking: offsets, consent, moves, cancellations, late bookings."""

from datetime import UTC, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from clinic.tests.factories import clinic_settings
from infusions import reminders
from infusions.models import Appointment, Reminder
from infusions.tests.reminder_helpers import local, visit

pytestmark = pytest.mark.django_db

NOW = local(2026, 2, 2, 10)  # Monday 2 February 2026, 10:00 in Los Angeles


def rows(appointment):
    return sorted(
        (r.channel, r.offset_hours, r.status, r.due_at.astimezone(UTC))
        for r in Reminder.objects.filter(appointment=appointment)
    )


@time_machine.travel(NOW, tick=False)
def test_it_writes_one_pending_row_per_offset_and_consented_channel():
    appointment = visit(local(2026, 2, 10, 9))
    assert rows(appointment) == sorted(
        [
            ("email", 72, "pending", local(2026, 2, 7, 9).astimezone(UTC)),
            ("email", 24, "pending", local(2026, 2, 9, 9).astimezone(UTC)),
            ("sms", 72, "pending", local(2026, 2, 7, 9).astimezone(UTC)),
            ("sms", 24, "pending", local(2026, 2, 9, 9).astimezone(UTC)),
        ]
    )
    assert {r.visit_start for r in Reminder.objects.all()} == {appointment.start}


@time_machine.travel(NOW, tick=False)
def test_it_uses_only_the_channels_the_patient_consented_to():
    email_only = visit(local(2026, 2, 10, 9), consent_sms=False)
    sms_only = visit(local(2026, 2, 11, 9), consent_email=False)
    neither = visit(local(2026, 2, 12, 9), consent_email=False, consent_sms=False)
    assert {r[0] for r in rows(email_only)} == {"email"}
    assert {r[0] for r in rows(sms_only)} == {"sms"}
    assert rows(neither) == []


@time_machine.travel(NOW, tick=False)
def test_it_follows_the_clinic_offsets():
    clinic_settings(reminder_offsets_hours="48,6")
    appointment = visit(local(2026, 2, 10, 9), consent_sms=False)
    assert [r[1] for r in rows(appointment)] == [6, 48]


@time_machine.travel(NOW, tick=False)
def test_it_skips_an_offset_already_past_at_booking():
    appointment = visit(NOW + timedelta(hours=30), consent_sms=False)
    assert rows(appointment) == [("email", 24, "pending", (NOW + timedelta(hours=6)).astimezone(UTC))]


@time_machine.travel(NOW, tick=False)
def test_it_sends_one_reminder_at_once_when_every_offset_has_passed():
    appointment = visit(NOW + timedelta(hours=10), consent_sms=False)
    assert rows(appointment) == [("email", 24, "pending", NOW.astimezone(UTC))]


@time_machine.travel(NOW, tick=False)
def test_it_writes_nothing_for_a_visit_less_than_two_hours_away():
    appointment = visit(NOW + timedelta(minutes=90))
    assert rows(appointment) == []


@time_machine.travel(NOW, tick=False)
def test_it_cancels_the_pending_rows_of_a_cancelled_visit():
    appointment = visit(local(2026, 2, 10, 9))
    appointment.status = Appointment.Status.CANCELLED
    appointment.save()
    reminders.sync_for([appointment])
    assert {r[2] for r in rows(appointment)} == {"cancelled"}


@time_machine.travel(NOW, tick=False)
def test_it_moves_the_reminders_with_the_visit():
    appointment = visit(local(2026, 2, 10, 9), consent_sms=False)
    old_start = appointment.start
    appointment.start, appointment.end = local(2026, 2, 12, 13), local(2026, 2, 12, 14, 30)
    appointment.save()
    reminders.sync_for([appointment])
    old = Reminder.objects.filter(appointment=appointment, visit_start=old_start)
    new = Reminder.objects.filter(appointment=appointment, visit_start=appointment.start)
    assert {r.status for r in old} == {"cancelled"}
    assert sorted((r.offset_hours, r.status, r.due_at) for r in new) == [
        (24, "pending", local(2026, 2, 11, 13)),
        (72, "pending", local(2026, 2, 9, 13)),
    ]


@time_machine.travel(NOW, tick=False)
def test_it_keeps_a_sent_reminder_and_revives_a_cancelled_one_when_a_visit_moves_back():
    appointment = visit(local(2026, 2, 10, 9), consent_sms=False)
    first_start = appointment.start
    Reminder.objects.filter(offset_hours=72).update(status="sent")
    appointment.start, appointment.end = local(2026, 2, 12, 13), local(2026, 2, 12, 14, 30)
    appointment.save()
    reminders.sync_for([appointment])
    appointment.start, appointment.end = first_start, first_start + timedelta(minutes=90)
    appointment.save()
    reminders.sync_for([appointment])
    back = {r.offset_hours: r.status for r in Reminder.objects.filter(visit_start=first_start)}
    assert back == {72: "sent", 24: "pending"}
    assert Reminder.objects.filter(status="pending").count() == 1


@time_machine.travel(NOW, tick=False)
def test_it_is_idempotent():
    appointment = visit(local(2026, 2, 10, 9))
    before = rows(appointment)
    reminders.sync_for([appointment])
    reminders.sync_for([appointment])
    assert rows(appointment) == before


@time_machine.travel(NOW, tick=False)
def test_the_database_refuses_a_second_row_for_the_same_visit_time():
    appointment = visit(local(2026, 2, 10, 9), consent_sms=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            appointment=appointment, channel="email", offset_hours=24, visit_start=appointment.start, due_at=NOW
        )


@time_machine.travel(NOW, tick=False)
def test_a_rolled_back_booking_leaves_no_reminder():
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        visit(local(2026, 2, 10, 9))
        assert Reminder.objects.count() == 4
        raise Boom
    assert Reminder.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_it_syncs_a_series_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    appointments = [visit(local(2026, 2, 10 + 2 * n, 9), sync=False) for n in range(6)]
    clinic_settings()  # the clinic row exists in a running clinic
    with django_assert_max_num_queries(4):
        reminders.sync_for(appointments)
    assert Reminder.objects.count() == 24
