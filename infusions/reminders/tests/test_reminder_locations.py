"""Reminders, calendar files and confirm pages at several locations: each visit is reminded in its own
location's zone, with that location's address, phone, signed name and SMS quiet hours; the server's
TIME_ZONE (Los Angeles in the tests) is only the main location's."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from clinic.models import Location
from clinic.tests.factories import ChairFactory, LocationFactory, clinic_settings, main_location, open_every_day
from infusions import reminders
from infusions.booking.services import appointment_move, series_book
from infusions.models import Appointment, Reminder
from infusions.reminders import dispatch, sms, tokens
from infusions.templatetags.reminder_tags import missing_reminders
from infusions.tests.helpers import LA, bookable_patient, clinic, series_visits
from infusions.tests.reminder_helpers import dispatch_due, visit

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")
DENVER_ADDRESS = "1600 Larimer Street, Denver"
DENVER_PHONE = "+1 303 555 0142"
MAIN_ADDRESS = "1 Pier Street, Oakland"
MAIN_PHONE = "+1 510 555 0199"


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.SMS_BACKEND = "infusions.reminders.sms.LocmemBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def main():
    location = main_location()
    Location.objects.filter(pk=location.pk).update(address=MAIN_ADDRESS, phone=MAIN_PHONE)
    location.refresh_from_db()
    return location


@pytest.fixture
def denver():
    return LocationFactory(
        name="Denver", address=DENVER_ADDRESS, phone=DENVER_PHONE, sender_name="Front Range Wellness"
    )


def mountain(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=DENVER)


def pacific(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LA)


def event_of(message):
    (attachment,) = message.attachments
    name, content, _ = attachment
    assert name == "visit.ics"
    raw = content if isinstance(content, str) else content.decode()
    (event,) = Calendar.from_ical(raw).walk("VEVENT")
    return raw, event


def rows_of(appointment, channel, offset):
    return Reminder.objects.get(appointment=appointment, channel=channel, offset_hours=offset, status="pending")


# --- What a reminder says ----------------------------------------------------------------------


def test_a_denver_visit_is_reminded_in_denver_time_with_the_denver_address_phone_and_name(main, denver):
    assert settings.TIME_ZONE == "America/Los_Angeles"  # 9:00 in Denver is 8:00 on the server's clock
    clinic_settings(name="Harbour Health")
    start = mountain(2026, 2, 10, 9, 0)
    with time_machine.travel(pacific(2026, 2, 2, 10), tick=False):
        appointment = visit(start, location=denver, first_name="Sam")
    with time_machine.travel(start - timedelta(hours=24), tick=False):
        assert dispatch_due().sent == 4  # 72 h and 24 h, by e-mail and SMS
    texts = [m.subject for m in mail.outbox] + [m.body for m in mail.outbox] + [m["body"] for m in sms.outbox]
    for text in texts:
        assert "Tue 10 Feb 2026 at 09:00 MST" in text
        assert "08:00" not in text
        assert "Front Range Wellness" in text
        assert "Harbour Health" not in text
        assert MAIN_ADDRESS not in text and MAIN_PHONE not in text
    for text in [m.body for m in mail.outbox] + [m["body"] for m in sms.outbox]:
        assert DENVER_ADDRESS in text and DENVER_PHONE in text
        assert "do not drive until the next day" in text  # the organisation's preparation text
    for message in mail.outbox:
        raw, event = event_of(message)
        assert "DTSTART;TZID=America/Denver:20260210T090000" in raw
        assert "BEGIN:VTIMEZONE" in raw and "TZID:America/Denver" in raw
        assert event.decoded("dtstart") == start
        assert event.decoded("dtend") == start + timedelta(minutes=90)
        assert str(event["location"]) == DENVER_ADDRESS
        assert DENVER_PHONE in str(event["description"])
        assert "Front Range Wellness" in str(event["summary"])
    assert appointment.patient.email in mail.outbox[0].to


def test_the_calendar_file_gives_each_visit_its_own_location(client, front_desk, main, denver):
    with time_machine.travel(pacific(2026, 2, 2, 10), tick=False):
        first = visit(pacific(2026, 2, 10, 9, 0), location=main, sync=False)
        second = Appointment.objects.create(
            series=first.series,
            patient=first.patient,
            chair=ChairFactory(location=denver),
            sequence=2,
            start=mountain(2026, 2, 13, 9, 0).astimezone(UTC),
            end=mountain(2026, 2, 13, 10, 30).astimezone(UTC),
        )
    client.force_login(front_desk)
    response = client.get(reverse("infusions:patient_calendar", args=[first.patient_id]))
    assert response.status_code == 200
    raw = response.content.decode()
    assert "DTSTART;TZID=America/Los_Angeles:20260210T090000" in raw
    assert "DTSTART;TZID=America/Denver:20260213T090000" in raw
    events = {str(e["uid"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
    at_main = events[f"appointment-{first.pk}@infusion-clinic"]
    at_denver = events[f"appointment-{second.pk}@infusion-clinic"]
    assert (str(at_main["location"]), str(at_denver["location"])) == (MAIN_ADDRESS, DENVER_ADDRESS)
    assert MAIN_PHONE in str(at_main["description"]) and DENVER_PHONE in str(at_denver["description"])
    assert at_denver.decoded("dtstart") == mountain(2026, 2, 13, 9, 0)


# --- Due times: each visit in its own zone -----------------------------------------------------


def test_visits_the_morning_after_the_clocks_go_forward_in_two_zones_are_reminded_at_the_right_instants(main, denver):
    # 14 March 2027: the clocks go forward in Los Angeles and in Denver. A visit at 09:00 local on the
    # 15th is reminded 24 and 72 elapsed hours before, each in its own zone; both synced in one call.
    in_la, in_denver = pacific(2027, 3, 15, 9, 0), mountain(2027, 3, 15, 9, 0)
    with time_machine.travel(pacific(2027, 3, 1, 10), tick=False):
        at_main = visit(in_la, location=main, sync=False)
        at_denver = visit(in_denver, location=denver, sync=False)
        reminders.sync_for([at_main, at_denver])
    for channel in ("email", "sms"):
        assert rows_of(at_main, channel, 24).due_at == datetime(2027, 3, 14, 16, 0, tzinfo=UTC)  # 09:00 PDT
        assert rows_of(at_denver, channel, 24).due_at == datetime(2027, 3, 14, 15, 0, tzinfo=UTC)  # 09:00 MDT
        assert rows_of(at_main, channel, 72).due_at == datetime(2027, 3, 12, 16, 0, tzinfo=UTC)  # 08:00 PST
        assert rows_of(at_denver, channel, 72).due_at == datetime(2027, 3, 12, 15, 0, tzinfo=UTC)  # 08:00 MST
    with time_machine.travel(datetime(2027, 3, 14, 15, 0, tzinfo=UTC), tick=False):
        assert dispatch_due().sent == 6  # Denver's 72 h and 24 h, and Los Angeles' 72 h
    with time_machine.travel(datetime(2027, 3, 14, 16, 0, tzinfo=UTC), tick=False):
        assert dispatch_due().sent == 2  # Los Angeles' 24 h
    assert len(mail.outbox) == 4 and len(sms.outbox) == 4
    for text in [m.body for m in mail.outbox] + [m["body"] for m in sms.outbox]:
        assert "Mon 15 Mar 2027 at 09:00" in text
    for message in mail.outbox:
        raw, event = event_of(message)
        assert event.decoded("dtstart").replace(tzinfo=None) == datetime(2027, 3, 15, 9, 0)
        zone = "America/Denver" if DENVER_ADDRESS in message.body else "America/Los_Angeles"
        assert f"DTSTART;TZID={zone}:20270315T090000" in raw


# --- SMS quiet hours: the location's zone, its override or the organisation's default -------------


@pytest.fixture
def boulder():
    """A Denver-zone location whose own quiet hours (22:00-09:00) override the organisation's."""
    return LocationFactory(
        name="Boulder", time_zone="America/Denver", sms_quiet_start=time(22, 0), sms_quiet_end=time(9, 0)
    )


def test_sms_due_times_follow_each_locations_quiet_hours_on_its_own_clock(denver, boulder):
    clinic_settings(sms_quiet_start=time(21, 0), sms_quiet_end=time(8, 0))
    with time_machine.travel(pacific(2026, 2, 2, 10), tick=False):
        # 08:30 in Denver is 07:30 in Los Angeles: quiet on the server's clock, not on Denver's.
        by_default = visit(mountain(2026, 2, 10, 8, 30), location=denver, sync=False)
        overridden = visit(mountain(2026, 2, 10, 8, 30), location=boulder, sync=False)
        reminders.sync_for([by_default, overridden])
    assert rows_of(by_default, "sms", 24).due_at == mountain(2026, 2, 9, 8, 30)
    # Boulder is quiet until 09:00: the SMS goes the evening before, an hour before its 22:00.
    assert rows_of(overridden, "sms", 24).due_at == mountain(2026, 2, 8, 21, 0)
    for appointment in (by_default, overridden):
        assert rows_of(appointment, "email", 24).due_at == mountain(2026, 2, 9, 8, 30)


def test_dispatch_holds_back_an_sms_by_the_quiet_hours_of_the_visits_location(denver, boulder):
    clinic_settings(sms_quiet_start=time(21, 0), sms_quiet_end=time(8, 0))
    with time_machine.travel(pacific(2026, 2, 2, 10), tick=False):
        by_default = visit(mountain(2026, 2, 10, 16, 0), location=denver, consent_email=False)
        overridden = visit(mountain(2026, 2, 10, 16, 0), location=boulder, consent_email=False)
    Reminder.objects.filter(offset_hours=72).delete()
    # Dispatch was down until 08:30 Denver time (07:30 on the server's clock).
    with time_machine.travel(mountain(2026, 2, 10, 8, 30), tick=False):
        outcome = dispatch_due()
    assert (outcome.sent, outcome.postponed) == (1, 1)
    assert Reminder.objects.get(appointment=by_default).status == "sent"
    held = Reminder.objects.get(appointment=overridden)
    assert (held.status, held.due_at, held.last_error) == ("pending", mountain(2026, 2, 10, 9, 0), "QuietHours")


def test_the_front_desk_is_told_the_quiet_hours_of_the_visits_location(boulder):
    clinic_settings(sms_quiet_start=time(21, 0), sms_quiet_end=time(8, 0))
    with time_machine.travel(mountain(2026, 2, 2, 6, 0), tick=False):
        # 09:30: Boulder's quiet hours end at 09:00, too close to the visit for an SMS.
        appointment = visit(mountain(2026, 2, 2, 9, 30), location=boulder)
    appointment = reminders.with_reminders(Appointment.objects.select_related("chair__location")).get(pk=appointment.pk)
    (why,) = missing_reminders(appointment)
    assert "No SMS reminder" in why and "22:00–09:00, Mountain time)" in why
    assert "21:00" not in why


# --- A visit moved to another location ---------------------------------------------------------


@pytest.fixture
def booked(front_desk, main):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        chair, _ = clinic()
        patient = bookable_patient()
        series = series_book(patient=patient, visits=series_visits(date(2026, 12, 7), chair), by=front_desk)
    return series.appointments.select_related("chair__location").get(sequence=1)


def test_a_visit_moved_to_another_location_is_reminded_with_the_new_address_and_time(front_desk, booked, denver):
    open_every_day(location=denver)
    chair = ChairFactory(location=denver, name="Denver 1")
    front_desk.locations.add(denver)
    front_desk = User.objects.get(pk=front_desk.pk)  # the next request's user: working at Denver too
    new_start = mountain(2026, 12, 7, 9, 0)  # 08:00 in Los Angeles
    with time_machine.travel(datetime(2026, 12, 2, 16, 0, tzinfo=UTC), tick=False):
        appointment_move(appointment=booked, start=new_start, chair_id=chair.pk, by=front_desk, to_other_location=True)
    assert not Reminder.objects.filter(appointment=booked, status="pending").exclude(visit_start=new_start).exists()
    with time_machine.travel(new_start - timedelta(hours=24), tick=False):
        dispatch_due()
    ids = {str(pk) for pk in Reminder.objects.filter(appointment=booked).values_list("pk", flat=True)}
    messages = [m for m in mail.outbox if m.extra_headers["X-Clinic-Reminder"] in ids]
    texts = [m for m in sms.outbox if m["reference"] in ids]
    assert len(messages) == 2 and len(texts) == 2  # 72 h and 24 h before the new time
    for text in [m.body for m in messages] + [m["body"] for m in texts]:
        assert "Mon 7 Dec 2026 at 09:00 MST" in text
        assert DENVER_ADDRESS in text and DENVER_PHONE in text
        assert MAIN_ADDRESS not in text and MAIN_PHONE not in text
    for message in messages:
        raw, event = event_of(message)
        assert str(event["location"]) == DENVER_ADDRESS
        assert "DTSTART;TZID=America/Denver:20261207T090000" in raw


def test_a_visit_moved_to_another_location_at_the_same_instant_has_its_sms_planned_there(front_desk, booked, boulder):
    open_every_day(location=boulder)
    chair = ChairFactory(location=boulder, name="Boulder 1")
    front_desk.locations.add(boulder)
    front_desk = User.objects.get(pk=front_desk.pk)  # the next request's user: working at Boulder too
    # 09:00 in Los Angeles is 10:00 in Boulder; Boulder's quiet hours are made to end at 10:30.
    Location.objects.filter(pk=boulder.pk).update(sms_quiet_end=time(10, 30))
    assert rows_of(booked, "sms", 24).due_at == pacific(2026, 12, 6, 9, 0)
    with time_machine.travel(datetime(2026, 12, 2, 16, 0, tzinfo=UTC), tick=False):
        appointment_move(
            appointment=booked, start=booked.start, chair_id=chair.pk, by=front_desk, to_other_location=True
        )
    assert rows_of(booked, "sms", 24).due_at == mountain(2026, 12, 5, 21, 0)
    assert rows_of(booked, "email", 24).due_at == pacific(2026, 12, 6, 9, 0)  # elapsed hours: unchanged


# --- The patient's confirm pages -----------------------------------------------------------------


def test_the_confirm_pages_show_the_visits_location_and_its_local_time(client, main, denver):
    with time_machine.travel(pacific(2026, 2, 2, 10), tick=False):
        appointment = visit(mountain(2026, 2, 10, 9, 0), location=denver, first_name="Robin")
        path = reverse("infusions:reminder_confirm", args=[tokens.confirm_token(appointment)])
        page = client.get(path).content.decode()
        done = client.post(path).content.decode()
    for text in (page, done):
        assert "Tue 10 Feb 2026 at 09:00 MST" in text
        assert "Front Range Wellness" in text and DENVER_PHONE in text
        assert MAIN_PHONE not in text and "Robin" not in text and DENVER_ADDRESS not in text


def test_a_link_that_no_longer_confirms_names_the_visits_location_to_call(client, main, denver):
    with time_machine.travel(pacific(2026, 2, 2, 10), tick=False):
        appointment = visit(mountain(2026, 2, 10, 9, 0), location=denver)
        path = reverse("infusions:reminder_confirm", args=[tokens.confirm_token(appointment)])
        Appointment.objects.filter(pk=appointment.pk).update(status="cancelled")
        changed = client.get(path)
        tampered = client.get(path[:-3] + "xx/")
    assert changed.status_code == 410
    assert DENVER_PHONE in changed.content.decode() and MAIN_PHONE not in changed.content.decode()
    assert tampered.status_code == 404
    assert DENVER_PHONE in tampered.content.decode() and MAIN_PHONE in tampered.content.decode()


# --- Queries do not grow with the number of locations -------------------------------------------


def _visits_at(locations, count=10) -> list[int]:
    with time_machine.travel(pacific(2026, 2, 2, 10), tick=False):
        return [
            visit(pacific(2026, 2, 10 + n, 9, 0), location=locations[n % len(locations)], sync=False).pk
            for n in range(count)
        ]


def _sync_queries(ids) -> int:
    fresh = list(Appointment.objects.filter(pk__in=ids))  # as a caller might pass them: chairs not loaded
    with time_machine.travel(pacific(2026, 2, 2, 10), tick=False), CaptureQueriesContext(connection) as captured:
        reminders.sync_for(fresh)
    assert Reminder.objects.filter(appointment_id__in=ids).count() == 4 * len(ids)
    return len(captured)


def _send_queries(ids) -> tuple[int, int]:
    """(queries, rows sent) for dispatching the rows of these visits due on 9 February at 09:30."""
    with time_machine.travel(pacific(2026, 2, 9, 9, 30), tick=False):
        token, claimed = dispatch.claim_due()
        with CaptureQueriesContext(connection) as captured:
            outcome = dispatch.send_claimed(claimed, token)
    assert claimed and outcome.sent == len(claimed)
    # The batch's lease renewal (1), its rows with their visits, patients, chairs and locations (1), the
    # organisation (1), then per row only its outcome (1): nothing loaded row by row.
    assert len(captured) == 3 + outcome.sent
    return len(captured), outcome.sent


def test_sync_and_send_cost_the_same_queries_for_one_location_as_for_ten():
    one = [LocationFactory(name="Only")]
    ten = [LocationFactory(name=f"Town {n}", phone=f"+1 555 010 {n:04}") for n in range(10)]
    alone = _visits_at(one)
    spread = _visits_at(ten)
    assert _sync_queries(alone) == _sync_queries(spread) <= 5
    Reminder.objects.filter(appointment_id__in=spread).delete()
    at_one = _send_queries(alone)
    Reminder.objects.filter(appointment_id__in=alone).delete()
    mail.outbox.clear()
    _sync_queries(spread)
    assert _send_queries(spread) == at_one
    # The rows due were those of the first visits, at Town 0, 1 and 2: each named its own phone.
    for n in range(3):
        assert any(f"+1 555 010 {n:04}" in m.body for m in mail.outbox)
