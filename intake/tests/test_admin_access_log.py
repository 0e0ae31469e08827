"""Opening a patient's clinical record in admin is written to the access log, as on the clinical pages."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from clinic.tests.factories import ScreeningFactory
from intake.models import RecordAccess

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin():
    user = User.objects.create_user("setup", "setup@example.org", "x-long-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Staff admin"))
    return user


@pytest.mark.parametrize(
    ("model", "obj"),
    [("screening", lambda s: s), ("intake", lambda s: s.intake), ("patient", lambda s: s.patient)],
)
def test_viewing_a_record_in_admin_writes_an_access_row(client, staff_admin, model, obj):
    screening = ScreeningFactory()
    target = obj(screening)
    client.force_login(staff_admin)
    assert client.get(reverse(f"admin:intake_{model}_change", args=[target.pk])).status_code == 200
    assert client.get(reverse(f"admin:intake_{model}_history", args=[target.pk])).status_code == 200
    rows = list(RecordAccess.objects.filter(user=staff_admin).values_list("patient_id", "view"))
    assert rows == [
        (screening.patient_id, f"admin:{model}:history"),
        (screening.patient_id, f"admin:{model}"),
    ]


def test_a_list_page_writes_no_access_row(client, staff_admin):
    ScreeningFactory()
    client.force_login(staff_admin)
    assert client.get(reverse("admin:intake_screening_changelist")).status_code == 200
    assert not RecordAccess.objects.exists()
