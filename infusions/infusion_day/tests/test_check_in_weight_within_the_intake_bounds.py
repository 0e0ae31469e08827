"""Today's weight at check-in within the intake's bounds, in the service as on the page: 0, -5 and 650 kg are
refused next to the weight (0 used to be stored and crash the dose order); an unusual weight (under 35 or over
250 kg) is stored only once confirmed as checked, as the intake asks; "82,5" typed is 82.5 kg."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from clinic.refusals import Refused
from clinic.tests.factories import front_desk
from infusions.booking.services import series_book
from infusions.infusion_day.services import record_check_in, record_order_dose
from infusions.models import Appointment, InfusionRecord
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, series_visits
from intake.models import SafetyAlert

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
OUT_OF_BOUNDS = "Give today's weight in kg, from 30 to 300."
UNUSUAL = "A weight under 35 or over 250 kg is unusual: check it. Confirm it was checked."


@pytest.fixture
def visit():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        chair, _ = clinic()
        series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
        traveller.move_to(at(MONDAY, 9, 0))
        yield series.appointments.get(sequence=1)


def nothing_stored(visit):
    assert not InfusionRecord.objects.exists()
    assert not SafetyAlert.objects.exists()
    assert Appointment.objects.get(pk=visit.pk).status == Appointment.Status.SCHEDULED


# --- Through the service -----------------------------------------------------------------------------------


@pytest.mark.parametrize("weight", [Decimal("0"), Decimal("-5"), Decimal("650"), 0, "650", Decimal("29.9")])
def test_the_service_refuses_a_weight_outside_the_intake_s_limits_next_to_the_weight(visit, nurse, weight):
    for confirmed in (False, True):
        with pytest.raises(Refused) as refused:
            record_check_in(
                appointment=visit, values=clean_check_in(weight_kg=weight, weight_confirmed=confirmed), by=nurse
            )
        assert refused.value.fields == {"weight_kg": [OUT_OF_BOUNDS]}
    nothing_stored(visit)


@pytest.mark.parametrize("weight", ["", "abc", "NaN", "Infinity", None])
def test_the_service_refuses_a_weight_that_is_no_number(visit, nurse, weight):
    with pytest.raises(Refused) as refused:
        record_check_in(appointment=visit, values=clean_check_in(weight_kg=weight), by=nurse)
    assert set(refused.value.fields) == {"weight_kg"}
    nothing_stored(visit)


def test_the_weight_and_the_questionnaire_are_refused_together(visit, nurse):
    with pytest.raises(Refused) as refused:
        record_check_in(
            appointment=visit, values=clean_check_in(weight_kg=Decimal("0"), questionnaires={"phq9": [0] * 8}), by=nurse
        )
    assert set(refused.value.fields) == {"weight_kg", "phq9"}
    nothing_stored(visit)


@pytest.mark.parametrize("weight", [Decimal("32"), Decimal("260")])
def test_an_unusual_weight_is_stored_only_once_confirmed(visit, nurse, prescriber, weight):
    with pytest.raises(Refused) as refused:
        record_check_in(appointment=visit, values=clean_check_in(weight_kg=weight), by=nurse)
    assert refused.value.fields == {"weight_kg": [UNUSUAL]}
    nothing_stored(visit)

    record = record_check_in(
        appointment=visit, values=clean_check_in(weight_kg=weight, weight_confirmed=True), by=nurse
    )
    assert InfusionRecord.objects.get(pk=record.pk).weight_kg == weight


def test_the_weight_is_kept_to_a_tenth_of_a_kg_and_a_decimal_comma_is_read(visit, nurse, prescriber):
    record = record_check_in(appointment=visit, values=clean_check_in(weight_kg="82,46"), by=nurse)
    assert InfusionRecord.objects.get(pk=record.pk).weight_kg == Decimal("82.5")
    record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
    assert InfusionRecord.objects.get(pk=record.pk).dose_mg == Decimal("41.3")  # 0.5 × 82.5 = 41.25


def test_the_database_refuses_a_weight_outside_the_limits_written_around_the_service(visit, nurse):
    record = record_check_in(appointment=visit, values=clean_check_in(), by=nurse)
    with pytest.raises(IntegrityError), transaction.atomic():
        InfusionRecord.objects.filter(pk=record.pk).update(weight_kg=Decimal("0"))
    assert InfusionRecord.objects.get(pk=record.pk).weight_kg == Decimal("70.0")


# --- Through the page --------------------------------------------------------------------------------------


def check_in_post(**changes) -> dict:
    data = {
        "weight_kg": "71.5",
        "systolic": "128",
        "diastolic": "84",
        "heart_rate": "76",
        "spo2": "97",
        "fasting_kept": "on",
        "escort_name": "Sam Driver",
        "escort_phone": "+15550109999",
        **{f"phq9_{n}": "1" for n in range(1, 9)},
        "phq9_9": "0",
        "gad7_not_done": "on",
        **changes,
    }
    return {f"checkin-{name}": value for name, value in data.items()}


def field_block(html: str, name: str) -> str:
    match = re.search(rf'<div id="div_id_checkin-{name}".*?(?=<div id="div_id_|<fieldset|</form>)', html, re.S)
    assert match, f"no field {name} on the page"
    return match.group(0)


def post(client, visit, **changes):
    return client.post(reverse("infusions:record_check_in", args=[visit.pk]), check_in_post(**changes))


@pytest.mark.parametrize("typed", ["0", "-5", "650"])
def test_the_page_refuses_the_weight_next_to_its_field_with_what_was_typed(client, visit, nurse, typed):
    client.force_login(nurse)
    response = post(client, visit, weight_kg=typed)
    assert response.status_code == 400
    block = field_block(response.content.decode(), "weight_kg")
    assert "is-invalid" in block and f'value="{typed}"' in block
    assert re.search(r"greater than or equal to 30|less than or equal to 300", block)
    nothing_stored(visit)


def test_the_page_asks_to_confirm_an_unusual_weight_then_stores_it(client, visit, nurse):
    client.force_login(nurse)
    response = post(client, visit, weight_kg="32")
    assert response.status_code == 400
    html = response.content.decode()
    assert UNUSUAL in field_block(html, "weight_kg")
    assert 'data-testid="weight-unusual"' in html and 'name="checkin-weight_confirmed"' in html
    nothing_stored(visit)

    response = post(client, visit, weight_kg="32", weight_confirmed="on")
    assert response.status_code == 302
    assert InfusionRecord.objects.get(appointment=visit).weight_kg == Decimal("32.0")


def test_the_confirmation_box_is_not_shown_for_a_usual_weight(client, visit, nurse):
    client.force_login(nurse)
    response = post(client, visit, weight_kg="71.5", systolic="")
    assert response.status_code == 400
    assert 'name="checkin-weight_confirmed"' not in response.content.decode()


def test_the_page_reads_a_decimal_comma(client, visit, nurse):
    client.force_login(nurse)
    response = post(client, visit, weight_kg="82,5")
    assert response.status_code == 302
    assert InfusionRecord.objects.get(appointment=visit).weight_kg == Decimal("82.5")


def test_the_weight_box_takes_a_comma_in_the_browser(client, visit, nurse):
    """A number box drops "82,5" in most browsers before it is posted: the weight is a text box with the decimal
    keypad."""
    client.force_login(nurse)
    html = client.get(reverse("infusions:record", args=[visit.pk])).content.decode()
    (tag,) = re.findall(r'<input[^>]*name="checkin-weight_kg"[^>]*>', html)
    assert 'type="text"' in tag and 'inputmode="decimal"' in tag
