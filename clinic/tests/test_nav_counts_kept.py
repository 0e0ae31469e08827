"""The navigation's worklist counts are kept a few seconds between pages (counting them cost about a
bare page on every front-desk page), and are fresh whenever it matters: after any change made through the
site, by anyone; on the worklists page itself; per location and per set of lists; and after
NAV_COUNTS_SECONDS whatever happened."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic import navcache
from clinic.locations import location_switch
from clinic.tests.factories import LocationFactory, ScreeningFactory, coordinator, main_location
from infusions.models import Appointment, InfusionSeries
from infusions.tests.helpers import at, bookable_patient, clinic, depression

pytestmark = pytest.mark.django_db
TOMORROW = date(2026, 12, 2)


@pytest.fixture(autouse=True)
def _kept():
    with (
        time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller,
        override_settings(NAV_COUNTS_SECONDS=30),
    ):
        navcache.changed()  # nothing kept by an earlier test
        yield traveller


@pytest.fixture
def chairs():
    return clinic(chairs=2)


def _total(client, url=None) -> int:
    html = client.get(url or reverse("infusions:day")).content.decode()
    found = re.search(r'data-testid="worklist-total">(\d+)<', html)
    return int(found.group(1)) if found else 0


def _tomorrow_unconfirmed(chair):
    patient = bookable_patient()
    series = InfusionSeries.objects.create(
        location=chair.location, patient=patient, protocol=depression(), created_by=coordinator()
    )
    start = at(TOMORROW, 9)
    return Appointment.objects.create(
        series=series, patient=patient, chair=chair, sequence=1, start=start, end=start + timedelta(minutes=90)
    )


def test_a_second_page_reuses_the_counts_and_a_change_through_the_site_renews_them(client, front_desk, chairs):
    visit = _tomorrow_unconfirmed(chairs[0])
    client.force_login(front_desk)
    assert _total(client) == 1  # tomorrow's call list
    bookable_patient(), bookable_patient()  # changed behind the site's back: not counted yet
    with CaptureQueriesContext(connection) as captured:
        assert _total(client) == 1
    assert not any("COUNT(*)" in query["sql"] for query in captured)
    # Any change through the site, by anyone, retires the kept counts once it has committed.
    response = client.post(reverse("infusions:visit_confirm_by_phone", args=[visit.pk]))
    assert response.status_code == 302
    assert _total(client) == 2  # the two new patients to book; the confirmed visit left the call list


# In-process cache: Redis keeps its own clock, which time_machine does not move.
@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_without_a_change_the_counts_are_at_most_nav_counts_seconds_old(client, front_desk, chairs, _kept):
    client.force_login(front_desk)
    assert _total(client) == 0
    bookable_patient()
    _kept.shift(29)
    assert _total(client) == 0
    _kept.shift(2)
    assert _total(client) == 1


def test_the_worklists_page_counts_afresh(client, front_desk, chairs):
    client.force_login(front_desk)
    assert _total(client) == 0
    bookable_patient(last_name="Newcomer")
    html = client.get(reverse("infusions:worklists")).content.decode()
    assert "Newcomer" in html
    assert 'data-testid="worklist-total">1<' in html
    assert _total(client) == 1  # and what it counted is what the next page shows


def test_each_location_and_each_set_of_lists_keeps_its_own(client, front_desk, chairs):
    denver = LocationFactory(name="Denver", time_zone="America/Denver")
    front_desk.locations.add(denver)
    _tomorrow_unconfirmed(chairs[0])  # at the main location
    client.force_login(front_desk)
    assert _total(client) == 1
    location_switch(user=front_desk, location_id=denver.pk)  # not through the site: nothing retired
    assert _total(client) == 0  # Denver's call list is empty; not the main location's figure
    desk = coordinator()
    desk.locations.add(main_location())
    ScreeningFactory(outcome="review")  # no re-screen due: a coordinator's list stays empty
    client.force_login(desk)
    assert _total(client, reverse("intake:home")) == 0  # not the front desk's kept figure


def test_switched_off_it_counts_on_every_page(client, front_desk, chairs):
    client.force_login(front_desk)
    with override_settings(NAV_COUNTS_SECONDS=0):
        assert _total(client) == 0
        bookable_patient()
        assert _total(client) == 1


class _Unreachable:
    """A cache whose server is down: every call raises, as Django's RedisCache does then."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_a_cache_that_cannot_be_reached_fails_no_page_and_no_change(client, front_desk, chairs, monkeypatch):
    visit = _tomorrow_unconfirmed(chairs[0])
    client.force_login(front_desk)
    monkeypatch.setattr(navcache, "cache", _Unreachable())
    assert _total(client) == 1  # counted afresh
    response = client.post(reverse("infusions:visit_confirm_by_phone", args=[visit.pk]))
    assert response.status_code == 302  # the change stands, and says so
    visit.refresh_from_db()
    assert visit.confirmed_at is not None
    assert _total(client) == 0
