"""Allowed but implausible values (a typo's signature) are saved only once the coordinator confirms them."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from intake import screening as rules
from intake import services
from intake.models import Patient
from intake.tests.answers import intake_data
from intake.tests.helpers import PATIENT, answers, form_data

TODAY = date(2026, 11, 23)
BP = {"systolic": 120, "diastolic": 80}


def implausible(**changes) -> dict[str, str]:
    data = intake_data(**changes)
    return rules.implausible_values(rules.validate_answers(data, today=TODAY), today=TODAY)


# --- The pure rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reading", "path"),
    [
        ({"systolic": 250, "diastolic": 80}, "blood_pressure.systolic"),
        ({"systolic": 300, "diastolic": 80}, "blood_pressure.systolic"),
        ({"systolic": 69, "diastolic": 40}, "blood_pressure.systolic"),
        ({"systolic": 200, "diastolic": 150}, "blood_pressure.diastolic"),
        ({"systolic": 100, "diastolic": 39}, "blood_pressure.diastolic"),
    ],
)
def test_it_names_implausible_blood_pressure(reading, path):
    assert list(implausible(blood_pressure=reading)) == [path]


@pytest.mark.parametrize("reading", [{"systolic": 249, "diastolic": 149}, {"systolic": 70, "diastolic": 40}, None])
def test_plausible_blood_pressure_passes(reading):
    assert implausible(blood_pressure=reading) == {}


@pytest.mark.parametrize(("weight", "flagged"), [(34.9, True), (35, False), (250, False), (250.1, True), (300, True)])
def test_it_names_an_implausible_weight(weight, flagged):
    assert ("patient.weight_kg" in implausible(patient={**PATIENT, "weight_kg": weight})) is flagged


@pytest.mark.parametrize(("dob", "flagged"), [("1925-11-23", True), ("1925-11-24", False), ("1900-01-01", True)])
def test_it_names_an_age_over_100(dob, flagged):
    assert ("patient.date_of_birth" in implausible(patient={**PATIENT, "date_of_birth": dob})) is flagged


def test_messages_never_repeat_the_value():
    found = implausible(blood_pressure={"systolic": 287, "diastolic": 80}, patient={**PATIENT, "weight_kg": 263.4})
    assert "287" not in str(found) and "263" not in str(found)


# --- The service ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_service_refuses_unconfirmed_implausible_values_and_stores_nothing(coordinator):
    with pytest.raises(services.ImplausibleValues) as refused:
        services.intake_create(answers=answers(blood_pressure={"systolic": 260, "diastolic": 90}), by=coordinator)
    assert list(refused.value.errors) == ["blood_pressure.systolic"]
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_the_service_saves_them_once_confirmed(coordinator):
    doc = answers(blood_pressure={"systolic": 260, "diastolic": 90})
    services.intake_create(answers=doc, by=coordinator, confirm_implausible=True)
    assert Patient.objects.count() == 1


@pytest.mark.django_db
def test_an_edit_to_an_implausible_value_needs_the_confirmation_too(coordinator):
    screening = services.intake_create(answers=answers(), by=coordinator)
    with pytest.raises(services.ImplausibleValues):
        services.intake_update(
            intake=screening.intake,
            answers=answers(patient={"date_of_birth": "1910-05-05"}),
            by=coordinator,
            consent_email=False,
            consent_sms=False,
        )


# --- The web form ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_warns_next_to_each_field_keeps_everything_and_saves_once_confirmed(client, coordinator):
    client.force_login(coordinator)
    doc = answers(blood_pressure={"systolic": 255, "diastolic": 155}, patient={"weight_kg": 260})
    data = form_data(doc, medication_1="Zoloft 50 mg")
    response = client.post(reverse("intake:intake_new"), data)
    assert response.status_code == 200 and not Patient.objects.exists()
    form = response.context["form"]
    assert set(form.errors) == {"bp_systolic", "bp_diastolic", "weight_kg", "confirm_implausible"}
    page = response.content.decode()
    assert "I have checked these values" in page and 'data-testid="implausible"' in page
    assert 'value="255"' in page and 'value="155"' in page and 'value="Zoloft 50 mg"' in page

    response = client.post(reverse("intake:intake_new"), {**data, "confirm_implausible": "on"})
    assert response.status_code == 302
    assert Patient.objects.get().weight_kg == 260


@pytest.mark.django_db
def test_the_form_asks_nothing_for_plausible_values(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("intake:intake_new")).content.decode()
    assert "I have checked these values" not in page
    assert client.post(reverse("intake:intake_new"), form_data(answers())).status_code == 302


# --- The command ----------------------------------------------------------------------------------


def run(tmp_path, doc, *args):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(doc))
    out, err = io.StringIO(), io.StringIO()
    call_command("screen_intake", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_save_without_confirmation_exits_2_naming_the_fields(tmp_path, coordinator):
    doc = answers(patient={"date_of_birth": "1920-01-01", "weight_kg": 31})
    with pytest.raises(CommandError) as raised:
        run(tmp_path, doc, "--save", "--user", coordinator.username)
    assert raised.value.returncode == 2
    message = str(raised.value)
    assert "patient.date_of_birth" in message and "patient.weight_kg" in message and "--confirm-implausible" in message
    assert "1920" not in message and "31" not in message
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_save_with_confirmation_saves(tmp_path, coordinator):
    doc = answers(patient={"date_of_birth": "1920-01-01"})
    run(tmp_path, doc, "--save", "--user", coordinator.username, "--confirm-implausible")
    assert Patient.objects.count() == 1


@pytest.mark.django_db
def test_a_dry_run_screens_and_warns(tmp_path):
    out, err = run(tmp_path, answers(blood_pressure={"systolic": 280, "diastolic": 90}))
    assert json.loads(out)["outcome"] == "defer"
    assert "warning: blood_pressure.systolic:" in err


@pytest.mark.django_db
def test_confirm_implausible_only_applies_with_save(tmp_path):
    with pytest.raises(CommandError) as raised:
        run(tmp_path, answers(), "--confirm-implausible")
    assert raised.value.returncode == 2
