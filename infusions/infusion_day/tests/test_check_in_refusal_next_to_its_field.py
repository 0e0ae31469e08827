"""The check-in page shows the check-in service's refusal the one way pages do: a refusal about a value next
to its field with everything typed kept (400, nothing stored); a refusal about the visit as a message."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from clinic.refusals import Refused
from clinic.tests.factories import front_desk
from infusions.booking.services import series_book
from infusions.infusion_day import services as visit_record
from infusions.models import Appointment, InfusionRecord
from infusions.tests.helpers import at, bookable_patient, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
WEIGH_AGAIN = "Weight today differs from the last visit by more than 10 kg: weigh again."


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def visit(traveller):
    """The first visit of a series at 09:00 on MONDAY; the clock stands at 09:00 that day."""
    chair, _ = clinic()
    series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
    traveller.move_to(at(MONDAY, 9, 0))
    return series.appointments.get(sequence=1)


def check_in_post(**changes) -> dict:
    data = {
        "weight_kg": "91.5",
        "systolic": "128",
        "diastolic": "84",
        "heart_rate": "76",
        "spo2": "97",
        "fasting_kept": "on",
        "escort_name": "Sam Driver",
        "escort_phone": "+15550109999",
        "medication_changes": "Sertraline stopped last week",
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


def test_a_refusal_about_a_value_is_shown_next_to_its_field_with_everything_typed_kept(
    client, visit, nurse, monkeypatch
):
    """The service has the last word over the form: a rule the form does not know (here a stand-in for one)
    refuses the weight, and the page puts the words under the weight, not at the top of the page."""
    called = []

    def refuse_the_weight(*, appointment, values, by):
        called.append((appointment.pk, values.weight_kg, by))
        raise Refused(fields={"weight_kg": WEIGH_AGAIN})

    monkeypatch.setattr(visit_record, "record_check_in", refuse_the_weight)
    client.force_login(nurse)
    response = client.post(reverse("infusions:record_check_in", args=[visit.pk]), check_in_post())

    assert response.status_code == 400
    assert [(pk, str(weight), by) for pk, weight, by in called] == [(visit.pk, "91.5", nurse)]
    html = response.content.decode()
    assert WEIGH_AGAIN in field_block(html, "weight_kg") and "is-invalid" in field_block(html, "weight_kg")
    assert html.count(WEIGH_AGAIN) == 1  # next to the weight only, not also as a message
    assert 'value="91.5"' in field_block(html, "weight_kg")
    assert 'value="84"' in field_block(html, "diastolic")
    assert 'value="Sam Driver"' in field_block(html, "escort_name")
    assert "Sertraline stopped last week" in field_block(html, "medication_changes")
    assert re.search(r'name="checkin-phq9_9" value="0"[^>]*checked', html)
    assert not InfusionRecord.objects.exists()
    assert Appointment.objects.get(pk=visit.pk).status == Appointment.Status.SCHEDULED


def test_a_refusal_about_the_visit_itself_is_a_message_on_the_record_page(client, visit, nurse, traveller):
    traveller.move_to(at(date(2026, 12, 4), 9, 0))  # three days early
    client.force_login(nurse)
    response = client.post(reverse("infusions:record_check_in", args=[visit.pk]), check_in_post(), follow=True)

    assert response.redirect_chain == [(reverse("infusions:record", args=[visit.pk]) + "#checkin", 302)]
    assert [m.message for m in response.context["messages"]] == ["A visit is checked in on its own day."]
    assert not InfusionRecord.objects.exists()
