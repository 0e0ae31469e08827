import pytest
from django.urls import reverse

from clinic.roles import CLINICIAN, COORDINATOR, FRONT_DESK, ROLE_PERMISSIONS
from clinic.tests.factories import ScreeningFactory

pytestmark = pytest.mark.django_db


def test_it_creates_the_three_roles_with_their_permissions():
    from django.contrib.auth.models import Group

    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        have = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert have == set(perms), role


def test_it_sends_each_role_to_its_home(client, coordinator, clinician, front_desk):
    for user, target in ((coordinator, "intake:home"), (clinician, "intake:queue"), (front_desk, "infusions:home")):
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"] == reverse(target)
        assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("url_name", "allowed"),
    [
        ("intake:home", {COORDINATOR, CLINICIAN}),
        ("intake:queue", {CLINICIAN}),
        ("infusions:home", {FRONT_DESK, CLINICIAN}),
    ],
)
def test_it_refuses_other_roles_with_403(client, coordinator, clinician, front_desk, url_name, allowed):
    for user, role in ((coordinator, COORDINATOR), (clinician, CLINICIAN), (front_desk, FRONT_DESK)):
        client.force_login(user)
        status = client.get(reverse(url_name)).status_code
        assert status == (200 if role in allowed else 403), (url_name, role)


def test_it_shows_the_urgent_count_on_clinician_pages(client, clinician):
    ScreeningFactory(outcome="review", urgent=True)
    ScreeningFactory(outcome="review", urgent=True)
    ScreeningFactory(outcome="exclude")
    client.force_login(clinician)
    response = client.get(reverse("intake:queue"))
    assert b'data-testid="urgent-count">2 urgent' in response.content


def test_a_user_without_a_role_gets_no_clinical_page(client, db):
    from clinic.tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("home")).status_code == 403
    assert client.get(reverse("intake:queue")).status_code == 403
