"""Day and week views: chairs by time, and a query count that does not grow with the visits."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.tests.factories import UserFactory, main_location
from infusions.models import Appointment, InfusionSeries
from infusions.tests.helpers import at, bookable_patient, clinic, depression

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        yield


def _fill(chairs, visits_per_chair_and_day, days=7, first_slot=0):
    """Rows made directly (not through the service): this test is about reading them."""
    protocol, user = depression(), UserFactory()
    rows = []
    for chair in chairs:
        for n in range(visits_per_chair_and_day):
            patient = bookable_patient()
            series = InfusionSeries.objects.create(
                location=main_location(), patient=patient, protocol=protocol, created_by=user
            )
            for d in range(days):
                start = at(DAY + timedelta(days=d), 8) + timedelta(minutes=90 * (first_slot + n))
                rows.append(
                    Appointment(
                        series=series,
                        patient=patient,
                        chair=chair,
                        sequence=d + 1,
                        start=start,
                        end=start + timedelta(minutes=90),
                    )
                )
    Appointment.objects.bulk_create(rows)
    return len(rows)


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("name", ["infusions:day", "infusions:week"])
def test_the_query_count_does_not_grow_with_the_appointments(client, front_desk, name):
    chairs = clinic(chairs=4)
    client.force_login(front_desk)
    client.get(reverse("healthz"))  # renews the session (at most once a minute): measure page queries only
    _fill(chairs, 1)
    small, _ = _queries(client, reverse(name), {"date": DAY.isoformat()})
    _fill(chairs, 5, first_slot=1)
    large, response = _queries(client, reverse(name), {"date": DAY.isoformat()})
    assert Appointment.objects.count() == 4 * 6 * 7
    assert large == small
    assert response.content.decode().count("08:00") >= 4


def test_the_day_view_shows_each_chair_with_its_visits_in_time_order(client, clinician):
    chairs = clinic(chairs=2)
    _fill(chairs[:1], 3, days=1)
    client.force_login(clinician)  # clinicians see the schedule too
    response = client.get(reverse("infusions:day"), {"date": DAY.isoformat()})
    columns = response.context["columns"]
    assert [chair.name for chair, _ in columns] == ["Chair 1", "Chair 2"]
    assert [v.start for v in columns[0][1]] == [at(DAY, 8), at(DAY, 9, 30), at(DAY, 11)]
    assert columns[1][1] == []
    assert "Free all day." in response.content.decode()


def test_the_week_view_puts_each_visit_under_its_local_day(client, front_desk):
    chairs = clinic(chairs=1)
    _fill(chairs, 1, days=3)
    client.force_login(front_desk)
    response = client.get(reverse("infusions:week"), {"date": (DAY + timedelta(days=2)).isoformat()})
    assert response.context["days"][0] == DAY  # a Monday
    (chair, cells) = response.context["rows"][0]
    assert [len(c) for c in cells] == [1, 1, 1, 0, 0, 0, 0]


@pytest.mark.parametrize("name", ["infusions:day", "infusions:week"])
def test_an_inactive_chair_with_visits_is_shown_after_the_active_ones_in_one_more_query(client, front_desk, name):
    chairs = clinic(chairs=3)
    client.force_login(front_desk)
    client.get(reverse("healthz"))  # renews the session: measure page queries only
    _fill(chairs, 2)
    before, _ = _queries(client, reverse(name), {"date": DAY.isoformat()})
    chairs[0].active = False
    chairs[0].save()
    chairs[1].active = False
    chairs[1].save()
    after, response = _queries(client, reverse(name), {"date": DAY.isoformat()})
    shown = [chair.name for chair, _ in response.context["columns" if name == "infusions:day" else "rows"]]
    assert shown == ["Chair 3", "Chair 1", "Chair 2"]
    assert after == before + 1  # the inactive chairs, both in one query, however many visits they hold
