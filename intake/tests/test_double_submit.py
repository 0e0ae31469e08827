"""A double click on "Save and screen" (two POSTs of one form) creates one patient, not two."""

from datetime import date

import pytest
from django.urls import reverse

from intake import services
from intake.models import Intake, Patient, Screening
from intake.tests.helpers import answers, form_data

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def test_the_new_intake_form_carries_a_fresh_token(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("intake:intake_new"))
    first = page.context["form"]["submission_token"].value()
    assert f'type="hidden" name="submission_token" value="{first}"' in page.content.decode()
    second = client.get(reverse("intake:intake_new")).context["form"]["submission_token"].value()
    assert first and second and first != second


def test_posting_the_same_form_twice_creates_one_patient_and_shows_the_first_result(client, coordinator):
    client.force_login(coordinator)
    data = form_data(answers())
    first = client.post(reverse("intake:intake_new"), data)
    second = client.post(reverse("intake:intake_new"), data)
    screening = Screening.objects.get()
    assert Patient.objects.count() == 1 and Intake.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("intake:screening", args=[screening.pk])


def test_two_different_forms_make_two_intakes(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("intake:intake_new"), form_data(answers()))
    client.post(reverse("intake:intake_new"), form_data(answers(patient={"first_name": "Sam"})))
    assert Patient.objects.count() == 2


def test_the_same_token_with_other_answers_saves_nothing_and_keeps_what_was_typed(client, coordinator):
    client.force_login(coordinator)
    data = form_data(answers())
    client.post(reverse("intake:intake_new"), data)
    changed = {**data, "first_name": "Samantha"}
    response = client.post(reverse("intake:intake_new"), changed)
    assert response.status_code == 200
    assert Patient.objects.count() == 1
    page = response.content.decode()
    assert "This form was already saved" in page and 'value="Samantha"' in page
    renewed = response.context["form"]["submission_token"].value()
    assert renewed != data["submission_token"]
    # Saving again (the form now carries a fresh token) saves the changed answers as a new intake.
    client.post(reverse("intake:intake_new"), {**changed, "submission_token": renewed})
    assert Patient.objects.count() == 2


def test_a_post_without_a_valid_token_saves_nothing_and_keeps_what_was_typed(client, coordinator):
    client.force_login(coordinator)
    data = form_data(answers(), submission_token="x")
    response = client.post(reverse("intake:intake_new"), data)
    assert response.status_code == 200 and not Patient.objects.exists()
    assert "This form had expired" in response.content.decode()
    assert response.context["form"]["first_name"].value() == "Robin"


def test_the_service_returns_the_first_screening_for_a_repeated_token(coordinator):
    first = services.intake_create(answers=answers(), by=coordinator, today=TODAY, submission_token="t" * 43)
    again = services.intake_create(answers=answers(), by=coordinator, today=TODAY, submission_token="t" * 43)
    assert again.pk == first.pk and Patient.objects.count() == 1


def test_without_a_token_the_command_path_is_unchanged(coordinator):
    services.intake_create(answers=answers(), by=coordinator, today=TODAY)
    services.intake_create(answers=answers(), by=coordinator, today=TODAY)
    assert Patient.objects.count() == 2
