"""A failed reminder is retried only by a front desk who works at its visit's location: the service refuses
anyone else (whatever calls it), the page answers 403, and the failed list offers Retry only where it works."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from clinic.tests.factories import LocationFactory, front_desk, main_location
from infusions.models import Reminder
from infusions.reminders.dispatch import reminder_retry
from infusions.tests.reminder_helpers import failed_reminder, local, visit

pytestmark = pytest.mark.django_db

NOW = local(2026, 2, 2, 10)
START = local(2026, 2, 10, 9)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def denver_failed() -> Reminder:
    """A failed e-mail reminder of a visit at Denver."""
    appointment = visit(START, location=LocationFactory(name="Denver"), consent_sms=False)
    row = Reminder.objects.filter(appointment=appointment).first()
    Reminder.objects.filter(pk=row.pk).update(status="failed", attempts=5, last_error="SMTPException")
    return row


def state(row) -> tuple:
    row.refresh_from_db()
    return row.status, row.attempts, row.due_at, row.claim_token


def test_the_service_refuses_a_front_desk_of_another_location(denver_failed):
    before = state(denver_failed)
    with pytest.raises(PermissionDenied):
        reminder_retry(reminder_id=denver_failed.pk, by=front_desk())  # works at the main location only
    assert state(denver_failed) == before and before[0] == "failed"


def test_the_service_retries_for_a_front_desk_there(denver_failed):
    reminder_retry(reminder_id=denver_failed.pk, by=front_desk(locations=[denver_failed.appointment.chair.location]))
    assert state(denver_failed)[:3] == ("pending", 0, NOW)


def test_the_page_answers_403_and_the_list_shows_only_the_current_location(client, denver_failed):
    here = failed_reminder(START)
    client.force_login(front_desk(locations=[main_location()]))
    listing = client.get("/infusions/reminders/failed/").content.decode()
    assert f"/infusions/reminders/{here.pk}/retry/" in listing
    assert f'data-testid="failed-{denver_failed.pk}"' not in listing
    assert client.post(f"/infusions/reminders/{denver_failed.pk}/retry/").status_code == 403
    assert state(denver_failed)[0] == "failed"
