"""Every signed-in page pays a fixed cost before its own work: the session, the user, the user's
locations, and the user's roles with their permissions in one query; no session write while the idle renewal
is fresh. None of it is kept across requests: a role, a permission or a location taken away counts from the
very next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.roles import FRONT_DESK
from clinic.tests.factories import LocationFactory, UserFactory, main_location

pytestmark = pytest.mark.django_db


def _fixed(client, url):
    client.get(reverse("healthz"))  # renews the session: what follows must not write it
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    sql = [query["sql"] for query in captured]
    return {
        "session": sum('FROM "django_session"' in s for s in sql),
        "session writes": sum(s.startswith(("UPDATE", "INSERT")) and "django_session" in s for s in sql),
        "user": sum(s.startswith('SELECT "auth_user".') for s in sql),
        "roles and permissions": sum('"auth_permission"' in s or '"auth_group"' in s for s in sql),
        "locations": sum(s.startswith('SELECT "clinic_location".') for s in sql),
    }


FIXED = {"session": 1, "session writes": 0, "user": 1, "roles and permissions": 1, "locations": 1}


@pytest.mark.parametrize(
    "user_fixture,url",
    [
        ("nurse", reverse("infusions:room")),
        ("front_desk", reverse("infusions:day")),
        ("front_desk", reverse("infusions:grid")),
        ("clinician", reverse("intake:queue")),
        ("coordinator", reverse("intake:home") + "?q=Smith"),
    ],
)
def test_a_signed_in_page_reads_the_session_user_locations_and_roles_once_each(client, request, user_fixture, url):
    client.force_login(request.getfixturevalue(user_fixture))
    assert _fixed(client, url) == FIXED


def test_roles_and_permissions_come_from_one_query_with_the_right_answers(db):
    from clinic.roles import ROLE_PERMISSIONS, role_names, role_permissions

    user = UserFactory(role=FRONT_DESK)
    extra = Permission.objects.get(content_type__app_label="intake", codename="view_patient")
    user.user_permissions.add(extra)
    with CaptureQueriesContext(connection) as captured:
        names, perms = role_names(user), role_permissions(user)
        role_names(user), role_permissions(user)  # cached on the user for the request
    assert len(captured) == 1
    assert names == {FRONT_DESK}
    assert perms == frozenset(ROLE_PERMISSIONS[FRONT_DESK]) | {"intake.view_patient"}


def test_an_inactive_user_holds_no_permission(db):
    from clinic.roles import role_permissions

    user = UserFactory(role=FRONT_DESK, is_active=False)
    assert role_permissions(user) == frozenset()


def test_a_role_taken_away_counts_from_the_next_request(client, front_desk):
    client.force_login(front_desk)
    url = reverse("infusions:day")
    assert client.get(url).status_code == 200
    front_desk.groups.remove(Group.objects.get(name=FRONT_DESK))
    assert client.get(url).status_code == 403


def test_a_permission_taken_from_a_role_counts_from_the_next_request(client, front_desk):
    client.force_login(front_desk)
    url = reverse("infusions:day")
    assert client.get(url).status_code == 200
    view = Permission.objects.get(content_type__app_label="infusions", codename="view_appointment")
    Group.objects.get(name=FRONT_DESK).permissions.remove(view)
    assert client.get(url).status_code == 403


def test_a_location_taken_away_counts_from_the_next_request(client, nurse):
    client.force_login(nurse)
    url = reverse("infusions:room")
    assert client.get(url).status_code == 200
    nurse.locations.remove(main_location())
    assert client.get(url).status_code == 403


def test_a_location_closed_counts_from_the_next_request(client, nurse):
    elsewhere = LocationFactory(name="Elsewhere")
    nurse.locations.add(elsewhere)
    client.force_login(nurse)
    url = reverse("infusions:room")
    assert client.get(url).status_code == 200
    from clinic.models import Location

    Location.objects.filter(pk=main_location().pk).update(active=False)
    Location.objects.filter(pk=elsewhere.pk).update(active=False)
    assert client.get(url).status_code == 403


def test_a_deactivated_user_is_signed_out_on_the_next_request(client, front_desk):
    client.force_login(front_desk)
    url = reverse("infusions:day")
    assert client.get(url).status_code == 200
    type(front_desk).objects.filter(pk=front_desk.pk).update(is_active=False)
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_compiled_reads_answer_as_the_orm_does(db):
    """The per-request reads compiled once per process give what the ORM querysets they come from give."""
    from clinic.locations import user_locations
    from clinic.models import CurrentLocation, Location

    user = UserFactory(role=FRONT_DESK)
    other = LocationFactory(name="Elsewhere")
    closed = LocationFactory(name="Closed", active=False)
    user.locations.add(other, closed)
    CurrentLocation.objects.create(user=user, location=other)
    locations = user_locations(user)
    assert [loc.pk for loc in locations] == list(Location.objects.for_user(user).values_list("pk", flat=True))
    assert [loc.is_current for loc in locations] == [loc.pk == other.pk for loc in locations]
    assert all(type(loc.is_current) is bool for loc in locations)
    assert user_locations(UserFactory()) == []  # works nowhere
