"""Discharge on the readings, through the services: refused while the latest reading is out of range (the
organisation's alert thresholds) or while no reading was taken since the infusion ended, however the checklist
is ticked, unless a prescriber records a discharge decision with a note; a nurse may not record one."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from clinic.context import clinic_context
from clinic.refusals import Refused
from clinic.roles import NURSE
from clinic.tests.factories import LocationFactory, UserFactory, clinician, front_desk
from infusions.booking.services import series_book
from infusions.infusion_day import chairside
from infusions.infusion_day.services import (
    ReadingValues,
    record_add_reading,
    record_check_in,
    record_discharge,
    record_discharge_decision,
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
MEASURED = {"systolic": 185, "diastolic": 112, "heart_rate": 96, "spo2": 90}  # the measured hole's last reading
NORMAL = {"systolic": 124, "diastolic": 80, "heart_rate": 72, "spo2": 98}


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def reading(record, by, **values):
    note = {"action_note": "Prescriber told."} if values.get("action_note") is None else {}
    return record_add_reading(record=record, values=ReadingValues(**values, **note), by=by)


def ended(traveller, nurse, prescriber, *, during=(NORMAL,), at_end=None) -> InfusionRecord:
    """A visit started at 09:01 with `during` read every 10 minutes (and `at_end` read at 09:41 just before the
    end), ended at 09:41 with the full dose."""
    chair, _ = clinic()
    series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
    traveller.move_to(at(MONDAY, 9, 0))
    record = record_check_in(appointment=series.appointments.get(sequence=1), values=clean_check_in(), by=nurse)
    record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
    traveller.move_to(STARTED)
    record_start(record=record, by=nurse)
    for n, values in enumerate(during, start=1):
        traveller.move_to(STARTED + timedelta(minutes=10 * n))
        reading(record, nurse, **values)
    traveller.move_to(ENDED)
    if at_end:
        reading(record, nurse, **at_end)
    return record_end_infusion(record=record, dose_given_mg=Decimal("35.0"), by=nurse)


def assert_not_discharged(record):
    record.refresh_from_db()
    assert record.discharged_at is None and record.discharged_by is None
    assert record.stage == InfusionRecord.Stage.OBSERVATION and record.discharge_checklist == []
    assert record.appointment.status == Appointment.Status.ARRIVED
    assert not PatientNotice.objects.filter(kind=PatientNotice.Kind.AFTERCARE).exists()


def refusal(record, nurse) -> list[str]:
    with pytest.raises(Refused) as refused:
        record_discharge(record=record, checklist=ALL_TICKED, by=nurse)
    assert set(refused.value.fields) == {"checklist"}  # shown next to the checklist
    return refused.value.fields["checklist"]


def test_the_measured_scenario_is_refused_with_every_item_ticked(traveller, nurse, prescriber):
    """185/112 with SpO2 90% last, nothing read in observation: ticking "Vital signs near baseline" is not enough."""
    record = ended(traveller, nurse, prescriber, during=(NORMAL, NORMAL, MEASURED))
    traveller.move_to(OBSERVED)
    messages = refusal(record, nurse)
    assert "No reading since the infusion ended at 09:41: take one before discharge." in messages
    (out_of_range,) = [m for m in messages if m.startswith("The last reading is out of range")]
    for words in ("Systolic 185 is above 180.", "Diastolic 112 is above 110.", "SpO2 90% is below 92%."):
        assert words in out_of_range
    assert "prescriber records a discharge decision" in " ".join(messages)
    assert_not_discharged(record)


def test_it_refuses_the_discharge_with_no_reading_since_the_infusion_ended(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber, during=(NORMAL, NORMAL, NORMAL))
    traveller.move_to(OBSERVED + timedelta(minutes=20))
    messages = refusal(record, nurse)
    assert messages[0] == "No reading since the infusion ended at 09:41: take one before discharge."
    assert not any("out of range" in m for m in messages)
    assert_not_discharged(record)


def test_a_reading_taken_at_the_end_s_instant_but_before_the_end_does_not_count(traveller, nurse, prescriber):
    """Read in the same instant the infusion was ended, but before "End": its phase is the infusion's."""
    record = ended(traveller, nurse, prescriber, at_end=NORMAL)
    assert list(record.readings.values_list("phase", "taken_at")) == [
        ("infusion", STARTED + timedelta(minutes=10)),
        ("infusion", ENDED),
    ]
    traveller.move_to(OBSERVED)
    assert refusal(record, nurse)[0] == "No reading since the infusion ended at 09:41: take one before discharge."
    assert_not_discharged(record)


@pytest.mark.parametrize(
    "values, words",
    [
        ({"systolic": 181, "diastolic": 80}, "Systolic 181 is above 180."),
        ({"systolic": 130, "diastolic": 111}, "Diastolic 111 is above 110."),
        ({"heart_rate": 121}, "Heart rate 121 is above 120."),
        ({"spo2": 91}, "SpO2 91% is below 92%."),
        ({"systolic": 89, "diastolic": 60}, "Systolic 89 is below 90."),
    ],
)
def test_it_refuses_the_discharge_while_the_last_reading_in_observation_is_out_of_range(
    traveller, nurse, prescriber, values, words
):
    record = ended(traveller, nurse, prescriber)
    traveller.move_to(OBSERVED)
    reading(record, nurse, **values)
    messages = refusal(record, nurse)
    assert f"The last reading is out of range: {words}" in messages
    assert not any(m.startswith("No reading") for m in messages)
    assert_not_discharged(record)


def test_the_organisation_s_thresholds_decide(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber)
    organisation = clinic_context().clinic
    organisation.alert_systolic = 160
    organisation.save()
    traveller.move_to(OBSERVED)
    reading(record, nurse, systolic=165, diastolic=90)
    assert "The last reading is out of range: Systolic 165 is above 160." in refusal(record, nurse)


def test_a_reading_at_the_thresholds_themselves_allows_the_discharge(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber)
    traveller.move_to(OBSERVED)
    reading(record, nurse, systolic=180, diastolic=110, heart_rate=120, spo2=92, action_note="")
    record_discharge(record=record, checklist=ALL_TICKED, by=nurse)
    record.refresh_from_db()
    assert record.is_signed and record.appointment.status == Appointment.Status.COMPLETED


def test_a_vital_sign_not_measured_again_keeps_its_last_value(traveller, nurse, prescriber):
    """185/112 in observation, then only the heart rate: the blood pressure's last value is still 185/112."""
    record = ended(traveller, nurse, prescriber)
    traveller.move_to(OBSERVED - timedelta(minutes=10))
    reading(record, nurse, systolic=185, diastolic=112)
    traveller.move_to(OBSERVED)
    reading(record, nurse, heart_rate=80, action_note="")
    messages = refusal(record, nurse)
    assert any("Systolic 185 is above 180." in m and "Diastolic 112 is above 110." in m for m in messages)
    assert_not_discharged(record)


def test_a_new_reading_in_range_after_one_out_of_range_allows_the_discharge(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber, during=(NORMAL, MEASURED))
    traveller.move_to(OBSERVED - timedelta(minutes=5))
    reading(record, nurse, **MEASURED)
    traveller.move_to(OBSERVED)
    reading(record, nurse, **NORMAL, action_note="")
    record_discharge(record=record, checklist=ALL_TICKED, by=nurse)
    record.refresh_from_db()
    assert record.is_signed and record.discharged_by == nurse
    assert record.discharge_decision_at is None


def test_a_prescriber_s_decision_allows_the_discharge_of_the_measured_scenario(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber, during=(NORMAL, NORMAL, MEASURED))
    traveller.move_to(OBSERVED)
    refusal(record, nurse)

    note = "Seen at the chair: asymptomatic, known hypertensive; home with escort, GP check tomorrow."
    record_discharge_decision(record=record, note=f"  {note} ", by=prescriber)
    record.refresh_from_db()
    assert (record.discharge_decision_by, record.discharge_decision_at) == (prescriber, OBSERVED)
    assert record.discharge_decision_note == note
    assert not record.is_signed  # the decision alone discharges nobody

    traveller.move_to(OBSERVED + timedelta(minutes=2))
    record_discharge(record=record, checklist=ALL_TICKED, by=nurse)
    record.refresh_from_db()
    assert record.is_signed and record.stage == InfusionRecord.Stage.DISCHARGED
    assert record.appointment.status == Appointment.Status.COMPLETED
    assert record.discharge_decision_by == prescriber


def test_a_decision_still_needs_every_checklist_item_and_the_observation_time(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber, during=(MEASURED,))
    traveller.move_to(ENDED + timedelta(minutes=10))
    record_discharge_decision(record=record, note="Discussed: discharge when observed.", by=prescriber)
    with pytest.raises(Refused) as refused:
        record_discharge(record=record, checklist=ALL_TICKED[:-1], by=nurse)
    messages = refused.value.fields["checklist"]
    assert messages[0] == "Observation not complete (until 10:11)."
    assert chairside.DISCHARGE_CHECKLIST[-1][1] in messages
    assert not any("reading" in m.lower() for m in messages)  # the decision covers the readings
    assert_not_discharged(record)


def test_a_nurse_may_not_record_the_discharge_decision(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber, during=(MEASURED,))
    traveller.move_to(OBSERVED)
    with pytest.raises(PermissionDenied):
        record_discharge_decision(record=record, note="Looks fine to me.", by=nurse)
    record.refresh_from_db()
    assert record.discharge_decision_at is None and record.discharge_decision_by is None
    assert record.discharge_decision_note == ""
    refusal(record, nurse)  # still refused
    assert_not_discharged(record)


def test_a_prescriber_of_another_location_may_not_record_it(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber, during=(MEASURED,))
    traveller.move_to(OBSERVED)
    elsewhere = clinician(locations=[LocationFactory(name="Denver")])
    with pytest.raises(PermissionDenied):
        record_discharge_decision(record=record, note="From afar.", by=elsewhere)
    record.refresh_from_db()
    assert record.discharge_decision_at is None


def test_the_decision_needs_a_note(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber, during=(MEASURED,))
    traveller.move_to(OBSERVED)
    with pytest.raises(Refused) as refused:
        record_discharge_decision(record=record, note="   ", by=prescriber)
    assert set(refused.value.fields) == {"note"}
    record.refresh_from_db()
    assert record.discharge_decision_at is None


def test_no_decision_is_recorded_when_the_readings_need_none(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber)
    traveller.move_to(OBSERVED)
    reading(record, nurse, **NORMAL, action_note="")
    with pytest.raises(Refused, match="need no discharge decision"):
        record_discharge_decision(record=record, note="Just in case.", by=prescriber)
    record.refresh_from_db()
    assert record.discharge_decision_at is None


def test_no_decision_before_the_infusion_has_ended(traveller, nurse, prescriber):
    chair, _ = clinic()
    series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
    traveller.move_to(at(MONDAY, 9, 0))
    record = record_check_in(appointment=series.appointments.get(sequence=1), values=clean_check_in(), by=nurse)
    with pytest.raises(Refused, match="Not possible while the patient is waiting"):
        record_discharge_decision(record=record, note="Early.", by=prescriber)
    record.refresh_from_db()
    assert record.discharge_decision_at is None


def test_a_reading_out_of_range_after_the_decision_needs_a_new_one(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber, during=(MEASURED,))
    traveller.move_to(OBSERVED - timedelta(minutes=5))
    record_discharge_decision(record=record, note="Asymptomatic; discharge with escort.", by=prescriber)
    traveller.move_to(OBSERVED)
    reading(record, nurse, systolic=200, diastolic=120)
    messages = refusal(record, nurse)
    assert any("Systolic 200 is above 180." in m for m in messages)
    assert_not_discharged(record)

    record_discharge_decision(record=record, note="Re-checked: 200/120 repeated at 190/105; discharge.", by=prescriber)
    record_discharge(record=record, checklist=ALL_TICKED, by=nurse)
    record.refresh_from_db()
    assert record.is_signed
    assert record.discharge_decision_note == "Re-checked: 200/120 repeated at 190/105; discharge."
    assert record.history.filter(discharge_decision_note="Asymptomatic; discharge with escort.").exists()


def test_a_signed_record_takes_no_decision(traveller, nurse, prescriber):
    record = ended(traveller, nurse, prescriber)
    traveller.move_to(OBSERVED)
    reading(record, nurse, **NORMAL, action_note="")
    record_discharge(record=record, checklist=ALL_TICKED, by=nurse)
    with pytest.raises(Refused, match="signed"):
        record_discharge_decision(record=record, note="Late.", by=prescriber)


def test_a_nurse_of_the_location_only_discharges(traveller, nurse, prescriber):
    """The discharge itself stays the nurses' and prescribers' (KEEP): a front desk user is refused."""
    record = ended(traveller, nurse, prescriber)
    traveller.move_to(OBSERVED)
    reading(record, nurse, **NORMAL, action_note="")
    with pytest.raises(PermissionDenied):
        record_discharge(record=record, checklist=ALL_TICKED, by=front_desk())
    other_nurse = UserFactory(role=NURSE, locations=[LocationFactory(name="Denver")])
    with pytest.raises(PermissionDenied):
        record_discharge(record=record, checklist=ALL_TICKED, by=other_nurse)
    assert_not_discharged(record)
