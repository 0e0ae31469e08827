"""`/` sends every signed-in user somewhere, never a 500: each role to its home, the staff admin to Django admin."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from clinic.roles import CLINICIAN, FRONT_DESK, NURSE, STAFF_ADMIN
from clinic.tests.factories import UserFactory, clinician, staff_admin

pytestmark = pytest.mark.django_db


def home_of(client, user):
    client.force_login(user)
    return client.get(reverse("home"))


def test_it_sends_the_staff_admin_to_django_admin(client):
    response = home_of(client, staff_admin())
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == 200


def test_it_sends_a_staff_admin_working_at_no_location_to_django_admin(client):
    response = home_of(client, staff_admin(locations=[]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_it_refuses_a_user_with_no_role_with_403(client):
    response = home_of(client, UserFactory())
    assert response.status_code == 403
    assert b"No role assigned" in response.content


def test_it_sends_a_superuser_with_no_role_to_django_admin(client):
    response = home_of(client, User.objects.create_superuser("root", "root@example.org", "x-long-password-1"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_it_refuses_a_superuser_who_is_not_staff_with_403(client):
    user = User.objects.create_superuser("root", "root@example.org", "x-long-password-1")
    User.objects.filter(pk=user.pk).update(is_staff=False)
    user.refresh_from_db()
    assert home_of(client, user).status_code == 403


@pytest.mark.parametrize(
    ("roles", "target"),
    [
        # The first of clinic.roles.ROLES the user holds decides.
        ((CLINICIAN, STAFF_ADMIN), "intake:queue"),
        ((STAFF_ADMIN, FRONT_DESK), "infusions:home"),
        ((NURSE, FRONT_DESK), "infusions:room"),
    ],
)
def test_it_sends_a_user_with_several_roles_to_the_home_of_the_first(client, roles, target):
    from django.contrib.auth.models import Group

    user = clinician() if CLINICIAN in roles else UserFactory(role=roles[0])
    user.groups.add(*Group.objects.filter(name__in=roles))
    response = home_of(client, user)
    assert response.status_code == 302
    assert response["Location"] == reverse(target)
    assert client.get(response["Location"]).status_code == 200


def test_it_knows_a_home_for_every_role():
    from clinic.roles import ROLE_HOME, ROLES

    assert set(ROLE_HOME) == set(ROLES)
