"""Reminders, notices of a moved or cancelled visit and the maintenance check-in invitations go through one
claim-and-send loop (infusions.reminders.sending): each row is claimed by one caller only and sent once, re-checked
right before its send, and its outcome recorded; the tasks queue and run them by name."""

from collections import Counter
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db.models import F
from django.utils import timezone

from clinic.celery import app
from infusions import tasks
from infusions.models import Appointment, OutcomeInvitation, PatientNotice, Reminder
from infusions.outcomes import checkins
from infusions.reminders import dispatch, notices, sending, sms
from infusions.tests.reminder_helpers import due_invitations, due_notices, due_reminders

pytestmark = pytest.mark.django_db

KINDS = {"reminder": dispatch.REMINDER, "notice": notices.NOTICE, "checkin": checkins.INVITATION}
ROWS = {"reminder": due_reminders, "notice": due_notices, "checkin": due_invitations}


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.SMS_BACKEND = "infusions.reminders.sms.LocmemBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def messages(kind) -> Counter:
    """(row id, channel) -> how many messages of `kind` the backends accepted."""
    sent = Counter((int(m.extra_headers[kind.header]), "email") for m in mail.outbox if kind.header in m.extra_headers)
    for text in sms.outbox:
        prefix, _, pk = text["reference"].rpartition("-")
        if prefix == ("" if kind is dispatch.REMINDER else kind.name):
            sent[(int(pk), "sms")] += 1
    return sent


def expected(name: str, ids) -> set:
    """Each row's messages: its own channel, or every consented channel for a check-in invitation."""
    if name == "checkin":
        return {(pk, channel) for pk in ids for channel in ("email", "sms")}
    model = KINDS[name].model
    return set(model.objects.filter(pk__in=ids).values_list("pk", "channel"))


@pytest.mark.parametrize("name", KINDS)
def test_a_row_of_each_kind_claimed_twice_at_once_is_sent_once(name):
    kind, ids = KINDS[name], ROWS[name](3)
    first_token, first = sending.claim(kind)
    second_token, second = sending.claim(kind)  # another worker, or a second beat, a moment later
    assert first == sorted(ids) and second == []
    assert sending.send_claimed(kind, second, second_token).sent == 0
    assert sending.send_claimed(kind, first, first_token).sent == len(ids)
    assert sending.run(kind).sent == 0  # beat's next run: nothing left to send
    sent = messages(kind)
    assert set(sent) == expected(name, ids)
    assert set(sent.values()) == {1}


@pytest.mark.parametrize("name", KINDS)
def test_every_kind_is_sent_by_the_one_loop_from_its_task(monkeypatch, name):
    ids = ROWS[name](2)
    seen = []
    send_claimed = sending.send_claimed

    def noting(kind, *args, **kwargs):
        seen.append(kind)
        return send_claimed(kind, *args, **kwargs)

    monkeypatch.setattr(sending, "send_claimed", noting)
    if name == "reminder":
        queue_inline = lambda batch, token: tasks.send_reminders.run(batch, token)  # noqa: E731
        with mock.patch.object(tasks.send_reminders, "delay", side_effect=queue_inline):
            tasks.dispatch_due_reminders.run()
    elif name == "notice":
        tasks.send_patient_notices.run(ids)
    else:
        tasks.invite_maintenance_checkins.run()
    assert seen == [KINDS[name]]
    assert set(messages(KINDS[name])) == expected(name, ids)


def test_the_notices_task_is_queued_by_the_name_it_is_registered_under():
    assert tasks.send_patient_notices.name == notices.SEND_TASK
    assert app.tasks[notices.SEND_TASK].name == notices.SEND_TASK  # registered: a worker runs what is queued
    with mock.patch.object(app, "send_task") as send_task:
        notices._queue([4, 5])
    send_task.assert_called_once_with("infusions.tasks.send_patient_notices", args=[[4, 5]])


# --- The send-time re-check: never for a cancelled or moved visit, never for a closed invitation -------------


def test_a_notice_for_a_visit_cancelled_after_it_was_queued_is_not_sent():
    ids = due_notices(2)
    cancelled = PatientNotice.objects.filter(pk=ids[0]).values_list("appointment_id", flat=True).get()
    Appointment.objects.filter(pk=cancelled).update(status=Appointment.Status.CANCELLED)
    outcome = notices.send(ids)
    assert (outcome["sent"], outcome["skipped"]) == (2, 2)
    skipped = PatientNotice.objects.filter(appointment_id=cancelled)
    assert set(skipped.values_list("status", "last_error")) == {("skipped", "VisitChanged")}
    assert not {pk for pk, _ in messages(notices.NOTICE)} & set(skipped.values_list("pk", flat=True))


def test_a_visit_cancelled_or_moved_while_a_batch_of_notices_is_being_sent_is_not_told_the_old_news(monkeypatch):
    ids = due_notices(3)  # rows in id order: visit 1 e-mail, visit 1 SMS, visit 2 e-mail, ...
    visits = list(Appointment.objects.order_by("start"))
    monkeypatch.setattr(sending, "recheck_every", lambda: -1.0)  # re-check before every row
    deliver = sending._deliver

    def front_desk_meanwhile(kind, row, ctx, **backends):
        deliver(kind, row, ctx, **backends)
        if row.pk == ids[0]:
            Appointment.objects.filter(pk=visits[1].pk).update(status=Appointment.Status.CANCELLED)
            Appointment.objects.filter(pk=visits[2].pk).update(
                start=F("start") + timedelta(days=1), end=F("end") + timedelta(days=1)
            )

    monkeypatch.setattr(sending, "_deliver", front_desk_meanwhile)
    token, claimed = sending.claim(notices.NOTICE)
    outcome = sending.send_claimed(notices.NOTICE, claimed, token)
    assert (outcome.sent, outcome.skipped) == (2, 4)
    changed = PatientNotice.objects.filter(appointment__in=visits[1:])
    assert set(changed.values_list("status", "last_error")) == {("skipped", "VisitChanged")}
    assert {pk for pk, _ in messages(notices.NOTICE)} == set(ids[:2])


def test_a_reminder_claimed_before_its_visit_was_cancelled_is_not_sent():
    ids = due_reminders(1)
    token, claimed = dispatch.claim_due()
    Appointment.objects.update(status=Appointment.Status.CANCELLED)
    assert dispatch.send_claimed(claimed, token).skipped == 2
    assert set(Reminder.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"skipped"}
    assert not mail.outbox and not sms.outbox


def test_an_invitation_answered_or_lapsed_between_its_claim_and_its_send_is_not_sent():
    answered, lapsed = due_invitations(2)
    token, claimed = sending.claim(checkins.INVITATION)
    now = timezone.now()
    OutcomeInvitation.objects.filter(pk=answered).update(used_at=now)
    OutcomeInvitation.objects.filter(pk=lapsed).update(lapsed_at=now)
    outcome = sending.send_claimed(checkins.INVITATION, claimed, token)
    assert (outcome.sent, outcome.skipped) == (0, 2)
    assert list(OutcomeInvitation.objects.values_list("sent_at", flat=True)) == [None, None]
    assert not mail.outbox and not sms.outbox


def test_an_invitation_of_a_patient_who_withdrew_consent_waits_and_is_never_sent_without_it():
    (pk,) = due_invitations(1)
    invitation = OutcomeInvitation.objects.select_related("patient").get(pk=pk)
    type(invitation.patient).objects.filter(pk=invitation.patient_id).update(consent_email=False, consent_sms=False)
    outcome = sending.run(checkins.INVITATION)
    assert (outcome.sent, outcome.held) == (0, 1)
    assert OutcomeInvitation.objects.get(pk=pk).sent_at is None
    assert not mail.outbox and not sms.outbox


# --- The lease, the attempts, the failures: a notice's like a reminder's ------------------------------------


def test_a_notice_whose_worker_died_is_sent_by_the_next_run_after_the_lease_and_failed_after_the_last_attempt():
    alive, dead = due_notices(1)
    long_ago = timezone.now() - sending.lease() - timedelta(seconds=1)
    PatientNotice.objects.filter(pk=alive).update(status="sending", claimed_at=long_ago, attempts=1)
    PatientNotice.objects.filter(pk=dead).update(status="sending", claimed_at=long_ago, attempts=sending.MAX_ATTEMPTS)
    outcome = notices.send()
    assert outcome["sent"] == 1
    assert PatientNotice.objects.filter(pk=alive).values_list("status", "attempts").get() == ("sent", 2)
    assert PatientNotice.objects.filter(pk=dead).values_list("status", "last_error").get() == (
        "failed",
        "LeaseExpired",
    )
    assert {pk for pk, _ in messages(notices.NOTICE)} == {alive}


def test_a_notice_still_within_its_lease_is_left_to_its_worker():
    ids = due_notices(1)
    PatientNotice.objects.update(status="sending", claimed_at=timezone.now() - sending.lease() + timedelta(seconds=5))
    assert notices.send()["sent"] == 0
    assert set(PatientNotice.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sending"}
    assert not mail.outbox and not sms.outbox


def test_a_failing_notice_is_tried_again_by_the_next_runs_then_recorded_failed():
    class Broken:
        def send(self, **message):
            raise ConnectionError("provider down")

    due_notices(1)
    PatientNotice.objects.filter(channel="email").delete()
    for attempt in range(1, sending.MAX_ATTEMPTS + 1):
        outcome = notices.send(sms_backend=Broken())
        row = PatientNotice.objects.get()
        assert (row.attempts, row.last_error) == (attempt, "ConnectionError")
        if attempt < sending.MAX_ATTEMPTS:
            assert (outcome["retried"], row.status) == (1, "pending")
    assert (outcome["failed"], row.status) == (1, "failed")
    assert notices.send()["sent"] == 0 and not sms.outbox
