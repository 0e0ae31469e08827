"""The patient is told when a visit is moved or cancelled: an outbox row in the change's transaction, sent once."""

from datetime import UTC, date, datetime
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from clinic.celery import app
from clinic.tests.factories import front_desk, main_location
from infusions.booking.services import (
    appointment_cancel,
    appointment_move,
    appointment_undo_cancel,
    series_book,
    series_cancel_rest,
)
from infusions.models import PatientNotice
from infusions.reminders import notices, sms
from infusions.tests.helpers import at, bookable_patient, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)  # visits at 09:00 local on the 7th, 10th, 13th, 16th, 19th and 22nd


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.SMS_BACKEND = "infusions.reminders.sms.LocmemBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def queued():
    """The broker: each call is the send task queued by its name, with its rows' ids."""
    with mock.patch.object(app, "send_task") as send_task:
        yield send_task


def book(**patient):
    with time_machine.travel(datetime(2026, 12, 1, 18, 0, tzinfo=UTC), tick=False):  # 10:00 local
        chair, other = clinic()
        patient.setdefault("first_name", "Robin")
        patient.setdefault("last_name", "Quimby")
        series = series_book(patient=bookable_patient(**patient), visits=series_visits(MONDAY, chair), by=front_desk())
        return list(series.appointments.order_by("sequence")), chair


@pytest.fixture
def daytime():
    with time_machine.travel(datetime(2026, 12, 1, 18, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def move(visit, chair, day=date(2026, 12, 14), hour=13):
    return appointment_move(appointment=visit, start=at(day, hour), chair_id=chair.pk, by=front_desk())


def test_the_notice_for_a_move_is_queued_on_commit_and_sent_once_when_dispatch_runs_twice(
    daytime, queued, django_capture_on_commit_callbacks
):
    visits, chair = book()
    with django_capture_on_commit_callbacks(execute=True):
        move(visits[2], chair)
    rows = list(PatientNotice.objects.all())
    assert {(r.kind, r.channel, r.status) for r in rows} == {("moved", "email", "pending"), ("moved", "sms", "pending")}
    queued.assert_called_once_with("infusions.tasks.send_patient_notices", args=[sorted(r.pk for r in rows)])
    first = notices.send(sorted(r.pk for r in rows))
    second = notices.send()  # beat's run, or the task delivered twice
    assert (first["sent"], second["sent"]) == (2, 0)
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    assert set(PatientNotice.objects.values_list("status", flat=True)) == {"sent"}


def test_a_claimed_notice_is_not_sent_by_a_second_worker(daytime, queued):
    visits, chair = book()
    move(visits[2], chair)
    PatientNotice.objects.update(status="sending", claimed_at=datetime(2026, 12, 1, 18, 0, tzinfo=UTC))
    assert notices.send()["sent"] == 0
    assert not mail.outbox and not sms.outbox


def test_a_move_that_rolls_back_writes_no_notice(daytime, queued, django_capture_on_commit_callbacks):
    visits, chair = book()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # noqa: SIM117 - rollback inside the capture
        with pytest.raises(RuntimeError), transaction.atomic():
            move(visits[2], chair)
            raise RuntimeError("rolled back")
    assert not callbacks
    assert not PatientNotice.objects.exists()
    queued.assert_not_called()
    assert notices.send()["sent"] == 0 and not mail.outbox and not sms.outbox


def test_a_chair_change_at_the_same_time_tells_nobody(daytime, queued):
    visits, chair = book()
    other = clinic()[1]
    appointment_move(appointment=visits[2], start=visits[2].start, chair_id=other.pk, by=front_desk())
    assert not PatientNotice.objects.exists()


def test_consent_is_respected_per_channel(daytime, queued):
    visits, chair = book(consent_sms=False)
    move(visits[2], chair)
    assert list(PatientNotice.objects.values_list("channel", flat=True)) == ["email"]
    visits[0].patient.__class__.objects.filter(pk=visits[0].patient_id).update(consent_email=False)
    outcome = notices.send()
    assert (outcome["sent"], outcome["skipped"]) == (0, 1)
    assert not mail.outbox
    assert PatientNotice.objects.get().last_error == "NoConsent"


def test_nobody_is_told_without_any_consent(daytime, queued):
    visits, _ = book(consent_sms=False, consent_email=False)
    appointment_cancel(appointment=visits[1], by=front_desk(), reason="illness")
    assert not PatientNotice.objects.exists()


def test_the_move_message_carries_only_the_first_name_the_times_and_the_place(daytime, queued):
    visits, chair = book()
    location = main_location()
    move(visits[2], chair)
    notices.send()
    body, text = mail.outbox[0].body, sms.outbox[0]["body"]
    for message in (body, text):
        assert "Robin" in message and "Quimby" not in message
        assert "Sun 13 Dec 2026 at 09:00 PST" in message
        assert "Mon 14 Dec 2026 at 13:00 PST" in message
        assert location.address in message
        for clinical in ("ketamine", "infusion", "depression", "dose", "mg"):
            assert clinical not in message.lower()
    assert "Quimby" not in mail.outbox[0].subject


def test_the_cancel_message_names_the_time_and_the_phone_to_book_again(daytime, queued):
    visits, _ = book()
    appointment_cancel(appointment=visits[1], by=front_desk(), reason="patient_request")
    assert notices.send()["sent"] == 2
    text = sms.outbox[0]["body"]
    assert "Robin" in text and "Thu 10 Dec 2026 at 09:00 PST" in text and "was cancelled" in text
    assert main_location().phone in text and "Quimby" not in text


def test_a_move_superseded_before_the_send_is_skipped(daytime, queued):
    visits, chair = book()
    move(visits[2], chair)
    move(visits[2], chair, hour=14)
    outcome = notices.send()
    assert (outcome["sent"], outcome["skipped"]) == (2, 2)
    assert "14:00 PST" in mail.outbox[0].body


def test_the_rest_of_a_series_cancelled_is_one_message_per_channel_listing_every_visit(
    daytime, queued, django_capture_on_commit_callbacks
):
    visits, _ = book()
    with django_capture_on_commit_callbacks(execute=True):
        series_cancel_rest(series=visits[0].series, by=front_desk(), reason="clinic")
    rows = list(PatientNotice.objects.all())
    assert {(r.kind, r.channel, r.appointment_id) for r in rows} == {
        ("series_cancelled", "email", visits[0].pk),
        ("series_cancelled", "sms", visits[0].pk),
    }
    queued.assert_called_once()
    assert (notices.send()["sent"], notices.send()["sent"]) == (2, 0)
    tz = main_location().tz
    for message in (mail.outbox[0].body, sms.outbox[0]["body"]):
        assert "Robin" in message and "Quimby" not in message and "6 visits" in message
        for v in visits:
            assert notices._when(v.start, tz) in message
        assert main_location().phone in message


def test_a_series_cancel_that_rolls_back_tells_nobody(daytime, queued, django_capture_on_commit_callbacks):
    visits, _ = book()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # noqa: SIM117 - rollback inside the capture
        with pytest.raises(RuntimeError), transaction.atomic():
            series_cancel_rest(series=visits[0].series, by=front_desk(), reason="clinic")
            raise RuntimeError("rolled back")
    assert not callbacks and not PatientNotice.objects.exists()


def test_a_cancel_undone_before_its_notice_went_out_sends_nothing(daytime, queued):
    visits, _ = book()
    appointment_cancel(appointment=visits[1], by=front_desk(), reason="patient_request")
    appointment_undo_cancel(appointment=visits[1], by=front_desk())
    outcome = notices.send()
    assert (outcome["sent"], outcome["skipped"]) == (0, 2)
    assert not mail.outbox and not sms.outbox
    assert not PatientNotice.objects.filter(kind="reinstated").exists()


@pytest.mark.parametrize("status", ["sent", "sending"])
def test_a_cancel_undone_after_its_notice_may_have_gone_out_tells_the_patient_it_stands(daytime, queued, status):
    visits, _ = book()
    appointment_cancel(appointment=visits[1], by=front_desk(), reason="patient_request")
    if status == "sent":
        assert notices.send()["sent"] == 2
    else:  # a worker claimed it and may be sending it now
        PatientNotice.objects.update(status="sending", claimed_at=datetime(2026, 12, 1, 18, 0, tzinfo=UTC))
    mail.outbox.clear()
    sms.outbox.clear()
    appointment_undo_cancel(appointment=visits[1], by=front_desk())
    reinstated = PatientNotice.objects.filter(kind="reinstated")
    assert sorted(reinstated.values_list("channel", flat=True)) == ["email", "sms"]
    assert (notices.send()["sent"], notices.send()["sent"]) == (2, 0)
    text = sms.outbox[0]["body"]
    assert "Robin" in text and "stands" in text and notices._when(visits[1].start, main_location().tz) in text
    assert "Quimby" not in text


def test_a_reinstated_notice_is_skipped_when_the_visit_is_cancelled_again_before_the_send(daytime, queued):
    visits, _ = book()
    appointment_cancel(appointment=visits[1], by=front_desk(), reason="patient_request")
    notices.send()
    appointment_undo_cancel(appointment=visits[1], by=front_desk())
    appointment_cancel(appointment=visits[1], by=front_desk(), reason="illness")
    mail.outbox.clear()
    outcome = notices.send()
    # The reinstated pair is skipped; the second cancel's pair goes out.
    assert (outcome["sent"], outcome["skipped"]) == (2, 2)
    assert "was cancelled" in mail.outbox[0].body


def test_a_sent_notice_carries_its_row_id_and_nothing_else_to_match_a_bounce(daytime, queued):
    visits, chair = book()
    move(visits[2], chair)
    notices.send()
    email_row = PatientNotice.objects.get(channel="email")
    sms_row = PatientNotice.objects.get(channel="sms")
    assert mail.outbox[0].extra_headers["X-Clinic-Notice"] == str(email_row.pk)
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"
    assert sms.outbox[0]["reference"] == f"notice-{sms_row.pk}"
