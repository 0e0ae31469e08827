"""The patient's confirm link, a visit's reminders and the failed list with retry (front desk only)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing

from clinic.tests.factories import clinician as make_clinician
from infusions import reminders
from infusions.models import Appointment, Reminder
from infusions.tests.reminder_helpers import local, visit

pytestmark = pytest.mark.django_db

NOW = local(2026, 2, 2, 10)
START = local(2026, 2, 10, 9)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def confirm_path(appointment):
    return f"/infusions/confirm/{reminders.confirm_token(appointment)}/"


def test_the_confirm_link_asks_then_records_the_confirmation(client):
    appointment = visit(START, first_name="Robin")
    path = confirm_path(appointment)
    page = client.get(path)
    assert page.status_code == 200
    assert "Tuesday 10 February 2026" in page.content.decode()
    assert "Robin" not in page.content.decode()  # the link may have been forwarded
    appointment.refresh_from_db()
    assert appointment.confirmed_at is None  # opening the link (or a mail scanner) confirms nothing
    done = client.post(path)
    assert done.status_code == 200
    appointment.refresh_from_db()
    assert appointment.confirmed_at == NOW


def test_a_tampered_link_confirms_nothing(client):
    appointment = visit(START)
    path = confirm_path(appointment)
    response = client.post(path[:-3] + "xx/")
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.confirmed_at is None


def test_a_link_for_another_time_does_not_confirm_the_moved_visit(client):
    appointment = visit(START)
    path = confirm_path(appointment)
    Appointment.objects.filter(pk=appointment.pk).update(
        start=START + timedelta(days=1), end=START + timedelta(days=1, minutes=90)
    )
    response = client.post(path)
    assert response.status_code == 410
    appointment.refresh_from_db()
    assert appointment.confirmed_at is None


def test_an_expired_link_confirms_nothing(client):
    appointment = visit(START)
    path = confirm_path(appointment)
    with time_machine.travel(NOW + reminders.CONFIRM_MAX_AGE + timedelta(minutes=1), tick=False):
        response = client.post(path)
    assert response.status_code == 410
    appointment.refresh_from_db()
    assert appointment.confirmed_at is None


def test_the_token_names_only_the_visit_and_its_time():
    appointment = visit(START)
    data = signing.loads(reminders.confirm_token(appointment), salt=reminders.CONFIRM_SALT)
    assert set(data) == {"a", "s"}


def test_front_desk_sees_a_visits_reminders_and_its_confirmation(client, front_desk):
    appointment = visit(START)
    Appointment.objects.filter(pk=appointment.pk).update(confirmed_at=NOW)
    Reminder.objects.filter(offset_hours=72, channel="email").update(status="sent", sent_at=NOW)
    client.force_login(front_desk)
    response = client.get(f"/infusions/visits/{appointment.pk}/reminders/")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="confirmed"' in text
    assert text.count("<li>") == 4
    assert "Sent" in text and "Pending" in text


def test_the_visit_include_costs_one_query_for_many_visits(front_desk, django_assert_num_queries):
    from django.template.loader import render_to_string

    for day in range(3):
        visit(START + timedelta(days=2 * day))
    appointments = reminders.with_reminders(Appointment.objects.all())
    with django_assert_num_queries(2):
        html = "".join(
            render_to_string("infusions/_reminders_for_visit.html", {"appointment": a}) for a in appointments
        )
    assert html.count("<li>") == 12


def failed_reminder():
    appointment = visit(START, consent_sms=False)
    row = Reminder.objects.filter(appointment=appointment).first()
    Reminder.objects.filter(pk=row.pk).update(status="failed", attempts=5, last_error="SMTPException")
    return row


def test_front_desk_retries_a_failed_reminder(client, front_desk):
    row = failed_reminder()
    client.force_login(front_desk)
    listing = client.get("/infusions/reminders/failed/")
    assert f'data-testid="failed-{row.pk}"' in listing.content.decode()
    response = client.post(f"/infusions/reminders/{row.pk}/retry/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts, row.due_at) == ("pending", 0, NOW)


def test_a_retry_of_a_cancelled_visits_reminder_is_refused(client, front_desk):
    row = failed_reminder()
    Appointment.objects.filter(pk=row.appointment_id).update(status="cancelled")
    client.force_login(front_desk)
    client.post(f"/infusions/reminders/{row.pk}/retry/")
    row.refresh_from_db()
    assert row.status == "failed"


def test_other_roles_get_403_and_a_get_cannot_retry(client, front_desk):
    row = failed_reminder()
    client.force_login(make_clinician())
    assert client.post(f"/infusions/reminders/{row.pk}/retry/").status_code == 403
    assert client.get("/infusions/reminders/failed/").status_code == 403
    client.force_login(front_desk)
    assert client.get(f"/infusions/reminders/{row.pk}/retry/").status_code == 405
    row.refresh_from_db()
    assert row.status == "failed"


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    row = failed_reminder()
    for path in ("/infusions/reminders/failed/", f"/infusions/visits/{row.appointment_id}/reminders/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
