"""The infusion day from the start to the signed record, through the services: the flowsheet's alert
thresholds, the dose given, observation and the discharge checklist, completion only by discharge, a
signed record that only takes amendments, and the escort's pickup text."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from clinic.refusals import Refused
from clinic.tests.factories import front_desk
from infusions.booking.services import appointment_mark, series_book
from infusions.infusion_day import chairside
from infusions.infusion_day.services import (
    AdverseEventValues,
    ReadingValues,
    record_add_adverse_event,
    record_add_reading,
    record_amend,
    record_check_in,
    record_discharge,
    record_end_infusion,
    record_order_dose,
    record_ready_for_pickup,
    record_start,
)
from infusions.models import Amendment, Appointment, InfusionRecord, VitalReading
from infusions.reminders import sms
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
ALL_TICKED = [code for code, _ in chairside.DISCHARGE_CHECKLIST]
STARTED = at(MONDAY, 9, 1)
ENDED = at(MONDAY, 9, 41)
OBSERVED = ENDED + timedelta(minutes=30)  # the organisation's default observation_minutes


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:  # booking day
        yield traveller


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "infusions.reminders.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def book(traveller, **patient):
    chair, _ = clinic()
    series = series_book(patient=bookable_patient(**patient), visits=series_visits(MONDAY, chair), by=front_desk())
    traveller.move_to(at(MONDAY, 9, 0))
    return series.appointments.get(sequence=1)


def started(traveller, nurse, prescriber, patient=None, **check_in) -> InfusionRecord:
    """A visit checked in at 09:00, 0.5 mg/kg × 70 kg = 35 mg ordered, started at 09:01."""
    visit = book(traveller, **(patient or {}))
    record = record_check_in(appointment=visit, values=clean_check_in(**check_in), by=nurse)
    record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
    traveller.move_to(STARTED)
    return record_start(record=record, by=nurse)


def ended(traveller, nurse, prescriber, **check_in) -> InfusionRecord:
    """As `started`, the full 35 mg given, ended at 09:41."""
    record = started(traveller, nurse, prescriber, **check_in)
    traveller.move_to(ENDED)
    return record_end_infusion(record=record, dose_given_mg=Decimal("35.0"), by=nurse)


def signed(traveller, nurse, prescriber) -> InfusionRecord:
    record = ended(traveller, nurse, prescriber)
    traveller.move_to(OBSERVED)
    reading(record, nurse)  # discharge needs a reading in observation, in range
    return record_discharge(record=record, checklist=ALL_TICKED, by=nurse)


def reading(record, nurse, **values) -> VitalReading:
    values = {"systolic": 120, "diastolic": 80, "heart_rate": 70, "spo2": 98, **values}
    return record_add_reading(record=record, values=ReadingValues(**values), by=nurse)


# --- The flowsheet ------------------------------------------------------------------------------


def test_it_refuses_a_reading_above_the_systolic_alert_without_an_action_note(traveller, nurse, prescriber):
    record = started(traveller, nurse, prescriber)
    with pytest.raises(Refused) as refused:
        reading(record, nurse, systolic=181)
    assert set(refused.value.fields) == {"action_note"}
    assert refused.value.fields["action_note"][0].endswith("Write the action taken.")
    assert not VitalReading.objects.exists()


def test_it_keeps_a_reading_above_the_alert_with_its_note_marked_out_of_range(traveller, nurse, prescriber):
    record = started(traveller, nurse, prescriber)
    row = reading(record, nurse, systolic=181, action_note="Rate reduced; prescriber told.")
    row.refresh_from_db()
    assert row.systolic == 181
    assert row.out_of_range == ["systolic"]
    assert row.action_note == "Rate reduced; prescriber told."
    assert row.phase == "infusion" and row.taken_by == nurse and row.taken_at == STARTED


def test_a_reading_at_the_systolic_alert_itself_needs_no_note(traveller, nurse, prescriber):
    record = started(traveller, nurse, prescriber)
    row = reading(record, nurse, systolic=180)
    row.refresh_from_db()
    assert row.out_of_range == [] and row.action_note == ""


@pytest.mark.parametrize(
    ("values", "field"),
    [({"diastolic": 111}, "diastolic"), ({"heart_rate": 121}, "heart_rate"), ({"spo2": 91}, "spo2")],
)
def test_the_other_alert_thresholds_also_need_an_action_note(traveller, nurse, prescriber, values, field):
    record = started(traveller, nurse, prescriber)
    with pytest.raises(Refused) as refused:
        reading(record, nurse, **values)
    assert "action_note" in refused.value.fields
    row = reading(record, nurse, **values, action_note="Watched; repeated.")
    assert row.out_of_range == [field]


def test_it_refuses_an_implausible_reading_next_to_its_field(traveller, nurse, prescriber):
    record = started(traveller, nurse, prescriber)
    with pytest.raises(Refused) as refused:
        reading(record, nurse, systolic=900, action_note="typo")
    assert "systolic" in refused.value.fields
    assert not VitalReading.objects.exists()


def test_an_adverse_event_with_medication_needs_its_dose_and_route(traveller, nurse, prescriber):
    record = started(traveller, nurse, prescriber)
    values = AdverseEventValues(
        kind="nausea", severity="mild", action="medication_given", outcome="resolved", medication="Ondansetron"
    )
    with pytest.raises(Refused) as refused:
        record_add_adverse_event(record=record, values=values, by=nurse)
    assert set(refused.value.fields) == {"medication_dose", "route"}
    event = record_add_adverse_event(
        record=record, values=replace(values, medication_dose="4 mg", route="IV"), by=nurse
    )
    assert (event.kind, event.medication, event.medication_dose, event.route) == ("nausea", "Ondansetron", "4 mg", "IV")


def test_an_adverse_event_no_form_offers_is_refused_by_the_service_and_nothing_is_stored(traveller, nurse, prescriber):
    record = started(traveller, nurse, prescriber)
    values = AdverseEventValues(kind="alien abduction", severity="mild", action="none", outcome="resolved")
    with pytest.raises(Refused) as refused:  # a script or the shell: no form checked the choice
        record_add_adverse_event(record=record, values=values, by=nurse)
    assert "kind" in refused.value.fields
    assert not record.adverse_events.exists()


# --- The dose given ---------------------------------------------------------------------------------


def test_less_than_ordered_given_needs_an_end_note(traveller, nurse, prescriber):
    record = started(traveller, nurse, prescriber)
    traveller.move_to(ENDED)
    with pytest.raises(Refused) as refused:
        record_end_infusion(record=record, dose_given_mg="20.0", by=nurse)
    assert set(refused.value.fields) == {"end_note"}
    record.refresh_from_db()
    assert record.ended_at is None and record.stage == InfusionRecord.Stage.IN_CHAIR

    record_end_infusion(record=record, dose_given_mg="20.0", end_note="Stopped: dissociation.", by=nurse)
    record.refresh_from_db()
    assert record.dose_given_mg == Decimal("20.0")
    assert record.dose_mg == Decimal("35.0")  # the order stays as ordered
    assert record.end_note == "Stopped: dissociation."
    assert record.stage == InfusionRecord.Stage.OBSERVATION and record.ended_at == ENDED


def test_the_full_dose_given_needs_no_end_note(traveller, nurse, prescriber):
    record = started(traveller, nurse, prescriber)
    traveller.move_to(ENDED)
    record_end_infusion(record=record, dose_given_mg="35.0", by=nurse)
    record.refresh_from_db()
    assert record.dose_given_mg == Decimal("35.0") and record.end_note == ""


def test_it_refuses_more_than_ordered_given(traveller, nurse, prescriber):
    record = started(traveller, nurse, prescriber)
    with pytest.raises(Refused) as refused:
        record_end_infusion(record=record, dose_given_mg="35.1", end_note="?", by=nurse)
    assert "dose_given_mg" in refused.value.fields


# --- Observation and discharge ------------------------------------------------------------------------


def test_it_refuses_the_discharge_before_the_observation_minutes_have_passed(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber)
    traveller.move_to(OBSERVED - timedelta(minutes=1))
    with pytest.raises(Refused, match="Observation not complete \\(until 10:11\\)"):
        record_discharge(record=record, checklist=ALL_TICKED, by=nurse)
    record.refresh_from_db()
    assert record.discharged_at is None and record.stage == InfusionRecord.Stage.OBSERVATION


def test_it_refuses_the_discharge_with_an_unticked_checklist_item(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber)
    traveller.move_to(OBSERVED)
    ticked = [code for code in ALL_TICKED if code != "WALKS_STEADILY"]
    with pytest.raises(Refused, match="Walks steadily") as refused:
        record_discharge(record=record, checklist=ticked, by=nurse)
    assert "Observation" not in str(refused.value)
    record.refresh_from_db()
    assert record.discharged_at is None


def test_a_visit_is_not_completed_except_by_its_discharge(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber)
    visit = record.appointment
    traveller.move_to(visit.end + timedelta(minutes=5))  # past its end: completion would be due by the clock
    with pytest.raises(Refused, match="discharge"):
        appointment_mark(appointment=visit, status="completed", by=front_desk())
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.ARRIVED

    reading(record, nurse)
    record_discharge(record=record, checklist=ALL_TICKED, by=nurse)
    visit.refresh_from_db()
    record.refresh_from_db()
    assert visit.status == Appointment.Status.COMPLETED
    assert record.is_signed and record.stage == InfusionRecord.Stage.DISCHARGED
    assert record.discharged_by == nurse and record.discharge_checklist == sorted(ALL_TICKED)


# --- The signed record ------------------------------------------------------------------------------


def test_a_signed_record_refuses_a_new_reading(traveller, nurse, prescriber):
    record = signed(traveller, nurse, prescriber)
    with pytest.raises(Refused, match="signed"):
        reading(record, nurse, systolic=150)
    assert list(VitalReading.objects.filter(record=record).values_list("systolic", flat=True)) == [120]


def test_a_signed_record_refuses_an_adverse_event_and_a_second_discharge(traveller, nurse, prescriber):
    record = signed(traveller, nurse, prescriber)
    values = AdverseEventValues(kind="headache", severity="mild", action="none", outcome="resolved")
    with pytest.raises(Refused, match="signed"):
        record_add_adverse_event(record=record, values=values, by=nurse)
    with pytest.raises(Refused, match="signed"):
        record_discharge(record=record, checklist=ALL_TICKED, by=nurse)


def test_an_amendment_is_written_beside_the_signed_record_which_keeps_its_values(traveller, nurse, prescriber):
    record = started(traveller, nurse, prescriber)
    traveller.move_to(STARTED + timedelta(minutes=10))
    row = reading(record, nurse, systolic=150, diastolic=95)
    traveller.move_to(ENDED)
    record_end_infusion(record=record, dose_given_mg="35.0", by=nurse)
    traveller.move_to(OBSERVED)
    reading(record, nurse)
    record_discharge(record=record, checklist=ALL_TICKED, by=nurse)
    record.refresh_from_db()
    record_before = InfusionRecord.objects.filter(pk=record.pk).values().get()
    reading_before = VitalReading.objects.filter(pk=row.pk).values().get()
    record_history = record.history.count()

    traveller.move_to(OBSERVED + timedelta(hours=2))
    amendment = record_amend(
        record=record, text="The 09:11 BP was 150/90, not 150/95.", reason="Transcription error.", by=nurse
    )

    assert VitalReading.objects.filter(pk=row.pk).values().get() == reading_before
    assert InfusionRecord.objects.filter(pk=record.pk).values().get() == record_before
    (saved,) = Amendment.objects.filter(record=record)
    assert saved.pk == amendment.pk
    assert (saved.text, saved.reason, saved.made_by) == (
        "The 09:11 BP was 150/90, not 150/95.",
        "Transcription error.",
        nurse,
    )
    # The history keeps every step of the record and the reading as it was recorded.
    assert record_history >= 5  # check-in, order, start, end, discharge
    assert record.history.count() == record_history
    (reading_history,) = row.history.all()
    assert (reading_history.systolic, reading_history.diastolic, reading_history.history_user) == (150, 95, nurse)
    assert record.history.filter(stage=InfusionRecord.Stage.DISCHARGED, history_user=nurse).exists()


def test_an_amendment_needs_a_text_and_a_reason_and_a_signed_record(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber)
    with pytest.raises(Refused, match="still open"):
        record_amend(record=record, text="x", reason="y", by=nurse)
    traveller.move_to(OBSERVED)
    reading(record, nurse)
    record_discharge(record=record, checklist=ALL_TICKED, by=nurse)
    with pytest.raises(Refused) as refused:
        record_amend(record=record, text=" ", reason="", by=nurse)
    assert set(refused.value.fields) == {"text", "reason"}
    assert not Amendment.objects.exists()


# --- Ready for pickup: the escort's text --------------------------------------------------------------


def test_ready_for_pickup_texts_the_escort_who_was_consented_with_the_first_name_and_location_only(
    traveller, nurse, prescriber, sms_outbox, django_capture_on_commit_callbacks
):
    record = started(
        traveller,
        nurse,
        prescriber,
        patient={"first_name": "Ada", "last_name": "Lovelace"},
        escort_sms_consent=True,
        escort_phone="+15550107777",
    )
    location = record.appointment.chair.location
    location.address = "12 Harbor Street, Oakland"
    location.save()
    reading(record, nurse, systolic=181, diastolic=99, heart_rate=88, action_note="Rate reduced.")
    traveller.move_to(ENDED)
    record_end_infusion(record=record, dose_given_mg="35.0", by=nurse)
    traveller.move_to(OBSERVED)
    with django_capture_on_commit_callbacks(execute=True):
        record_ready_for_pickup(record=record, by=nurse)

    record.refresh_from_db()
    assert record.stage == InfusionRecord.Stage.READY
    (message,) = sms_outbox
    assert message["to"] == "+15550107777"
    assert message["body"] == "Ada is ready to be picked up at Main location, 12 Harbor Street, Oakland."
    body = message["body"]
    for never in ("Lovelace", "181", "99", "88", "35", "120", "Rate reduced", "mg", "mmHg"):
        assert never not in body


def test_the_pickup_text_leaves_out_a_blank_address(
    traveller, nurse, prescriber, sms_outbox, django_capture_on_commit_callbacks
):
    record = ended(traveller, nurse, prescriber, escort_sms_consent=True)
    assert record.appointment.chair.location.address == ""
    traveller.move_to(OBSERVED)
    with django_capture_on_commit_callbacks(execute=True):
        record_ready_for_pickup(record=record, by=nurse)
    (message,) = sms_outbox
    assert message["body"].endswith("ready to be picked up at Main location.")


def test_ready_for_pickup_texts_nobody_without_the_consent(
    traveller, nurse, prescriber, sms_outbox, django_capture_on_commit_callbacks
):
    record = ended(traveller, nurse, prescriber, escort_sms_consent=False, escort_phone="+15550107777")
    traveller.move_to(OBSERVED)
    with django_capture_on_commit_callbacks(execute=True):
        record_ready_for_pickup(record=record, by=nurse)
    record.refresh_from_db()
    assert record.stage == InfusionRecord.Stage.READY
    assert sms_outbox == []


def test_ready_for_pickup_is_refused_before_the_observation_is_complete(
    traveller, nurse, prescriber, sms_outbox, django_capture_on_commit_callbacks
):
    record = ended(traveller, nurse, prescriber, escort_sms_consent=True)
    traveller.move_to(OBSERVED - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Refused, match="10:11"):
        record_ready_for_pickup(record=record, by=nurse)
    record.refresh_from_db()
    assert record.stage == InfusionRecord.Stage.OBSERVATION
    assert sms_outbox == []


def test_a_ready_patient_is_discharged_and_the_visit_completed(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber)
    traveller.move_to(OBSERVED)
    record_ready_for_pickup(record=record, by=nurse)
    reading(record, nurse)
    record_discharge(record=record, checklist=ALL_TICKED, by=nurse)
    record.refresh_from_db()
    assert record.is_signed
    assert record.appointment.status == Appointment.Status.COMPLETED
