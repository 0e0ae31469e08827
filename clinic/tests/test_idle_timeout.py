from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_it_ends_the_session_after_15_idle_minutes(client, coordinator):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(coordinator)
        assert client.get(reverse("intake:home")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = client.get(reverse("intake:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_activity_keeps_the_session_alive(client, coordinator):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(coordinator)
    # A request every 10 minutes for 40 minutes: never 15 idle minutes in a row.
    for minutes in (10, 20, 30, 40):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("intake:home")).status_code == 200, minutes


def test_pages_within_a_minute_do_not_write_the_session(client, coordinator):
    from django.contrib.sessions.models import Session

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(coordinator)
        client.get(reverse("intake:home"))
        expiry = Session.objects.get().expire_date
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert client.get(reverse("intake:home")).status_code == 200
        assert Session.objects.get().expire_date == expiry  # no write: renewed less than a minute ago
    with time_machine.travel(start + timedelta(seconds=90), tick=False):
        assert client.get(reverse("intake:home")).status_code == 200
        assert Session.objects.get().expire_date == expiry + timedelta(seconds=90)
