"""The review queue filters by where the intake was taken; the urgent count stays the organisation's."""

import pytest
from django.urls import reverse

from clinic.tests.factories import LocationFactory, clinician, coordinator, main_location
from intake.models import Intake
from intake.tests.answers import intake_data

pytestmark = pytest.mark.django_db


def _flagged(user, last_name, urgent=False):
    """An intake taken through the page by `user` (at their current location), flagged for review."""
    data = intake_data(blood_pressure={"systolic": 150, "diastolic": 95})
    if urgent:
        data["phq9"] = [1, 1, 1, 1, 1, 1, 1, 1, 2]
    data["patient"]["last_name"] = last_name
    from intake.services import intake_create

    return intake_create(answers=data, by=user, location=user.locations.first())


def test_an_intake_records_where_the_coordinator_works_and_the_queue_filters_by_it(client):
    denver = LocationFactory(name="Denver")
    _flagged(coordinator(username="sea"), "Seaside")
    _flagged(coordinator(username="den", locations=[denver]), "Mountain", urgent=True)
    assert set(Intake.objects.values_list("patient__last_name", "location__name")) == {
        ("Seaside", main_location().name),
        ("Mountain", "Denver"),
    }
    client.force_login(clinician(locations=[main_location(), denver]))
    everything = client.get(reverse("intake:queue")).content.decode()
    assert "Seaside" in everything and "Mountain" in everything
    assert "2 cases waiting, 1 urgent." in everything
    only_denver = client.get(reverse("intake:queue"), {"location": denver.pk}).content.decode()
    assert "Mountain" in only_denver and "Seaside" not in only_denver
    assert "1 case waiting, 1 urgent." in only_denver  # the location's counts
    assert 'data-testid="urgent-count">1 urgent' in only_denver.replace("\n", "")  # the badge still counts all
    only_main = client.get(reverse("intake:queue"), {"location": main_location().pk}).content.decode()
    assert "Seaside" in only_main and "Mountain" not in only_main
    assert "1 case waiting." in only_main
    assert 'data-testid="urgent-count">1 urgent' in only_main.replace("\n", "")


def test_a_clinician_cannot_filter_by_a_location_they_do_not_work_at(client):
    denver = LocationFactory(name="Denver")
    client.force_login(clinician(locations=[main_location()]))
    assert client.get(reverse("intake:queue"), {"location": denver.pk}).status_code == 403
    assert client.get(reverse("intake:queue"), {"location": "x"}).status_code == 400
