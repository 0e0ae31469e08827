"""The discharge on the record page: a refusal is shown next to the checklist with its ticks kept (400, nothing
stored); what the readings say stands before the checklist; a prescriber records a discharge decision there
(a nurse gets 403), shown on the record and its print; "written instructions given" links to the printable
after-care instructions."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from clinic.tests.factories import front_desk
from infusions.booking.services import series_book
from infusions.infusion_day import chairside
from infusions.infusion_day.services import (
    ReadingValues,
    record_add_reading,
    record_check_in,
    record_end_infusion,
    record_order_dose,
    record_start,
)
from infusions.models import Appointment, InfusionRecord, PatientNotice
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
ALL_TICKED = [code for code, _ in chairside.DISCHARGE_CHECKLIST]
STARTED = at(MONDAY, 9, 1)
ENDED = at(MONDAY, 9, 41)
OBSERVED = ENDED + timedelta(minutes=30)


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def record(traveller, nurse, prescriber) -> InfusionRecord:
    """The measured hole: 185/112 with SpO2 90% as the infusion's last reading, nothing read since its end at
    09:41; the clock at 10:11, observation complete."""
    chair, _ = clinic()
    series = series_book(
        patient=bookable_patient(first_name="Ada", last_name="Lovelace"),
        visits=series_visits(MONDAY, chair),
        by=front_desk(),
    )
    traveller.move_to(at(MONDAY, 9, 0))
    record = record_check_in(appointment=series.appointments.get(sequence=1), values=clean_check_in(), by=nurse)
    record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
    traveller.move_to(STARTED)
    record_start(record=record, by=nurse)
    traveller.move_to(ENDED - timedelta(minutes=1))
    values = ReadingValues(systolic=185, diastolic=112, heart_rate=96, spo2=90, action_note="Prescriber told.")
    record_add_reading(record=record, values=values, by=nurse)
    traveller.move_to(ENDED)
    record_end_infusion(record=record, dose_given_mg="35.0", by=nurse)
    traveller.move_to(OBSERVED)
    return record


def url(name, record) -> str:
    return reverse(f"infusions:{name}", args=[record.appointment_id])


def discharge_form(html: str) -> str:
    match = re.search(r'<form [^>]*data-testid="discharge-form".*?</form>', html, re.S)
    assert match, "no discharge form on the page"
    return match.group(0)


def ticked_boxes(form_html: str) -> set[str]:
    boxes = re.findall(r'<input type="checkbox"[^>]*>', form_html)
    assert len(boxes) == len(ALL_TICKED)
    return {re.search(r'value="(\w+)"', box).group(1) for box in boxes if re.search(r"\bchecked\b", box)}


def assert_nothing_stored(record):
    record.refresh_from_db()
    assert record.discharged_at is None and record.stage == InfusionRecord.Stage.OBSERVATION
    assert record.discharge_checklist == []
    assert record.appointment.status == Appointment.Status.ARRIVED
    assert not PatientNotice.objects.exists()


def test_a_refused_discharge_is_shown_next_to_the_checklist_with_its_ticks_kept(client, record, nurse):
    client.force_login(nurse)
    ticked = [code for code in ALL_TICKED if code != "WALKS_STEADILY"]
    response = client.post(url("record_discharge", record), {"discharge-checklist": ticked})

    assert response.status_code == 400
    form = discharge_form(response.content.decode())
    assert ticked_boxes(form) == set(ticked)
    assert "No reading since the infusion ended at 09:41: take one before discharge." in form
    assert "The last reading is out of range: Systolic 185 is above 180." in form
    assert "SpO2 90% is below 92%." in form
    assert "Walks steadily" in form.split('class="invalid-feedback"', 1)[1]  # the unticked item, named too
    assert_nothing_stored(record)


def test_every_item_ticked_is_still_refused_on_the_readings_and_every_tick_kept(client, record, nurse):
    client.force_login(nurse)
    response = client.post(url("record_discharge", record), {"discharge-checklist": ALL_TICKED})
    assert response.status_code == 400
    form = discharge_form(response.content.decode())
    assert ticked_boxes(form) == set(ALL_TICKED)
    assert "Diastolic 112 is above 110." in form
    assert_nothing_stored(record)


def test_the_record_page_says_what_the_readings_need_before_the_checklist(client, record, nurse, prescriber):
    client.force_login(nurse)
    html = client.get(url("record", record)).content.decode()
    flags = re.search(r'data-testid="discharge-flags".*?</div>', html, re.S).group(0)
    assert "No reading since the infusion ended at 09:41" in flags
    assert "Systolic 185 is above 180." in flags
    assert 'data-testid="decision-form"' not in html  # the nurse has no decision to record

    client.force_login(prescriber)
    html = client.get(url("record", record)).content.decode()
    assert 'data-testid="decision-form"' in html
    assert f'action="{url("record_discharge_decision", record)}"' in html


def test_a_nurse_may_not_record_the_discharge_decision_by_the_page(client, record, nurse):
    client.force_login(nurse)
    response = client.post(url("record_discharge_decision", record), {"decision-note": "Looks fine."})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.discharge_decision_at is None and record.discharge_decision_note == ""


def test_a_prescriber_records_the_decision_and_the_nurse_then_discharges(client, record, nurse, prescriber):
    client.force_login(prescriber)
    note = "Seen at the chair: asymptomatic, known hypertensive; home with escort."
    response = client.post(url("record_discharge_decision", record), {"decision-note": note})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.discharge_decision_by, record.discharge_decision_note) == (prescriber, note)

    client.force_login(nurse)
    html = client.get(url("record", record)).content.decode()
    assert 'data-testid="discharge-flags"' not in html
    assert f"discharge decision by {prescriber} at 10:11: {note}" in html
    response = client.post(url("record_discharge", record), {"discharge-checklist": ALL_TICKED})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.is_signed and record.appointment.status == Appointment.Status.COMPLETED

    printed = client.get(url("record_print", record)).content.decode()
    assert f"Prescriber's discharge decision ({prescriber}, 10:11): {note}" in printed


def test_a_decision_without_a_note_is_refused_next_to_it(client, record, prescriber):
    client.force_login(prescriber)
    response = client.post(url("record_discharge_decision", record), {"decision-note": ""})
    assert response.status_code == 400
    form = re.search(r'<form [^>]*data-testid="decision-form".*?</form>', response.content.decode(), re.S).group(0)
    assert "This field is required." in form
    record.refresh_from_db()
    assert record.discharge_decision_at is None


def test_written_instructions_given_links_to_the_printable_after_care_page(client, record, nurse):
    client.force_login(nurse)
    form = discharge_form(client.get(url("record", record)).content.decode())
    label = re.search(r'value="INSTRUCTIONS_GIVEN".*?</label>', form, re.S).group(0)
    assert "Written instructions given: no driving until the next day after sleep" in label
    assert f'href="{url("record_aftercare", record)}"' in label
