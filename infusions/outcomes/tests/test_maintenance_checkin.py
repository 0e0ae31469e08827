"""The maintenance check-in: a patient in maintenance not asked for `maintenance_checkin_days` (14)
gets a signed, single-use link to the questions by the channels they consented to, once per interval whatever
two runs do; the link records scores without a visit and marks the invitation used in one transaction; a used,
tampered or expired link stores nothing; a positive item 9 shows 988 and raises the clinicians' alert."""

import base64
import json
import re
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from clinic.celery import app
from clinic.tests.factories import ChairFactory, PatientFactory, UserFactory, clinic_settings, main_location
from infusions import tasks
from infusions.booking import services
from infusions.booking.services import series_complete
from infusions.models import Appointment, InfusionSeries, MaintenanceOrder, OutcomeInvitation, OutcomeScore
from infusions.outcomes import checkins
from infusions.reminders import sms, tokens
from infusions.tests.helpers import at, clinic, course_through_services, depression, phq9_items
from intake.models import OutcomeReview, Patient, SafetyAlert
from intake.questionnaires import PHQ9
from intake.selectors import urgent_count

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 2, 1, 18, 0, tzinfo=UTC)  # 10:00 in Los Angeles (the main location): no quiet hours
PHQ9_ANSWERS = [1, 2, 1, 2, 1, 1, 1, 0, 0]
CRISIS = "988 Suicide &amp; Crisis Lifeline: call or text 988.</strong> In an emergency call 911."
RECEIVED = "Thank you, your answers were received."
REFUSED = "This link can no longer be used"


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "infusions.reminders.sms.LocmemBackend"
    sms.outbox.clear()
    return sms.outbox


def maintenance_patient(*, scored_days_ago=14, order=True, maintenance_series=False, **fields) -> Patient:
    """Robin Example: a completed initial series whose last visit was scored `scored_days_ago` days before NOW,
    and an open maintenance order (or an active maintenance series)."""
    user = UserFactory()
    fields = {"first_name": "Robin", "last_name": "Example", **fields}
    patient = PatientFactory(created_by=user, **fields)
    chair = ChairFactory(location=main_location())
    initial = InfusionSeries.objects.create(
        patient=patient,
        protocol=depression(),
        created_by=user,
        location=chair.location,
        status=InfusionSeries.Status.COMPLETED,
    )
    scored = NOW - timedelta(days=scored_days_ago)
    visit = Appointment.objects.create(
        series=initial,
        patient=patient,
        chair=chair,
        sequence=6,
        start=scored,
        end=scored + timedelta(minutes=90),
        status=Appointment.Status.COMPLETED,
    )
    OutcomeScore.objects.create(
        patient=patient,
        appointment=visit,
        measure="phq9",
        items=PHQ9_ANSWERS,
        total=9,
        source=OutcomeScore.Source.CHECK_IN,
        taken_at=scored,
    )
    if order:
        MaintenanceOrder.objects.create(patient=patient, ordered_by=user)
    if maintenance_series:
        InfusionSeries.objects.create(
            patient=patient,
            protocol=depression(),
            created_by=user,
            location=chair.location,
            kind=InfusionSeries.Kind.MAINTENANCE,
        )
    return patient


def run() -> dict:
    return tasks.invite_maintenance_checkins()


def link(invitation) -> str:
    return reverse("infusions:patient_checkin", args=[tokens.checkin_token(invitation)])


def answers(phq9=PHQ9_ANSWERS) -> dict:
    return {f"phq9_{n}": str(value) for n, value in enumerate(phq9, start=1)}


def stored(patient) -> int:
    return OutcomeScore.objects.filter(patient=patient, source=OutcomeScore.Source.PATIENT_LINK).count()


@pytest.fixture
def invited(traveller):
    """Robin, invited by the run at NOW."""
    patient = maintenance_patient()
    run()
    return OutcomeInvitation.objects.get(patient=patient)


# --- The setting and the schedule --------------------------------------------------------------------------


def test_the_setting_defaults_to_14_days_and_beat_runs_the_task_every_hour():
    from clinic.models import Clinic

    assert Clinic().maintenance_checkin_days == 14
    entry = app.conf.beat_schedule["invite-maintenance-checkins"]
    assert entry["task"] == tasks.invite_maintenance_checkins.name == "infusions.tasks.invite_maintenance_checkins"


# --- Who is invited, when, and once -------------------------------------------------------------------------


def test_a_maintenance_patient_is_invited_after_14_days_without_a_score_and_not_before(traveller, sms_outbox):
    patient = maintenance_patient(scored_days_ago=13)
    assert run()["invited"] == 0
    assert not OutcomeInvitation.objects.exists() and not mail.outbox and not sms_outbox

    traveller.shift(timedelta(days=1))
    assert run()["invited"] == 1
    invitation = OutcomeInvitation.objects.get(patient=patient)
    assert invitation.created_at == NOW + timedelta(days=1)
    assert invitation.expires_at == invitation.created_at + timedelta(days=14)
    assert invitation.sent_at == invitation.created_at and invitation.used_at is None
    assert [m.to for m in mail.outbox] == [[patient.email]]
    assert [m["to"] for m in sms_outbox] == [patient.phone]


def test_a_patient_with_an_active_maintenance_series_is_invited_too(traveller):
    maintenance_patient(order=False, maintenance_series=True)
    assert run()["invited"] == 1


def test_a_patient_not_in_maintenance_is_not_invited(traveller):
    maintenance_patient(order=False)  # the series is completed, but no maintenance is ordered nor booked
    patient = maintenance_patient(order=True)
    InfusionSeries.objects.filter(patient=patient).update(status=InfusionSeries.Status.ACTIVE)  # still in series
    assert run()["invited"] == 0
    assert not OutcomeInvitation.objects.exists() and not mail.outbox


def test_two_runs_invite_once_and_send_once(traveller, sms_outbox):
    patient = maintenance_patient()
    run()
    run()
    traveller.shift(timedelta(days=13, hours=23))
    run()
    assert OutcomeInvitation.objects.filter(patient=patient).count() == 1
    assert len(mail.outbox) == 1 and len(sms_outbox) == 1


def test_two_runs_at_once_make_one_invitation(traveller):
    patient = maintenance_patient()
    due = Patient.objects.filter(pk=patient.pk)  # both runs read the patient as due before either wrote
    with mock.patch.object(checkins, "due_patients", return_value=due):
        assert checkins.invite(NOW, 14) == 1
        assert checkins.invite(NOW, 14) == 0
    assert OutcomeInvitation.objects.filter(patient=patient).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeInvitation.objects.create(patient=patient, created_at=NOW, expires_at=NOW + timedelta(days=1))


def test_an_unanswered_invitation_lapses_at_its_expiry_and_the_next_one_follows(invited, traveller, sms_outbox):
    traveller.shift(timedelta(days=14))
    outcome = run()
    assert (outcome["lapsed"], outcome["invited"]) == (1, 1)
    invited.refresh_from_db()
    assert invited.lapsed_at == NOW + timedelta(days=14)
    assert OutcomeInvitation.objects.filter(patient=invited.patient, lapsed_at__isnull=True).count() == 1
    assert len(mail.outbox) == 2


def test_an_answered_check_in_counts_as_the_last_score(client, invited, traveller):
    traveller.shift(timedelta(days=3))
    assert client.post(link(invited), answers()).status_code == 200
    traveller.shift(timedelta(days=13, hours=23))  # 14 days after the invitation, 13 after the answer
    assert run()["invited"] == 0
    traveller.shift(timedelta(hours=1))
    assert run()["invited"] == 1


def test_setting_0_invites_nobody(traveller):
    clinic_settings(maintenance_checkin_days=0)
    maintenance_patient(scored_days_ago=60)
    run()
    assert not OutcomeInvitation.objects.exists() and not mail.outbox


def test_the_interval_is_the_organisations_setting(traveller):
    clinic_settings(maintenance_checkin_days=28)
    maintenance_patient(scored_days_ago=27)
    run()
    assert not OutcomeInvitation.objects.exists()
    traveller.shift(timedelta(days=1))
    run()
    assert OutcomeInvitation.objects.get().expires_at == NOW + timedelta(days=1 + 28)


def test_a_patient_without_consent_gets_nothing(traveller, sms_outbox):
    maintenance_patient(consent_email=False, consent_sms=False)
    run()
    assert not OutcomeInvitation.objects.exists() and not mail.outbox and not sms_outbox


def test_each_patient_gets_the_channels_they_consented_to(traveller, sms_outbox):
    by_mail = maintenance_patient(consent_sms=False, first_name="Mel")
    by_sms = maintenance_patient(consent_email=False, first_name="Sam")
    run()
    assert [m.to for m in mail.outbox] == [[by_mail.email]]
    assert [m["to"] for m in sms_outbox] == [by_sms.phone]


# --- The message: the first name and the link --------------------------------------------------------------


def test_the_message_carries_only_the_first_name_and_the_link(invited, sms_outbox):
    url = tokens.checkin_url(invited)
    (message,) = mail.outbox
    (text,) = sms_outbox
    assert "Robin" in message.body and url in message.body and url in text["body"] and "Robin" in text["body"]
    assert url not in message.subject
    clinic_name = main_location().signed_name(clinic_settings())
    for words in (message.subject, message.body, text["body"]):
        without_the_link = words.replace(url, "")
        for secret in ("Example", "1980", "PHQ", "depress", "mood", "score", "ketamine", "infusion", "maintenance"):
            assert secret.lower() not in without_the_link.lower(), secret
        assert not re.search(r"\d", without_the_link.replace(clinic_name, "")), words  # no date, no time, no score
    assert message.extra_headers["X-Clinic-Checkin"] == str(invited.pk)


def test_the_token_names_the_invitation_and_its_nonce_and_nothing_else(invited):
    token = tokens.checkin_token(invited)
    assert tokens.read_checkin_token(token) == (invited.pk, invited.nonce)
    payload = json.loads(base64.urlsafe_b64decode(token.split(":")[0] + "=="))
    assert set(payload) == {"i", "n"}
    assert "Robin" not in token and "Example" not in token


def test_no_sms_in_quiet_hours_the_invitation_waits_for_the_next_run_after_them(traveller, sms_outbox):
    traveller.move_to(datetime(2027, 2, 2, 6, 0, tzinfo=UTC))  # 22:00 in Los Angeles
    by_sms = maintenance_patient(consent_email=False, first_name="Sam")
    by_mail = maintenance_patient(consent_sms=False, first_name="Mel")
    outcome = run()
    assert (outcome["invited"], outcome["sent"], outcome["held"]) == (2, 1, 1)
    assert [m.to for m in mail.outbox] == [[by_mail.email]] and not sms_outbox
    assert OutcomeInvitation.objects.get(patient=by_sms).sent_at is None

    traveller.move_to(datetime(2027, 2, 2, 15, 59, tzinfo=UTC))  # 07:59
    run()
    assert not sms_outbox
    traveller.move_to(datetime(2027, 2, 2, 16, 7, tzinfo=UTC))  # 08:07: the next hourly run
    assert run()["sent"] == 1
    assert [m["to"] for m in sms_outbox] == [by_sms.phone]
    assert OutcomeInvitation.objects.filter(patient=by_sms).count() == 1


def test_a_failed_send_is_tried_again_by_the_next_run(traveller):
    patient = maintenance_patient(consent_sms=False)
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")):
        assert run()["failed"] == 1
    assert OutcomeInvitation.objects.get(patient=patient).sent_at is None and not mail.outbox
    traveller.shift(timedelta(hours=1))
    assert run()["sent"] == 1
    assert len(mail.outbox) == 1


# --- The page: records once, without a visit -----------------------------------------------------------------


def test_the_page_asks_the_phq9_and_says_nothing_about_whose_link_it_is(client, invited):
    response = client.get(link(invited))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-questionnaire="phq9"' in html and PHQ9.items[8] in html
    for secret in ("Robin", "Example", "2027", "Chair", "navbar", "Sign in", "depression"):
        assert secret not in html, secret
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert stored(invited.patient) == 0


def test_the_link_records_the_scores_without_a_visit_once_then_refuses(client, invited, traveller):
    traveller.shift(timedelta(days=2))
    done = client.post(link(invited), answers())
    assert done.status_code == 200
    assert RECEIVED in done.content.decode() and 'data-testid="crisis-box"' not in done.content.decode()
    row = OutcomeScore.objects.get(patient=invited.patient, source=OutcomeScore.Source.PATIENT_LINK)
    assert (row.appointment, row.measure, row.items, row.total) == (None, "phq9", PHQ9_ANSWERS, 9)
    assert row.taken_at == NOW + timedelta(days=2)
    invited.refresh_from_db()
    assert invited.used_at == NOW + timedelta(days=2)
    for method in (client.get, client.post):
        again = method(link(invited), answers(phq9=[3] * 9))
        assert again.status_code == 410
        assert RECEIVED in again.content.decode()
    assert stored(invited.patient) == 1


def test_a_second_use_is_refused_by_the_conditional_update_even_past_the_page(invited, traveller):
    from infusions.outcomes import questions

    questions.checkin_record(invitation=invited, answers={"phq9": PHQ9_ANSWERS})
    with pytest.raises(questions.LinkClosed) as refused:
        questions.checkin_record(invitation=invited, answers={"phq9": [3] * 9})
    assert (refused.value.status, refused.value.code) == (410, "received")
    assert stored(invited.patient) == 1


def test_a_tampered_link_is_refused_and_stores_nothing(client, invited):
    token = tokens.checkin_token(invited)
    for position in (0, len(token) // 2, len(token) - 1):
        changed = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1 :]
        path = reverse("infusions:patient_checkin", args=[changed])
        for method in (client.get, client.post):
            response = method(path, answers())
            assert response.status_code == 404, position
            assert REFUSED in response.content.decode()
    assert stored(invited.patient) == 0
    invited.refresh_from_db()
    assert invited.used_at is None


def test_a_link_whose_nonce_no_longer_matches_is_refused(client, invited):
    path = link(invited)
    OutcomeInvitation.objects.filter(pk=invited.pk).update(nonce="replaced")
    assert client.post(path, answers()).status_code == 404
    assert stored(invited.patient) == 0


def test_other_links_do_not_open_the_check_in_nor_the_other_way_round(client, invited):
    visit = Appointment.objects.get(patient=invited.patient)
    for token in (tokens.questions_token(visit), tokens.confirm_token(visit)):
        assert client.post(reverse("infusions:patient_checkin", args=[token]), answers()).status_code == 404
    assert client.post(reverse("infusions:patient_questions", args=[tokens.checkin_token(invited)])).status_code == 404
    assert stored(invited.patient) == 0


def test_an_expired_link_is_refused_and_stores_nothing(client, invited, traveller):
    path = link(invited)
    traveller.shift(timedelta(days=14, seconds=-1))
    assert client.get(path).status_code == 200  # open until its last second
    traveller.shift(timedelta(seconds=1))
    for method in (client.get, client.post):
        response = method(path, answers())
        assert response.status_code == 410
        assert "The link has expired." in response.content.decode()
    run()  # the next run lapses it; a lapsed link stays refused
    invited.refresh_from_db()
    assert invited.lapsed_at is not None
    assert client.post(path, answers()).status_code == 410
    assert stored(invited.patient) == 0


def test_a_positive_item_9_shows_988_and_raises_the_clinicians_alert(client, invited):
    before = urgent_count()
    response = client.post(link(invited), answers(phq9=[2, 2, 2, 2, 1, 2, 1, 1, 1]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="crisis-box"' in html and CRISIS in html and RECEIVED in html
    assert urgent_count() == before + 1
    alert = SafetyAlert.objects.get(patient=invited.patient)
    assert alert.source == SafetyAlert.Source.PATIENT_LINK and alert.is_open


def test_a_missing_answer_stores_nothing_and_keeps_the_link_open(client, invited):
    data = answers()
    del data["phq9_4"]
    assert client.post(link(invited), data).status_code == 400
    invited.refresh_from_db()
    assert invited.used_at is None and stored(invited.patient) == 0


# --- A loss of response by the check-in opens the booster review -------------------------------------------


MONDAY = date(2026, 12, 7)  # the series: 7, 10, 13, 16, 19 and 22 December at 09:00
LAST_INFUSION = date(2026, 12, 22)


def test_a_loss_of_response_by_the_check_in_opens_the_loss_of_response_review(client, front_desk, clinician):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        chair, _ = clinic()
        patient, series = course_through_services(
            MONDAY, chair, phq9=[16, 14, 12, 10, 9, 8], by=front_desk, first_name="Rae", last_name="Lindgren"
        )  # 20 at baseline, 8 at the end: a responder
        traveller.move_to(at(LAST_INFUSION, 15))
        series_complete(series=series, by=front_desk)
        services.maintenance_order(patient=patient, by=clinician, note="Boosters as needed.")
        traveller.move_to(at(LAST_INFUSION + timedelta(days=14), 10))
        assert run()["invited"] == 1
        invitation = OutcomeInvitation.objects.get(patient=patient)
        traveller.shift(timedelta(days=1))
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert client.post(link(invitation), answers(phq9=phq9_items(12))).status_code == 200
    review = OutcomeReview.objects.open().get(patient=patient)
    assert review.code == OutcomeReview.Code.LOSS_OF_RESPONSE and review.measure == "phq9"
