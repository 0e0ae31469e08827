"""The infusion day's pages through the test client: who may open the record and post each step, the
check-in form's errors next to their fields with everything typed kept, a record page whose query count
does not grow with the flowsheet, the printable record, and the clinicians' queue and urgent badge."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.roles import NURSE
from clinic.tests.factories import LocationFactory, UserFactory, clinician, front_desk
from infusions.booking.services import series_book
from infusions.infusion_day import chairside
from infusions.infusion_day.services import (
    ReadingValues,
    record_add_reading,
    record_check_in,
    record_discharge,
    record_end_infusion,
    record_order_dose,
    record_start,
)
from infusions.models import AdverseEvent, Amendment, Appointment, InfusionRecord, VitalReading
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, series_visits
from intake.models import SafetyAlert

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
ALL_TICKED = [code for code, _ in chairside.DISCHARGE_CHECKLIST]
STARTED = at(MONDAY, 9, 1)
ENDED = at(MONDAY, 9, 41)
OBSERVED = ENDED + timedelta(minutes=30)


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:  # booking day
        yield traveller


@pytest.fixture
def visit(traveller):
    """The first visit of a series at 09:00 on MONDAY (Lovelace, Ada); the clock stands at 09:00 that day."""
    chair, _ = clinic()
    series = series_book(
        patient=bookable_patient(first_name="Ada", last_name="Lovelace"),
        visits=series_visits(MONDAY, chair),
        by=front_desk(),
    )
    traveller.move_to(at(MONDAY, 9, 0))
    return series.appointments.get(sequence=1)


def url(name, visit) -> str:
    return reverse(f"infusions:{name}", args=[visit.pk])


def check_in_post(**changes) -> dict:
    """A complete, valid check-in as the browser posts it (prefix "checkin"), PHQ-9 item 9 answered 0."""
    data = {
        "weight_kg": "71.5",
        "systolic": "128",
        "diastolic": "84",
        "heart_rate": "76",
        "spo2": "97",
        "fasting_kept": "on",
        "escort_name": "Sam Driver",
        "escort_phone": "+15550109999",
        "medication_changes": "Sertraline stopped last week",
        **{f"phq9_{n}": "1" for n in range(1, 8)},
        "phq9_8": "2",
        "phq9_9": "0",
        "gad7_not_done": "on",
        **changes,
    }
    return {f"checkin-{name}": value for name, value in data.items() if value is not None}


# --- The record's state, step by step through the services ------------------------------------------


def checked_in(visit, nurse, **changes) -> InfusionRecord:
    return record_check_in(appointment=visit, values=clean_check_in(**changes), by=nurse)


def started(visit, nurse, prescriber, traveller) -> InfusionRecord:
    record = checked_in(visit, nurse)
    record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
    traveller.move_to(STARTED)
    return record_start(record=record, by=nurse)


def running_40_minutes(visit, nurse, prescriber, traveller) -> InfusionRecord:
    """Started at 09:01, the clock at 09:41: the whole bag has run."""
    record = started(visit, nurse, prescriber, traveller)
    traveller.move_to(ENDED)
    return record


def ended(visit, nurse, prescriber, traveller) -> InfusionRecord:
    """Ended at 09:41; at 10:11 observation is complete and a reading in range was taken: ready to discharge."""
    record = started(visit, nurse, prescriber, traveller)
    traveller.move_to(ENDED)
    record = record_end_infusion(record=record, dose_given_mg="35.0", by=nurse)
    traveller.move_to(OBSERVED)
    record_add_reading(
        record=record, values=ReadingValues(systolic=124, diastolic=80, heart_rate=72, spo2=98), by=nurse
    )
    return record


def signed(visit, nurse, prescriber, traveller) -> InfusionRecord:
    record = ended(visit, nurse, prescriber, traveller)
    return record_discharge(record=record, checklist=ALL_TICKED, by=nurse)


# Each step's URL: the state in which it would succeed, a valid POST, and who may make it.
STEPS = {
    "record_check_in": (lambda v, n, p, t: None, check_in_post(), "nurse"),
    "record_gate": (
        lambda v, n, p, t: checked_in(v, n, systolic=150, diastolic=90),
        {"gate-gate": "BP_NEEDS_DECISION", "gate-note": "Weighed delaying: start."},
        "prescriber",
    ),
    "record_order": (
        lambda v, n, p, t: checked_in(v, n),
        {"order-mg_per_kg": "0.5", "order-vial_mg_per_ml": "50", "order-bag_ml": "100"},
        "prescriber",
    ),
    "record_start": (
        lambda v, n, p, t: record_order_dose(record=checked_in(v, n), mg_per_kg="0.5", vial_mg_per_ml=50, by=p),
        {},
        "nurse",
    ),
    "record_reading": (
        started,
        {"reading-systolic": "120", "reading-diastolic": "80", "reading-heart_rate": "70", "reading-spo2": "98"},
        "nurse",
    ),
    "record_event": (
        started,
        {"event-kind": "nausea", "event-severity": "mild", "event-action": "none", "event-outcome": "resolved"},
        "nurse",
    ),
    "record_end": (running_40_minutes, {"end-dose_given_mg": "35.0"}, "nurse"),
    "record_ready": (ended, {}, "nurse"),
    "record_discharge": (ended, {"discharge-checklist": ALL_TICKED}, "nurse"),
    "record_amend": (signed, {"amend-text": "BP at 09:11 was 150/90.", "amend-reason": "Transcription."}, "nurse"),
}


def snapshot(visit) -> dict:
    """Everything a step could change: the visit's status, its record's fields, every row of the day."""
    record = InfusionRecord.objects.filter(appointment=visit).first()
    return {
        "status": Appointment.objects.get(pk=visit.pk).status,
        "record": model_to_dict(record) if record else None,
        "record_history": record.history.count() if record else 0,
        "rows": [m.objects.count() for m in (InfusionRecord, VitalReading, AdverseEvent, Amendment, SafetyAlert)],
    }


# --- Who may open the record and post each step -------------------------------------------------------


def test_the_front_desk_may_not_open_the_record(client, visit, nurse, prescriber, traveller):
    started(visit, nurse, prescriber, traveller)
    client.force_login(front_desk())
    response = client.get(url("record", visit))
    assert response.status_code == 403
    assert b"Lovelace" not in response.content
    assert client.get(url("record_print", visit)).status_code == 403


@pytest.mark.parametrize("step", list(STEPS))
def test_the_front_desk_may_not_post_any_step_and_nothing_changes(client, visit, nurse, prescriber, traveller, step):
    prepare, data, who = STEPS[step]
    prepare(visit, nurse, prescriber, traveller)
    before = snapshot(visit)

    client.force_login(front_desk())
    assert client.post(url(step, visit), data).status_code == 403
    assert snapshot(visit) == before

    # The same POST by the role that may make it does change the record: the 403 was the permission.
    client.force_login({"nurse": nurse, "prescriber": prescriber}[who])
    response = client.post(url(step, visit), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert snapshot(visit) != before


def test_a_nurse_may_not_order_the_dose_but_a_clinician_may(client, visit, nurse, prescriber):
    record = checked_in(visit, nurse)
    data = {"order-mg_per_kg": "0.5", "order-vial_mg_per_ml": "50", "order-bag_ml": "100"}

    client.force_login(nurse)
    assert client.post(url("record_order", visit), data).status_code == 403
    record.refresh_from_db()
    assert record.ordered_at is None and record.dose_mg is None

    client.force_login(prescriber)
    response = client.post(url("record_order", visit), data)
    assert response.status_code == 302 and response.url == url("record", visit) + "#order"
    record.refresh_from_db()
    assert record.ordered_by == prescriber
    assert (record.dose_mg, record.volume_ml, record.rate_ml_per_hour) == (
        Decimal("35.0"),
        Decimal("0.70"),
        Decimal("150.0"),
    )


def test_an_order_above_the_ceiling_is_shown_next_to_the_dose_with_the_values_kept(client, visit, nurse, prescriber):
    protocol = visit.series.protocol
    protocol.max_dose_mg_per_kg = Decimal("0.75")
    protocol.save()
    record = checked_in(visit, nurse)
    client.force_login(prescriber)
    data = {"order-mg_per_kg": "0.80", "order-vial_mg_per_ml": "10", "order-bag_ml": "250"}
    response = client.post(url("record_order", visit), data)
    assert response.status_code == 400
    html = response.content.decode()
    dose = re.search(r'<div id="div_id_order-mg_per_kg".*?(?=<div id="div_id_)', html, re.S).group(0)
    assert "above this protocol&#x27;s ceiling of 0.75 mg/kg" in dose and 'value="0.80"' in dose
    assert re.search(r'<option value="10"\s+selected>', html)
    assert re.search(r'name="order-bag_ml" value="250"', html)
    record.refresh_from_db()
    assert record.ordered_at is None


def test_a_nurse_may_not_release_a_gate(client, visit, nurse):
    record = checked_in(visit, nurse, systolic=150, diastolic=90)
    client.force_login(nurse)
    data = {"gate-gate": "BP_NEEDS_DECISION", "gate-note": "Start."}
    assert client.post(url("record_gate", visit), data).status_code == 403
    record.refresh_from_db()
    assert record.bp_decision_at is None


def test_a_nurse_sees_no_order_form_and_a_clinician_does(client, visit, nurse, prescriber):
    checked_in(visit, nurse)
    client.force_login(nurse)
    assert url("record_order", visit) not in client.get(url("record", visit)).content.decode()
    client.force_login(prescriber)
    assert url("record_order", visit) in client.get(url("record", visit)).content.decode()


def test_a_nurse_at_another_location_may_neither_open_nor_post(client, visit, nurse):
    elsewhere = UserFactory(role=NURSE, locations=[LocationFactory(name="Uptown")])
    client.force_login(elsewhere)
    assert client.get(url("record", visit)).status_code == 403
    assert client.post(url("record_check_in", visit), check_in_post()).status_code == 403
    assert not InfusionRecord.objects.exists()

    checked_in(visit, nurse)
    assert client.get(url("record", visit)).status_code == 403
    assert client.get(url("record_print", visit)).status_code == 403
    data = {"reading-systolic": "120", "reading-diastolic": "80"}
    assert client.post(url("record_reading", visit), data).status_code == 403
    assert not VitalReading.objects.exists()


# --- Check-in through the page ------------------------------------------------------------------------


def field_block(html: str, name: str) -> str:
    """The HTML of one crispy field wrapper (label, input and its errors), by field name."""
    match = re.search(rf'<div id="div_id_checkin-{name}".*?(?=<div id="div_id_|<fieldset|</form>)', html, re.S)
    assert match, f"no field {name} on the page"
    return match.group(0)


def test_a_nurse_checks_the_patient_in_through_the_page(client, visit, nurse):
    client.force_login(nurse)
    page = client.get(url("record", visit))
    assert page.status_code == 200 and 'data-testid="check-in-form"' in page.content.decode()

    response = client.post(url("record_check_in", visit), check_in_post())
    assert response.status_code == 302 and response.url == url("record", visit) + "#checkin"
    record = InfusionRecord.objects.get(appointment=visit)
    assert (record.weight_kg, record.systolic, record.diastolic, record.escort_name) == (
        Decimal("71.5"),
        128,
        84,
        "Sam Driver",
    )
    assert record.questionnaires == {"phq9": [1, 1, 1, 1, 1, 1, 1, 2, 0]}
    assert record.medication_changes == "Sertraline stopped last week"
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.ARRIVED


@pytest.mark.parametrize(
    ("systolic", "message"),
    [("abc", "Enter a whole number."), ("400", "less than or equal to 280"), ("12", "greater than or equal to 60")],
)
def test_a_bad_check_in_value_is_shown_next_to_its_field_with_everything_typed_kept(
    client, visit, nurse, systolic, message
):
    client.force_login(nurse)
    response = client.post(url("record_check_in", visit), check_in_post(systolic=systolic))
    assert response.status_code == 400
    assert not InfusionRecord.objects.exists()
    html = response.content.decode()

    assert message in field_block(html, "systolic")
    assert "is-invalid" in field_block(html, "systolic")
    assert message not in field_block(html, "diastolic")
    assert f'value="{systolic}"' in field_block(html, "systolic")
    assert 'value="71.5"' in field_block(html, "weight_kg")
    assert 'value="84"' in field_block(html, "diastolic")
    assert 'value="76"' in field_block(html, "heart_rate")
    assert 'value="97"' in field_block(html, "spo2")
    assert 'value="Sam Driver"' in field_block(html, "escort_name")
    assert 'value="+15550109999"' in field_block(html, "escort_phone")
    assert "Sertraline stopped last week" in field_block(html, "medication_changes")
    assert re.search(r'name="checkin-fasting_kept"[^>]*checked', field_block(html, "fasting_kept"))
    assert re.search(r'name="checkin-phq9_8" value="2"[^>]*checked', html)
    assert re.search(r'name="checkin-phq9_9" value="0"[^>]*checked', html)


def test_a_check_in_without_phq9_item_9_is_refused_next_to_it(client, visit, nurse):
    client.force_login(nurse)
    response = client.post(url("record_check_in", visit), check_in_post(phq9_9=None))
    assert response.status_code == 400
    assert not InfusionRecord.objects.exists()
    assert "Answer this item" in response.content.decode()


def test_a_positive_item_9_at_check_in_shows_988_on_the_record(client, visit, nurse):
    client.force_login(nurse)
    client.post(url("record_check_in", visit), check_in_post(phq9_9="2"))
    html = client.get(url("record", visit)).content.decode()
    assert 'data-testid="crisis-box"' in html
    assert "call or text 988" in html
    assert SafetyAlert.objects.open().filter(patient=visit.patient).count() == 1


# --- The record page's queries do not grow with the flowsheet -----------------------------------------


def add_readings(record, nurse, count):
    rows = [
        VitalReading(
            record=record,
            taken_at=STARTED + timedelta(minutes=n),
            taken_by=nurse,
            phase="infusion",
            systolic=120 + n % 70,
            diastolic=80,
            heart_rate=70,
            spo2=98,
            out_of_range=["systolic"] if n % 7 == 0 else [],
            action_note="Watched." if n % 7 == 0 else "",
        )
        for n in range(count)
    ]
    VitalReading.objects.bulk_create(rows)


def record_page_queries(client, visit) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("record", visit))
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def test_the_record_page_s_query_count_does_not_grow_with_the_readings(client, visit, nurse, prescriber, traveller):
    record = started(visit, nurse, prescriber, traveller)
    record_add_reading(record=record, values=ReadingValues(systolic=120, diastolic=80), by=nurse)  # a real one
    add_readings(record, nurse, 9)
    client.force_login(nurse)
    client.get(url("record", visit))  # warm per-process caches (content types, sessions)
    with_10, html = record_page_queries(client, visit)
    assert html.count('data-testid="reading-row"') == 10

    add_readings(record, nurse, 90)
    with_100, html = record_page_queries(client, visit)
    assert html.count('data-testid="reading-row"') == 100
    assert with_100 == with_10


# --- The printable record ---------------------------------------------------------------------------


def test_the_print_view_shows_the_signed_record_s_dose_readings_and_discharge(
    client, visit, nurse, prescriber, traveller
):
    record = started(visit, nurse, prescriber, traveller)
    traveller.move_to(STARTED + timedelta(minutes=10))
    record_add_reading(
        record=record,
        values=ReadingValues(systolic=182, diastolic=96, heart_rate=101, spo2=97, moaas=4, action_note="Rate halved."),
        by=nurse,
    )
    traveller.move_to(ENDED)
    record_end_infusion(record=record, dose_given_mg="30.0", end_note="Paused for 5 min.", by=nurse)
    traveller.move_to(OBSERVED)
    record_add_reading(
        record=record, values=ReadingValues(systolic=130, diastolic=84, heart_rate=80, spo2=98), by=nurse
    )
    record_discharge(record=record, checklist=ALL_TICKED, by=nurse)

    client.force_login(nurse)
    response = client.get(url("record_print", visit))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="print-record"' in html
    assert "Lovelace, Ada" in html
    assert "Signed at discharge by" in html
    assert "0.50 mg/kg = 35.0 mg (0.70 mL of 50 mg/mL) in 100 mL over 40 min at 150.0 mL/h" in html
    assert "dose given 30.0 mg (Paused for 5 min.)" in html
    assert "<td>09:11</td><td>infusion</td><td>182/96</td><td>101</td><td>97</td><td>4</td>" in html
    assert "Out of range (systolic): Rate halved." in html
    for _, label in chairside.DISCHARGE_CHECKLIST:
        assert f"Yes: {label}" in html


def test_the_print_view_is_404_before_the_check_in(client, visit, nurse):
    client.force_login(nurse)
    assert client.get(url("record_print", visit)).status_code == 404


# --- The clinicians' queue and the urgent badge -----------------------------------------------------------


def urgent_badge(html: str) -> int:
    match = re.search(r'data-testid="urgent-count">(\d+) urgent<', html)
    return int(match.group(1)) if match else 0


def test_the_queue_shows_the_check_in_s_safety_alert_with_988_and_the_badge_counts_it(client, visit, nurse):
    doctor = clinician()
    client.force_login(doctor)
    queue = reverse("intake:queue")
    before = client.get(queue).content.decode()
    assert 'data-testid="alert-row"' not in before
    badge_before = urgent_badge(before)

    checked_in(visit, nurse, questionnaires={"phq9": [1, 1, 1, 1, 1, 1, 1, 0, 2]})

    html = client.get(queue).content.decode()
    (row,) = re.findall(r'<tr data-testid="alert-row">.*?</tr>', html, re.S)
    assert "Lovelace, Ada" in row
    assert "PHQ-9 item 9 answered 2 of 3 at check-in" in row
    assert "Check-in before an infusion" in row
    assert 'data-testid="crisis-box"' in html and "call or text 988" in html
    assert urgent_badge(html) == badge_before + 1


@pytest.mark.parametrize(
    ("indication", "asked", "not_asked"),
    [
        ("depression", [], ["gad7", "pcl5", "pain"]),
        ("anxiety", ["gad7"], ["pcl5", "pain"]),
        ("ptsd", ["pcl5"], ["gad7"]),
    ],
)
def test_the_check_in_asks_phq9_and_the_measure_that_fits_the_indication(client, indication, asked, not_asked):
    """PHQ-9 always (item 9 is the safety question), then the indication's measure (GAD-7, PCL-5, pain)."""
    from clinic.tests.factories import ScreeningFactory
    from infusions.infusion_day.views import check_in_measures

    screening = ScreeningFactory(outcome="clear", answers={"indication": indication}, intake__indication=indication)
    appointment = type("Visit", (), {"patient_id": screening.patient_id})()
    measures = check_in_measures(appointment)
    assert measures[0] == "phq9"
    assert all(m in measures for m in asked) and not any(m in measures for m in not_asked)
