"""At discharge the patient is sent the written after-care instructions by e-mail and SMS as they consented: a
patient notice written in the discharge's transaction, queued on commit and sent once by the one send loop;
first name, the visit's day, the place and its phone, the fixed instructions and 988/911; nothing clinical."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail

from clinic.celery import app
from clinic.tests.factories import front_desk, main_location
from infusions.booking.services import series_book
from infusions.models import PatientNotice
from infusions.reminders import notices, sms
from infusions.tests.helpers import bookable_patient, clinic, complete, series_visits
from intake.models import Patient

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)  # the first visit at 09:00 Los Angeles time; discharged at 10:20 (helpers.complete)
PHONE = "(206) 555-0100"
# Words that would say why the patient came or what was done: none may be in the message.
CLINICAL = (
    "ketamine",
    "infusion",
    "dose",
    " mg",
    "mg/kg",
    "blood pressure",
    "systolic",
    "diastolic",
    "spo2",
    "heart rate",
    "reading",
    "phq",
    "gad",
    "depress",
    "anxiety",
    "suicid",
    "esketamine",
    "dissociat",
    "sedat",
    "185",
    "112",
)


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.SMS_BACKEND = "infusions.reminders.sms.LocmemBackend"
    sms.outbox.clear()
    location = main_location()
    location.phone, location.address = PHONE, "1 Pine Street, Seattle"
    location.save()
    yield
    sms.outbox.clear()


@pytest.fixture
def queued():
    with mock.patch.object(app, "send_task") as send_task:
        yield send_task


def discharged(django_capture_on_commit_callbacks, **patient):
    """The first visit of a series booked on 1 Dec, completed through the services on 7 Dec (discharge at
    10:20 local), its commit callbacks run."""
    with time_machine.travel(datetime(2026, 12, 1, 18, 0, tzinfo=UTC), tick=False):
        chair, _ = clinic()
        patient.setdefault("first_name", "Robin")
        patient.setdefault("last_name", "Quimby")
        series = series_book(patient=bookable_patient(**patient), visits=series_visits(MONDAY, chair), by=front_desk())
    visit = series.appointments.get(sequence=1)
    with django_capture_on_commit_callbacks(execute=True):
        complete(visit)
    return visit


def send():
    """The loop, as the task and beat run it, at the afternoon of the visit's day (outside quiet hours)."""
    with time_machine.travel(datetime(2026, 12, 7, 19, 0, tzinfo=UTC), tick=False):  # 11:00 in Seattle
        return notices.send()


def test_discharge_writes_one_notice_per_consented_channel_queued_on_commit_and_the_loop_sends_it_once(
    queued, django_capture_on_commit_callbacks
):
    visit = discharged(django_capture_on_commit_callbacks)
    rows = list(PatientNotice.objects.filter(appointment=visit))
    assert {(r.kind, r.channel, r.status) for r in rows} == {
        ("aftercare", "email", "pending"),
        ("aftercare", "sms", "pending"),
    }
    queued.assert_any_call("infusions.tasks.send_patient_notices", args=[sorted(r.pk for r in rows)])

    first, second = send(), send()  # the task, then beat's run (or the task delivered twice)
    assert (first["sent"], second["sent"]) == (2, 0)
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    assert mail.outbox[0].to == [visit.patient.email]
    assert sms.outbox[0]["to"] == visit.patient.phone
    assert set(PatientNotice.objects.values_list("status", flat=True)) == {"sent"}


def test_nothing_is_written_or_sent_to_a_patient_who_consented_to_neither(queued, django_capture_on_commit_callbacks):
    visit = discharged(django_capture_on_commit_callbacks, consent_email=False, consent_sms=False)
    visit.record.refresh_from_db()
    assert visit.record.is_signed
    assert not PatientNotice.objects.exists()
    assert send()["sent"] == 0
    assert mail.outbox == [] and sms.outbox == []


def test_only_the_consented_channel_is_used(queued, django_capture_on_commit_callbacks):
    discharged(django_capture_on_commit_callbacks, consent_email=True, consent_sms=False)
    assert list(PatientNotice.objects.values_list("channel", flat=True)) == ["email"]
    assert send()["sent"] == 1
    assert len(mail.outbox) == 1 and sms.outbox == []


def test_consent_withdrawn_before_the_send_skips_it(queued, django_capture_on_commit_callbacks):
    visit = discharged(django_capture_on_commit_callbacks)
    Patient.objects.filter(pk=visit.patient_id).update(consent_email=False, consent_sms=False)
    outcome = send()
    assert (outcome["sent"], outcome["skipped"]) == (0, 2)
    assert mail.outbox == [] and sms.outbox == []
    assert set(PatientNotice.objects.values_list("status", flat=True)) == {"skipped"}


def test_the_message_gives_the_instructions_and_who_to_call_and_nothing_clinical(
    queued, django_capture_on_commit_callbacks
):
    visit = discharged(django_capture_on_commit_callbacks)
    send()
    (email,) = mail.outbox
    (text,) = sms.outbox
    for body in (email.body, text["body"]):
        assert "Robin" in body
        assert "no driving" in body.lower() and "next day" in body and "sleep" in body
        assert PHONE in body
        assert "988" in body and "911" in body
        assert "Quimby" not in body  # the first name only
        assert str(visit.patient.date_of_birth.year) not in body
        lowered = body.lower()
        assert [word for word in CLINICAL if word in lowered] == []
    assert "Mon 7 Dec 2026" in email.body and "Main location" not in email.subject.lower()
    assert [word for word in CLINICAL if word in email.subject.lower()] == []


def test_a_held_back_text_in_quiet_hours_goes_out_after_them_once(queued, django_capture_on_commit_callbacks):
    discharged(django_capture_on_commit_callbacks)
    with time_machine.travel(datetime(2026, 12, 8, 6, 0, tzinfo=UTC), tick=False):  # 22:00 in Seattle
        night = notices.send()
    assert (night["sent"], night["held"]) == (1, 1)  # the e-mail goes; the SMS waits
    assert len(mail.outbox) == 1 and sms.outbox == []
    later = send_at(datetime(2026, 12, 8, 17, 0, tzinfo=UTC))  # 09:00 the next morning
    assert later["sent"] == 1 and len(sms.outbox) == 1
    assert send_at(datetime(2026, 12, 8, 18, 0, tzinfo=UTC))["sent"] == 0


def send_at(moment):
    with time_machine.travel(moment, tick=False):
        return notices.send()


def test_the_message_is_not_sent_for_a_visit_that_is_no_longer_completed(queued, django_capture_on_commit_callbacks):
    """The loop's re-check: an after-care message belongs to a discharged visit."""
    visit = discharged(django_capture_on_commit_callbacks)
    type(visit).objects.filter(pk=visit.pk).update(status="arrived")
    assert send()["skipped"] == 2
    assert mail.outbox == [] and sms.outbox == []


def test_the_discharge_s_time_is_the_visit_s_day_in_the_message(queued, django_capture_on_commit_callbacks):
    visit = discharged(django_capture_on_commit_callbacks)
    notice = PatientNotice.objects.filter(appointment=visit).first()
    assert notice.visit_start == visit.start == notice.previous_start
    assert visit.record.discharged_at - visit.start == timedelta(minutes=80)
