"""Phone numbers are stored in E.164 (what SMS providers require) on every path, and a number that is not a
full one is refused next to its field with everything typed kept."""

import importlib
import io
import json
import os
import subprocess
import sys
from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from clinic.tests.factories import PatientFactory
from infusions.infusion_day.forms import CheckInForm, RecheckForm
from intake import phones, services
from intake.forms import IntakeForm
from intake.management.commands.screen_intake import Command
from intake.models import Patient
from intake.phones import PHONE_EXTENSION, PHONE_INVALID, PhoneInvalid, search_number, to_e164
from intake.screening import AnswersInvalid, validate_answers
from intake.tests.helpers import answers, form_data

TODAY = date(2026, 11, 23)
E164 = "+12065550143"
TYPED = ["(206) 555-0143", "206-555-0143", "+1 206 555 0143", "2065550143", "206.555.0143", " 1 206 555 0143 "]
NOT_A_NUMBER = ["555-0143", "12345", "call me", "1-800-FLOWERS", "+1 206 555 01434", "+", "()"]


# --- The rule -------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", TYPED)
def test_a_us_number_typed_any_usual_way_becomes_e164(typed):
    assert to_e164(typed) == E164


def test_a_number_abroad_keeps_its_country():
    assert to_e164("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize("typed", NOT_A_NUMBER)
def test_anything_but_a_full_number_is_refused(typed):
    with pytest.raises(PhoneInvalid) as refused:
        to_e164(typed)
    assert (
        refused.value.message == PHONE_INVALID == "Give a full phone number, e.g. (206) 555-0143 or +44 20 7946 0958."
    )


def test_an_extension_is_refused_a_text_cannot_reach_it():
    with pytest.raises(PhoneInvalid) as refused:
        to_e164("206 555 0143 x12")
    assert refused.value.message == PHONE_EXTENSION


def test_a_number_without_country_code_is_read_in_the_phone_region(settings):
    assert to_e164("020 7946 0958", "GB") == "+442079460958"
    settings.PHONE_REGION = "GB"
    assert to_e164("020 7946 0958") == "+442079460958"
    assert validate_answers(answers(patient={"phone": "020 7946 0958"}), today=TODAY).patient.phone == "+442079460958"


@pytest.mark.parametrize(("region", "starts"), [("GB", True), ("us", False), ("XX", False)])
def test_start_up_refuses_a_phone_region_that_is_no_country(region, starts):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY",)}
    env.update(DEBUG="True", PHONE_REGION=region, DJANGO_SETTINGS_MODULE="clinic.settings")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; print(s.PHONE_REGION)",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode == 0) is starts, result.stderr
    if not starts:
        assert f"PHONE_REGION must be a country code in capitals, e.g. US or GB, not {region!r}" in result.stderr


def test_search_reads_only_numbers():
    assert search_number("206 555 0143") == E164
    assert search_number("Okonkwo") is None
    assert search_number("555-0143") is None  # too few digits to name one patient
    assert search_number("1991-09-02") is None


# --- The answers document: command and services ----------------------------------------------


@pytest.mark.parametrize("typed", TYPED)
def test_validation_returns_the_phone_in_e164(typed):
    validated = validate_answers(answers(patient={"phone": typed}), today=TODAY)
    assert validated.patient.phone == E164
    assert validated.as_dict()["patient"]["phone"] == E164
    assert validate_answers(validated.as_dict(), today=TODAY) == validated


@pytest.mark.parametrize("typed", NOT_A_NUMBER)
def test_validation_refuses_the_phone_naming_the_field(typed):
    with pytest.raises(AnswersInvalid) as refused:
        validate_answers(answers(patient={"phone": typed}), today=TODAY)
    assert refused.value.errors == {"patient.phone": PHONE_INVALID}


@pytest.mark.django_db
def test_the_service_stores_e164(coordinator):
    screening = services.intake_create(answers=answers(patient={"phone": "(206) 555-0143"}), by=coordinator)
    assert Patient.objects.get(pk=screening.patient_id).phone == E164


@pytest.mark.django_db
def test_the_service_refuses_a_short_number_and_stores_nothing(coordinator):
    with pytest.raises(AnswersInvalid):
        services.intake_create(answers=answers(patient={"phone": "555-0143"}), by=coordinator)
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_a_contact_edit_stores_e164(coordinator):
    screening = services.intake_create(answers=answers(), by=coordinator, today=TODAY)
    services.intake_update(
        intake=screening.intake,
        answers=answers(patient={"phone": "206-555-0143"}),
        by=coordinator,
        consent_email=False,
        consent_sms=False,
        today=TODAY,
    )
    assert Patient.objects.get().phone == E164


@pytest.mark.django_db
def test_the_command_refuses_a_short_number_naming_the_field(tmp_path, capsys):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(answers(patient={"phone": "555-0199"})))
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "screen_intake", str(path)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"patient.phone: {PHONE_INVALID}" in err
    assert "555-0199" not in err  # messages never repeat the value


@pytest.mark.django_db
def test_the_command_saves_e164(tmp_path, coordinator):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(answers(patient={"phone": "+1 206 555 0143"})))
    call_command("screen_intake", str(path), "--save", "--user", "coord", stdout=io.StringIO(), stderr=io.StringIO())
    assert Patient.objects.get().phone == E164


# --- The intake form ------------------------------------------------------------------------


def test_the_form_refuses_a_short_number_next_to_the_field_keeping_it():
    form = IntakeForm(form_data(answers(), phone="555-0143", first_name="Maya"), today=TODAY)
    assert not form.is_valid()
    assert form.errors["phone"] == [PHONE_INVALID]
    assert list(form.errors) == ["phone"]
    assert form["phone"].value() == "555-0143" and form["first_name"].value() == "Maya"


def test_the_forms_document_validates_to_e164():
    form = IntakeForm(form_data(answers(), phone="(206) 555-0143"), today=TODAY)
    assert form.is_valid(), form.errors
    assert validate_answers(form.answers, today=TODAY).patient.phone == E164


@pytest.mark.django_db
def test_the_intake_page_shows_the_refusal_and_what_was_typed(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("intake:intake_new"), form_data(answers(), phone="12345"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Give a full phone number, e.g. (206) 555-0143 or +44 20 7946 0958." in html
    assert 'value="12345"' in html
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_the_intake_page_stores_e164(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("intake:intake_new"), form_data(answers(), phone="(206) 555-0143"))
    assert response.status_code == 302
    assert Patient.objects.get().phone == E164


# --- The escort's phone at check-in ---------------------------------------------------------


@pytest.mark.parametrize("form_class", [CheckInForm, RecheckForm])
def test_the_escort_phone_is_stored_in_e164(form_class):
    form = form_class({"escort_phone": "(206) 555-0143"})
    form.is_valid()
    assert "escort_phone" not in form.errors
    assert form.cleaned_data["escort_phone"] == E164


@pytest.mark.parametrize("form_class", [CheckInForm, RecheckForm])
@pytest.mark.parametrize("typed", ["555-0143", "call me"])
def test_the_escort_phone_is_refused_next_to_the_field_keeping_it(form_class, typed):
    form = form_class({"escort_phone": typed})
    assert not form.is_valid()
    assert form.errors["escort_phone"] == [PHONE_INVALID]
    assert form["escort_phone"].value() == typed


def test_no_escort_phone_stays_blank():
    form = RecheckForm({"escort_phone": "  "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["escort_phone"] == ""


# --- Existing numbers ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_normalises_what_it_can_and_leaves_the_rest():
    kept = {"555-0143": "555-0143", "call the office": "call the office", "": ""}
    normalised = {"(206) 555-0143": E164, "+44 20 7946 0958": "+442079460958", E164: E164}
    patients = {typed: PatientFactory(phone=typed, consent_sms=False) for typed in {**kept, **normalised}}
    migration = importlib.import_module("intake.migrations.0009_phones_e164")
    migration.phones_to_e164(apps, None)
    for typed, expected in {**kept, **normalised}.items():
        patients[typed].refresh_from_db()
        assert patients[typed].phone == expected


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+12065550143", "(206) 555-0143"),  # the clinic's own country: as dialled there
        ("+442079460958", "+44 20 7946 0958"),  # another country: international
        ("", ""),
        ("not a number", "not a number"),  # a legacy value is shown as it is, never an error
    ],
)
def test_a_stored_number_is_shown_as_staff_read_it(stored, shown):
    assert phones.display(stored, "US") == shown


@pytest.mark.django_db
def test_pages_show_the_readable_number_and_dial_the_e164_one(client, front_desk):
    from datetime import UTC, datetime, timedelta

    import time_machine

    from infusions.models import Appointment, InfusionSeries
    from infusions.tests.helpers import at, bookable_patient, clinic, depression

    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        chair = clinic(chairs=1)[0]
        patient = bookable_patient(last_name="Callme", phone="+12065550143")
        series = InfusionSeries.objects.create(
            location=chair.location, patient=patient, protocol=depression(), created_by=front_desk
        )
        start = at(datetime(2026, 12, 2).date(), 9)
        Appointment.objects.create(
            series=series, patient=patient, chair=chair, sequence=1, start=start, end=start + timedelta(minutes=90)
        )
        client.force_login(front_desk)
        html = client.get(reverse("infusions:worklists")).content.decode()
    assert 'href="tel:+12065550143"' in html and "(206) 555-0143" in html
