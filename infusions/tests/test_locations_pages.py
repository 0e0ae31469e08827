"""Pages per location: who may see which location, the switcher, and query counts flat in the number of locations."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import CurrentLocation
from clinic.roles import FRONT_DESK
from clinic.tests.factories import (
    ChairFactory,
    LocationFactory,
    UserFactory,
    clinician,
    front_desk,
    main_location,
    open_every_day,
)
from infusions.booking import services
from infusions.tests.helpers import bookable_patient, depression

pytestmark = pytest.mark.django_db
DENVER = ZoneInfo("America/Denver")
DAY = date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def denver():
    depression()
    site = LocationFactory(name="Denver", time_zone="America/Denver", address="300 Sample St, Denver")
    open_every_day(time(8, 0), time(17, 30), location=site)
    ChairFactory(location=site, name="Denver A", position=1)
    ChairFactory(location=site, name="Denver B", position=2)
    open_every_day(time(8, 0), time(17, 30), location=main_location())
    ChairFactory(location=main_location(), name="Seattle 1", position=1)
    return site


def _denver_series(denver):
    chair = denver.chairs.get(name="Denver A")
    visits = [(datetime.combine(DAY + timedelta(days=3 * n), time(9), tzinfo=DENVER), chair.pk) for n in range(6)]
    return services.series_book(patient=bookable_patient(), visits=visits, by=front_desk(locations=[denver]))


@pytest.mark.parametrize("name", ["infusions:home", "infusions:day", "infusions:week", "infusions:book"])
def test_a_user_with_a_role_but_no_location_gets_403(client, name):
    client.force_login(UserFactory(role=FRONT_DESK, locations=[]))
    response = client.get(reverse(name))
    assert response.status_code == 403


def test_the_front_desk_of_one_location_sees_only_its_chairs(client, denver):
    client.force_login(front_desk(locations=[denver]))
    response = client.get(reverse("infusions:day"), {"date": DAY.isoformat()})
    text = response.content.decode()
    assert "Denver A" in text and "Denver B" in text
    assert "Seattle 1" not in text
    assert "times in Mountain time (MST)" in text


def test_the_front_desk_of_another_location_gets_403_on_its_series_and_visits(client, denver):
    series = _denver_series(denver)
    visit = series.appointments.first()
    client.force_login(front_desk(locations=[main_location()]))
    assert client.get(reverse("infusions:series", args=[series.pk])).status_code == 403
    assert client.post(reverse("infusions:visit_cancel", args=[visit.pk])).status_code == 403
    assert client.get(reverse("infusions:visit_move", args=[visit.pk])).status_code == 403
    stamp = f"{visit.chair_id}@{int(visit.start.timestamp())}"
    patient = bookable_patient()
    assert client.get(reverse("infusions:book_plan", args=[patient.pk]), {"v": stamp}).status_code == 403
    visit.refresh_from_db()
    assert visit.status == "scheduled"


def test_a_clinician_at_both_locations_switches_and_sees_each(client, denver):
    series = _denver_series(denver)
    doc = clinician(locations=[main_location(), denver])
    client.force_login(doc)
    first = client.get(reverse("infusions:day"), {"date": DAY.isoformat()}).content.decode()
    assert "Seattle 1" in first and "Denver A" not in first  # the first location until they choose
    assert 'data-testid="location-switcher"' in first
    response = client.post(reverse("switch_location"), {"location": denver.pk, "next": "/infusions/day/"})
    assert response.status_code == 302 and response["Location"] == "/infusions/day/"
    assert CurrentLocation.objects.get(user=doc).location == denver
    second = client.get(reverse("infusions:day"), {"date": DAY.isoformat()}).content.decode()
    assert "Denver A" in second and "Seattle 1" not in second
    assert series.patient.last_name in second
    assert client.get(reverse("infusions:series", args=[series.pk])).status_code == 200


def test_switching_to_a_location_the_user_does_not_work_at_is_refused(client, denver):
    desk = front_desk(locations=[main_location()])
    client.force_login(desk)
    response = client.post(reverse("switch_location"), {"location": denver.pk})
    assert response.status_code == 403
    assert not CurrentLocation.objects.filter(user=desk).exists()
    assert client.post(reverse("switch_location"), {"location": "x"}).status_code == 403


def test_the_switch_never_redirects_off_the_site(client, denver):
    client.force_login(clinician(locations=[main_location(), denver]))
    response = client.post(reverse("switch_location"), {"location": denver.pk, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_visit_page_shows_its_times_in_its_locations_zone(client, denver):
    series = _denver_series(denver)
    client.force_login(clinician(locations=[main_location(), denver]))  # working in Seattle now
    text = client.get(reverse("infusions:series", args=[series.pk])).content.decode()
    assert "09:00" in text and "08:00" not in text  # 09:00 Denver, not 08:00 Los Angeles


def _page_queries(client, url, params=None):
    client.get(reverse("healthz"))  # renews the session at most once a minute: measure page queries only
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "name,params",
    [
        ("infusions:home", None),
        ("infusions:day", {"date": DAY.isoformat()}),
        ("infusions:week", {"date": DAY.isoformat()}),
        ("infusions:book", {"q": "Example"}),
        ("intake:queue", None),
    ],
)
def test_page_queries_do_not_grow_with_the_number_of_locations(client, name, params):
    depression()
    open_every_day(location=main_location())
    ChairFactory(location=main_location(), name="Seattle 1")
    bookable_patient()
    user = UserFactory(role=FRONT_DESK if name != "intake:queue" else "Clinician", locations=[main_location()])
    client.force_login(user)
    one = _page_queries(client, reverse(name), params)
    more = [LocationFactory(name=f"Site {n}") for n in range(9)]
    for site in more:
        open_every_day(location=site)
        ChairFactory(location=site, name="A chair")
    user.locations.add(*more)
    ten = _page_queries(client, reverse(name), params)
    assert ten == one
