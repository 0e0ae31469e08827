"""Clinical and booking acts need the role, for every user: the superuser flag grants none of them."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from clinic.roles import may
from clinic.tests.factories import ScreeningFactory, clinician

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return User.objects.create_superuser("root", "root@example.org", "x-long-password-1")


def test_a_superuser_may_do_no_clinical_or_booking_act(superuser):
    assert superuser.has_perm("intake.add_reviewdecision")  # Django's own answer...
    assert not may(superuser, "intake.add_reviewdecision")  # ...is not the clinic's
    assert not may(superuser, "infusions.add_infusionseries")
    assert not may(superuser, "infusions.view_dose_sheet")


def test_a_superuser_gets_403_on_the_clinical_and_booking_pages(client, superuser):
    screening = ScreeningFactory(outcome="exclude")
    client.force_login(superuser)
    for name, args in (
        ("intake:queue", []),
        ("intake:case", [screening.pk]),
        ("infusions:book", []),
        ("infusions:book_plan", [screening.patient_id]),
        ("infusions:day", []),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403, name
    response = client.post(reverse("intake:case", args=[screening.pk]), {"decision": "approve", "justification": "x"})
    assert response.status_code == 403
    assert not hasattr(type(screening).objects.get(pk=screening.pk), "decision_cached")
    from intake.models import ReviewDecision

    assert not ReviewDecision.objects.exists()


def test_a_role_holder_still_may(client):
    user = clinician()
    assert may(user, "intake.add_reviewdecision", "intake.view_screening")
    assert not may(user, "infusions.add_infusionseries")


def test_pages_offer_a_superuser_no_clinical_links(client, superuser):
    """Templates ask the same rule: the navigation shows a superuser no link the server would refuse."""
    client.force_login(superuser)
    page = client.get(reverse("intake:queue"))
    assert page.status_code == 403
    assert f'href="{reverse("intake:home")}"'.encode() not in page.content
    assert f'href="{reverse("infusions:home")}"'.encode() not in page.content
    assert f'href="{reverse("admin:index")}"'.encode() in page.content
