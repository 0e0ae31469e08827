"""The front desk's view of a visit's reminders and of its confirmation (sign-in needed)."""

from datetime import timedelta

import pytest
import time_machine

from infusions import reminders
from infusions.models import Appointment, Reminder
from infusions.tests.reminder_helpers import failed_reminder, local, visit

pytestmark = pytest.mark.django_db

NOW = local(2026, 2, 2, 10)
START = local(2026, 2, 10, 9)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


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
            render_to_string("infusions/reminders/_reminders_for_visit.html", {"appointment": a}) for a in appointments
        )
    assert html.count("<li>") == 12


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    row = failed_reminder(START)
    for path in ("/infusions/reminders/failed/", f"/infusions/visits/{row.appointment_id}/reminders/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
