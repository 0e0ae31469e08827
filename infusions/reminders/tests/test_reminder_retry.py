"""The failed list and Retry: front desk only, by POST, and refused for a visit that has changed."""

import pytest
import time_machine

from clinic.tests.factories import clinician as make_clinician
from infusions.models import Appointment
from infusions.tests.reminder_helpers import failed_reminder, local

pytestmark = pytest.mark.django_db

NOW = local(2026, 2, 2, 10)
START = local(2026, 2, 10, 9)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_front_desk_retries_a_failed_reminder(client, front_desk):
    row = failed_reminder(START)
    client.force_login(front_desk)
    listing = client.get("/infusions/reminders/failed/")
    assert f'data-testid="failed-{row.pk}"' in listing.content.decode()
    response = client.post(f"/infusions/reminders/{row.pk}/retry/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts, row.due_at) == ("pending", 0, NOW)


def test_a_retry_of_a_cancelled_visits_reminder_is_refused(client, front_desk):
    row = failed_reminder(START)
    Appointment.objects.filter(pk=row.appointment_id).update(status="cancelled")
    client.force_login(front_desk)
    client.post(f"/infusions/reminders/{row.pk}/retry/")
    row.refresh_from_db()
    assert row.status == "failed"


def test_other_roles_get_403_and_a_get_cannot_retry(client, front_desk):
    row = failed_reminder(START)
    client.force_login(make_clinician())
    assert client.post(f"/infusions/reminders/{row.pk}/retry/").status_code == 403
    assert client.get("/infusions/reminders/failed/").status_code == 403
    client.force_login(front_desk)
    assert client.get(f"/infusions/reminders/{row.pk}/retry/").status_code == 405
    row.refresh_from_db()
    assert row.status == "failed"
