"""Sending claimed reminders in batches.

The cost of a batch is flat in its size (a claim of three queries, a batch of three plus one per row
sent); a claim never takes more rows than asked; the rows that will not be sent are recorded in one
UPDATE per outcome; each send is recorded before the next one goes (a killed worker leaves at most one
message unrecorded); a visit cancelled or moved while its batch is being sent is not reminded; and a
batch that outlives its lease keeps its rows, renewed at each re-check.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from clinic.context import clinic_context
from clinic.tests.factories import LocationFactory
from infusions.models import Appointment, Reminder
from infusions.reminders import dispatch, ics, sending, sms
from infusions.tests.reminder_helpers import due_reminders, local, visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.SMS_BACKEND = "infusions.reminders.sms.LocmemBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _sent_ids() -> list[int]:
    return [int(m.extra_headers["X-Clinic-Reminder"]) for m in mail.outbox] + [int(m["reference"]) for m in sms.outbox]


def _deliver_then(monkeypatch, after):
    """Run `after(reminder)` right after each message is handed to its backend."""
    deliver = sending._deliver

    def delivering(kind, reminder, ctx, **backends):
        deliver(kind, reminder, ctx, **backends)
        after(reminder)

    monkeypatch.setattr(sending, "_deliver", delivering)


def test_a_batch_costs_the_same_queries_whatever_its_size_plus_one_per_send():
    due_reminders(25)  # 50 rows
    cost = {}
    for size in (4, 40):
        with CaptureQueriesContext(connection) as claim:
            token, ids = dispatch.claim_due(limit=size)
        with CaptureQueriesContext(connection) as send:
            outcome = dispatch.send_claimed(ids, token)
        assert len(ids) == outcome.sent == size
        cost[size] = (len(claim), len(send) - outcome.sent)
    # The claim: take back stuck rows (2), claim (1). The batch: renew its lease (1), load the rows with
    # their visits, patients, chairs and locations (1), the organisation (1); then one UPDATE per send.
    assert cost[4] == cost[40] == (3, 3)


@pytest.mark.parametrize("returning", [True, False], ids=["one UPDATE RETURNING", "select then update"])
def test_a_claim_takes_no_more_rows_than_its_limit_the_oldest_first(monkeypatch, returning):
    if not returning:  # the path of a database without UPDATE ... RETURNING (SQLite before 3.35)
        monkeypatch.setattr(sending, "_claim_returning", lambda: False)
    ids = due_reminders(20)
    Reminder.objects.filter(pk__in=ids[:5]).update(due_at=F("due_at") - timedelta(hours=1))
    token, claimed = dispatch.claim_due(limit=7)
    assert claimed == sorted(ids[:5] + ids[5:7])
    assert sorted(Reminder.objects.filter(status="sending").values_list("pk", flat=True)) == claimed
    assert set(Reminder.objects.filter(claim_token=token).values_list("attempts", flat=True)) == {1}
    second_token, second = dispatch.claim_due(limit=100)
    assert len(second) == 33 and not set(second) & set(claimed)


def test_rows_not_to_send_are_recorded_in_one_update_per_outcome_before_any_send():
    due_reminders(6)  # 12 rows
    first, second, *_ = Appointment.objects.order_by("start")
    Appointment.objects.filter(pk=first.pk).update(status="cancelled")
    Appointment.objects.filter(pk=second.pk).update(
        start=F("start") + timedelta(days=30), end=F("end") + timedelta(days=30)
    )
    token, ids = dispatch.claim_due()
    with CaptureQueriesContext(connection) as send:
        outcome = dispatch.send_claimed(ids, token)
    assert (outcome.sent, outcome.skipped, outcome.lost) == (8, 4, 0)
    assert len(send) == 3 + 1 + 8  # the batch, one UPDATE for the four skipped, one per send
    skipped = Reminder.objects.filter(appointment__in=[first, second])
    assert set(skipped.values_list("status", "last_error")) == {("skipped", "VisitChanged")}
    assert not set(_sent_ids()) & set(skipped.values_list("pk", flat=True))
    # Recorded once: a second pass under the same token finds nothing of its own.
    assert dispatch.send_claimed(ids, token) == dispatch.Outcome(lost=12)


def test_each_send_is_recorded_before_the_next_one_goes(monkeypatch):
    due_reminders(5)
    handed_over = []

    def check_and_note(reminder):
        handed_over.append(reminder.pk)

    deliver = sending._deliver

    def delivering(kind, reminder, ctx, **backends):
        # Every message handed over before this one is recorded as sent already.
        assert not Reminder.objects.filter(pk__in=handed_over).exclude(status="sent").exists()
        deliver(kind, reminder, ctx, **backends)
        check_and_note(reminder)

    monkeypatch.setattr(sending, "_deliver", delivering)
    token, ids = dispatch.claim_due()
    assert dispatch.send_claimed(ids, token).sent == 10
    assert sorted(handed_over) == sorted(ids)


def test_a_visit_cancelled_or_moved_while_its_batch_is_being_sent_is_not_reminded(monkeypatch):
    due_reminders(4)  # rows in id order: visit 1 e-mail, visit 1 SMS, visit 2 e-mail, ...
    visits = list(Appointment.objects.order_by("start"))
    monkeypatch.setattr(sending, "recheck_every", lambda: -1.0)  # re-check before every row

    def front_desk_meanwhile(reminder):
        if reminder.appointment_id == visits[0].pk and reminder.channel == "email":
            Appointment.objects.filter(pk=visits[2].pk).update(status="cancelled")
            Appointment.objects.filter(pk=visits[3].pk).update(
                start=F("start") + timedelta(days=1), end=F("end") + timedelta(days=1)
            )

    _deliver_then(monkeypatch, front_desk_meanwhile)
    token, ids = dispatch.claim_due()
    outcome = dispatch.send_claimed(ids, token)
    assert (outcome.sent, outcome.skipped) == (4, 4)
    changed = Reminder.objects.filter(appointment__in=visits[2:])
    assert set(changed.values_list("status", "last_error")) == {("skipped", "VisitChanged")}
    assert not set(_sent_ids()) & set(changed.values_list("pk", flat=True))


def test_a_batch_sending_for_longer_than_the_lease_keeps_its_rows(monkeypatch):
    due_reminders(3)  # 6 rows
    monkeypatch.setattr(sending, "recheck_every", lambda: -1.0)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        token, ids = dispatch.claim_due()

        def slow_provider(reminder):
            # Each send takes 0.4 of the lease: the batch outlives its claim's lease after three.
            traveller.shift(dispatch.lease() * 0.4)
            # Another worker's claim takes back expired rows: none of this batch's is expired.
            assert dispatch.claim_due()[1] == []

        _deliver_then(monkeypatch, slow_provider)
        outcome = dispatch.send_claimed(ids, token)
    assert (outcome.sent, outcome.lost) == (6, 0)
    assert sorted(_sent_ids()) == sorted(ids)
    assert set(Reminder.objects.values_list("status", "attempts")) == {("sent", 1)}


def _calendar_as_icalendar_builds_it(appointments, organisation) -> bytes:
    """ics.calendar before its VTIMEZONEs were cached: icalendar's own add_missing_timezones()."""
    cal = Calendar.from_ical(ics.calendar(appointments, organisation))
    cal.subcomponents = [c for c in cal.subcomponents if c.name != "VTIMEZONE"]
    cal.add_missing_timezones()
    return cal.to_ical()


def test_the_ics_with_its_cached_time_zone_is_what_icalendar_makes():
    organisation = clinic_context().clinic
    denver = LocationFactory(name="Denver", time_zone="America/Denver")
    with time_machine.travel(local(2026, 2, 2, 10), tick=False):
        here = visit(local(2026, 2, 10, 9))
        there = visit(local(2026, 3, 10, 9), location=denver)
    for appointments in ([here], [here, there]):
        loaded = list(Appointment.objects.filter(pk__in=[a.pk for a in appointments]).select_related("chair__location"))
        made = ics.calendar(loaded, organisation)
        assert made.count(b"BEGIN:VTIMEZONE") == len(appointments)
        if len(appointments) == 1:
            assert made == _calendar_as_icalendar_builds_it(loaded, organisation)
        parsed = Calendar.from_ical(made)
        assert {tz.tz_name for tz in parsed.timezones} == {a.chair.location.time_zone for a in loaded}
        assert parsed.get_missing_tzids() == set()
