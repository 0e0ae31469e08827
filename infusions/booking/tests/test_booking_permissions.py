import pytest
from django.urls import reverse

from infusions.tests.helpers import bookable_patient, clinic

pytestmark = pytest.mark.django_db


def test_a_coordinator_cannot_book_or_see_the_schedule(client, coordinator):
    clinic()
    patient = bookable_patient()
    client.force_login(coordinator)
    assert client.get(reverse("infusions:book")).status_code == 403
    assert client.get(reverse("infusions:book_plan", args=[patient.pk])).status_code == 403
    assert client.post(reverse("infusions:book_confirm", args=[patient.pk]), {"v": []}).status_code == 403
    assert client.get(reverse("infusions:day")).status_code == 403


def test_a_clinician_sees_the_schedule_but_cannot_book_or_change_it(client, clinician):
    clinic()
    patient = bookable_patient()
    client.force_login(clinician)
    assert client.get(reverse("infusions:day")).status_code == 200
    assert client.get(reverse("infusions:week")).status_code == 200
    assert client.get(reverse("infusions:book")).status_code == 403
    assert client.get(reverse("infusions:book_plan", args=[patient.pk])).status_code == 403
    assert client.post(reverse("infusions:book_confirm", args=[patient.pk]), {"v": []}).status_code == 403
    assert client.post(reverse("infusions:maintenance_confirm", args=[patient.pk]), {"v": []}).status_code == 403
    assert client.post(reverse("infusions:visit_cancel", args=[1])).status_code == 403
    assert client.post(reverse("infusions:visit_mark", args=[1]), {"status": "arrived"}).status_code == 403
