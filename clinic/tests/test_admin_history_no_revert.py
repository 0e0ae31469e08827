"""History in admin is viewable, never revertible: the revert form's POST is refused, for everyone."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from clinic.tests.factories import ScreeningFactory
from intake.models import Screening

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin():
    user = User.objects.create_user("setup", "setup@example.org", "x-long-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Staff admin"))
    return user


@pytest.mark.parametrize("who", ["superuser", "staff_admin"])
def test_reverting_a_screening_from_admin_is_refused(client, staff_admin, who):
    user = (
        staff_admin if who == "staff_admin" else User.objects.create_superuser("root", "r@example.org", "x-pw-12345678")
    )
    screening = ScreeningFactory(outcome="exclude")
    version = screening.history.first()
    client.force_login(user)
    url = reverse("admin:intake_screening_simple_history", args=[screening.pk, version.history_id])
    assert client.get(url).status_code == 200  # history is viewable
    response = client.post(url, {"outcome": "clear", "urgent": "", "ruleset": screening.ruleset})
    assert response.status_code == 403
    assert Screening.objects.get(pk=screening.pk).outcome == "exclude"
    assert screening.history.count() == 1


def test_the_staff_admin_looks_records_up_but_never_changes_them(client, staff_admin):
    screening = ScreeningFactory(outcome="review")
    client.force_login(staff_admin)
    assert client.get(reverse("admin:intake_screening_change", args=[screening.pk])).status_code == 200
    response = client.post(reverse("admin:intake_screening_change", args=[screening.pk]), {"outcome": "clear"})
    assert response.status_code == 403
    assert client.get(reverse("admin:intake_screening_delete", args=[screening.pk])).status_code == 403
    assert Screening.objects.get(pk=screening.pk).outcome == "review"


@pytest.mark.parametrize("model", ["intake_recordaccess", "infusions_reminder"])
def test_history_pages_of_records_without_history_do_not_fail(client, staff_admin, model):
    from clinic.tests.factories import clinician
    from intake.services import record_access_log

    screening = ScreeningFactory()
    row = record_access_log(by=clinician(), patient_id=screening.patient_id, view="test")
    client.force_login(staff_admin)
    if model == "intake_recordaccess":
        assert client.get(reverse(f"admin:{model}_history", args=[row.pk])).status_code == 200
    else:
        assert client.get(reverse(f"admin:{model}_history", args=[999999])).status_code in (302, 404)
