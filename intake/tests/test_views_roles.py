"""Every clinical page refuses the wrong role on the server (403), whatever the navigation shows."""

import pytest
from django.urls import reverse

from clinic.tests.factories import ScreeningFactory
from intake.tests.helpers import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def screening():
    return ScreeningFactory(outcome="review")


def urls(screening):
    return {
        "home": reverse("intake:home"),
        "new": reverse("intake:intake_new"),
        "edit": reverse("intake:intake_edit", args=[screening.intake_id]),
        "screening": reverse("intake:screening", args=[screening.pk]),
        "patient": reverse("intake:patient", args=[screening.patient_id]),
        "queue": reverse("intake:queue"),
        "case": reverse("intake:case", args=[screening.pk]),
    }


ALLOWED = {
    "coordinator": {"home", "new", "edit", "screening", "patient"},
    "clinician": {"home", "screening", "patient", "queue", "case"},
    "front_desk": set(),
}


@pytest.mark.parametrize("role", ["coordinator", "clinician", "front_desk"])
def test_each_role_reaches_only_its_pages(client, request, role, screening):
    client.force_login(request.getfixturevalue(role))
    for name, url in urls(screening).items():
        status = client.get(url).status_code
        assert status == (200 if name in ALLOWED[role] else 403), (role, name, status)


@pytest.mark.parametrize("role", ["clinician", "front_desk"])
def test_only_coordinators_may_submit_an_intake(client, request, role, screening):
    client.force_login(request.getfixturevalue(role))
    assert client.post(reverse("intake:intake_new"), form_data()).status_code == 403
    assert client.post(reverse("intake:intake_edit", args=[screening.intake_id]), form_data()).status_code == 403


@pytest.mark.parametrize("role", ["coordinator", "front_desk"])
def test_only_clinicians_may_decide(client, request, role, screening):
    client.force_login(request.getfixturevalue(role))
    response = client.post(reverse("intake:case", args=[screening.pk]), {"decision": "approve"})
    assert response.status_code == 403
    assert not hasattr(type(screening).objects.get(pk=screening.pk), "decision")
