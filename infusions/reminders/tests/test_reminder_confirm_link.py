"""The patient's confirm link: opening it asks, a POST confirms; a tampered, expired or outdated link
confirms nothing."""

from datetime import timedelta

import pytest
import time_machine

from infusions.models import Appointment
from infusions.reminders import tokens
from infusions.tests.reminder_helpers import local, visit

pytestmark = pytest.mark.django_db

NOW = local(2026, 2, 2, 10)
START = local(2026, 2, 10, 9)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def confirm_path(appointment):
    return f"/infusions/confirm/{tokens.confirm_token(appointment)}/"


def test_the_confirm_link_asks_then_records_the_confirmation(client):
    appointment = visit(START, first_name="Robin")
    path = confirm_path(appointment)
    page = client.get(path)
    assert page.status_code == 200
    assert "Tue 10 Feb 2026" in page.content.decode()
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
    with time_machine.travel(NOW + tokens.CONFIRM_MAX_AGE + timedelta(minutes=1), tick=False):
        response = client.post(path)
    assert response.status_code == 410
    appointment.refresh_from_db()
    assert appointment.confirmed_at is None
