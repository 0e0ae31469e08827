"""A search carrying NUL or other control characters is cleaned, never a 500 (PostgreSQL refuses NUL)."""

import pytest
from django.urls import reverse

from clinic.tests.factories import front_desk
from intake.models import Patient, search_text
from intake.services import intake_create
from intake.tests.helpers import answers

pytestmark = pytest.mark.django_db


def test_it_strips_control_characters_and_lone_surrogates():
    assert search_text("Oka\x00for\x07") == "Oka for"
    assert search_text("\ud800Robin\t") == "Robin"
    assert search_text(None) == ""
    assert len(search_text("a" * 10_000)) == 100


@pytest.mark.parametrize("q", ["\x00", "Okafor\x00", "\x00\x01\x1f", "1985-03-14\x00"])
def test_the_coordinators_search_answers_odd_input(client, coordinator, q):
    intake_create(answers=answers(), by=coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("intake:home"), {"q": q})
    assert response.status_code == 200
    assert "\x00" not in response.content.decode()


def test_a_nul_inside_a_name_still_finds_the_patient(coordinator):
    intake_create(answers=answers(), by=coordinator)
    assert list(Patient.objects.search("Oka\x00")) == list(Patient.objects.all())


@pytest.mark.parametrize("q", ["\x00", "Okafor\x00"])
def test_the_front_desks_booking_search_answers_a_nul(client, coordinator, q):
    intake_create(answers=answers(), by=coordinator)
    client.force_login(front_desk())
    response = client.get(reverse("infusions:book"), {"q": q})
    assert response.status_code == 200


@pytest.mark.postgres
def test_postgres_takes_the_cleaned_search(coordinator):
    # On PostgreSQL a NUL reaching the query raises ValueError/DataError; on SQLite this still runs.
    intake_create(answers=answers(), by=coordinator)
    assert Patient.objects.search("\x00Okafor\x00").count() == 1
