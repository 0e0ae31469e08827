"""The infusion day's start gates and dose order, through the services, on both sides of every threshold.

BP above 180/100 defers the visit at check-in; above 140/90 the start waits for a prescriber's decision;
a positive PHQ-9 item 9 raises an urgent alert and the start waits for the same-day follow-up; not
fasting and no escort block the start; intoxication defers. The dose order is refused above the
protocol's ceiling and computed once (mg, mL of the vial, pump rate).
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from clinic.context import clinic_context
from clinic.refusals import Refused
from clinic.tests.factories import front_desk
from infusions.booking.services import series_book
from infusions.infusion_day.services import (
    gates,
    record_check_in,
    record_order_dose,
    record_release_gate,
    record_start,
    thresholds_for,
)
from infusions.models import Appointment, InfusionRecord
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, series_visits
from intake.models import SafetyAlert
from intake.selectors import urgent_count

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:  # booking day
        yield traveller


@pytest.fixture
def visit(traveller):
    """The first visit of a series, at 09:00 on MONDAY; the clock stands at 09:00 that day."""
    chair, _ = clinic()
    series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
    traveller.move_to(at(MONDAY, 9, 0))
    return series.appointments.get(sequence=1)


def check_in(visit, nurse, **changes) -> InfusionRecord:
    return record_check_in(appointment=visit, values=clean_check_in(**changes), by=nurse)


def order(record, prescriber, mg_per_kg="0.5", vial=50, **kwargs) -> InfusionRecord:
    return record_order_dose(record=record, mg_per_kg=mg_per_kg, vial_mg_per_ml=vial, by=prescriber, **kwargs)


def phq9(item9: int) -> dict:
    return {"phq9": [1, 1, 1, 1, 1, 1, 1, 0, item9]}


def gate_codes(record) -> list[str]:
    """The codes of the gates that apply to the record as saved (released ones included)."""
    record = InfusionRecord.objects.get(pk=record.pk)
    return [g.code for g in gates(record, thresholds_for(clinic_context(record.appointment.chair.location).clinic))]


# --- BP above the no-start threshold: deferred at check-in ------------------------------------------


@pytest.mark.parametrize(("systolic", "diastolic"), [(181, 100), (180, 101)])
def test_it_defers_the_visit_at_check_in_when_bp_is_above_180_over_100(visit, nurse, systolic, diastolic):
    record = check_in(visit, nurse, systolic=systolic, diastolic=diastolic)
    visit.refresh_from_db()
    record.refresh_from_db()
    assert visit.status == Appointment.Status.DEFERRED
    assert record.stage == InfusionRecord.Stage.DEFERRED
    assert f"Resting BP {systolic}/{diastolic} is above 180/100" in record.deferred_reason


def test_it_refuses_to_start_a_visit_deferred_for_bp(visit, nurse, prescriber):
    record = check_in(visit, nurse, systolic=181, diastolic=100)
    with pytest.raises(Refused):
        order(record, prescriber)
    with pytest.raises(Refused):
        record_start(record=record, by=nurse)
    record.refresh_from_db()
    assert record.started_at is None and record.ordered_at is None


def test_it_does_not_defer_at_exactly_180_over_100(visit, nurse):
    record = check_in(visit, nurse, systolic=180, diastolic=100)
    visit.refresh_from_db()
    record.refresh_from_db()
    assert visit.status == Appointment.Status.ARRIVED
    assert record.stage == InfusionRecord.Stage.CHECKED_IN
    assert record.deferred_reason == ""
    # Not deferred, but above 140/90: the prescriber's decision gate, never the no-start one.
    assert gate_codes(record) == ["BP_NEEDS_DECISION"]


# --- BP above the decision threshold: start only on a prescriber's decision -------------------------


@pytest.mark.parametrize(("systolic", "diastolic"), [(141, 90), (140, 91)])
def test_it_refuses_the_start_above_140_over_90_until_a_prescriber_decides(
    visit, nurse, prescriber, systolic, diastolic
):
    record = check_in(visit, nurse, systolic=systolic, diastolic=diastolic)
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.ARRIVED  # not deferred
    order(record, prescriber)
    with pytest.raises(Refused, match=f"Resting BP {systolic}/{diastolic} is above 140/90"):
        record_start(record=record, by=nurse)
    record.refresh_from_db()
    assert record.started_at is None

    record_release_gate(
        record=record, gate="BP_NEEDS_DECISION", note="Weighed delaying; BP stable, start.", by=prescriber
    )
    record.refresh_from_db()
    assert record.bp_decision_by == prescriber and record.bp_decision_note == "Weighed delaying; BP stable, start."
    record_start(record=record, by=nurse)
    record.refresh_from_db()
    assert record.stage == InfusionRecord.Stage.IN_CHAIR and record.started_at is not None


def test_it_refuses_a_bp_decision_without_a_note(visit, nurse, prescriber):
    record = check_in(visit, nurse, systolic=141, diastolic=90)
    with pytest.raises(Refused) as refused:
        record_release_gate(record=record, gate="BP_NEEDS_DECISION", note="  ", by=prescriber)
    assert "note" in refused.value.fields
    record.refresh_from_db()
    assert record.bp_decision_at is None


def test_it_starts_at_exactly_140_over_90_without_a_decision(visit, nurse, prescriber):
    record = check_in(visit, nurse, systolic=140, diastolic=90)
    assert gate_codes(record) == []
    order(record, prescriber)
    record_start(record=record, by=nurse)
    record.refresh_from_db()
    assert record.stage == InfusionRecord.Stage.IN_CHAIR
    assert record.bp_decision_at is None


def test_it_refuses_a_bp_decision_when_the_bp_needs_none(visit, nurse, prescriber):
    record = check_in(visit, nurse, systolic=140, diastolic=90)
    with pytest.raises(Refused, match="does not apply"):
        record_release_gate(record=record, gate="BP_NEEDS_DECISION", note="Start.", by=prescriber)


# --- PHQ-9 item 9 ---------------------------------------------------------------------------------


def test_it_raises_an_urgent_alert_for_a_positive_item_9_and_holds_the_start_until_the_follow_up(
    visit, nurse, prescriber
):
    before = urgent_count()
    record = check_in(visit, nurse, questionnaires=phq9(1))
    record.refresh_from_db()
    assert record.item9 == 1
    (alert,) = SafetyAlert.objects.open()
    assert alert.patient_id == visit.patient_id and alert.source == SafetyAlert.Source.CHECK_IN
    assert urgent_count() == before + 1
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.ARRIVED  # urgent, but not a deferral

    order(record, prescriber)
    with pytest.raises(Refused, match="988"):
        record_start(record=record, by=nurse)

    record_release_gate(
        record=record, gate="ITEM9_FOLLOW_UP", note="Spoke with the patient; safety plan.", by=prescriber
    )
    alert.refresh_from_db()
    assert not alert.is_open and alert.resolved_by == prescriber
    assert alert.follow_up == "Spoke with the patient; safety plan."
    assert urgent_count() == before
    record_start(record=record, by=nurse)
    record.refresh_from_db()
    assert record.stage == InfusionRecord.Stage.IN_CHAIR


def test_it_raises_no_alert_and_starts_when_item_9_is_0(visit, nurse, prescriber):
    before = urgent_count()
    record = check_in(visit, nurse, questionnaires=phq9(0))
    assert not SafetyAlert.objects.exists()
    assert urgent_count() == before
    assert "ITEM9_FOLLOW_UP" not in gate_codes(record)
    order(record, prescriber)
    record_start(record=record, by=nurse)
    record.refresh_from_db()
    assert record.stage == InfusionRecord.Stage.IN_CHAIR


def test_it_refuses_a_check_in_without_every_phq9_item(visit, nurse):
    with pytest.raises(Refused) as refused:
        check_in(visit, nurse, questionnaires={"phq9": [0] * 8})
    assert "phq9" in refused.value.fields
    assert not InfusionRecord.objects.exists()


# --- Fasting, escort, intoxication ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "gate", "wording"),
    [
        ({"fasting_kept": False}, "NOT_FASTING", "Fasting not kept"),
        ({"escort_name": "", "escort_phone": ""}, "NO_ESCORT", "No responsible adult"),
        ({"escort_phone": "  "}, "NO_ESCORT", "missing: phone"),
    ],
)
def test_it_refuses_the_start_without_fasting_or_an_escort_but_does_not_defer(
    visit, nurse, prescriber, changes, gate, wording
):
    record = check_in(visit, nurse, **changes)
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.ARRIVED
    assert gate_codes(record) == [gate]
    order(record, prescriber)
    with pytest.raises(Refused, match=wording):
        record_start(record=record, by=nurse)
    record.refresh_from_db()
    assert record.started_at is None and record.stage == InfusionRecord.Stage.CHECKED_IN


def test_a_prescriber_cannot_release_the_fasting_gate(visit, nurse, prescriber):
    record = check_in(visit, nurse, fasting_kept=False)
    with pytest.raises(Refused, match="not released by a decision"):
        record_release_gate(record=record, gate="NOT_FASTING", note="Start anyway.", by=prescriber)


def test_it_defers_an_intoxicated_patient_at_check_in(visit, nurse):
    record = check_in(visit, nurse, intoxicated=True)
    visit.refresh_from_db()
    record.refresh_from_db()
    assert visit.status == Appointment.Status.DEFERRED
    assert record.stage == InfusionRecord.Stage.DEFERRED
    assert "intoxicated" in record.deferred_reason


# --- The dose order -------------------------------------------------------------------------------


def test_it_computes_mg_ml_and_the_pump_rate_from_today_s_weight(visit, nurse, prescriber):
    record = check_in(visit, nurse, weight_kg=Decimal("70.0"))
    order(record, prescriber, mg_per_kg="0.5", vial=50, bag_ml=100)
    record.refresh_from_db()
    assert record.dose_mg_per_kg == Decimal("0.50")
    assert record.dose_mg == Decimal("35.0")  # 0.5 mg/kg × 70 kg
    assert record.vial_mg_per_ml == 50
    assert record.volume_ml == Decimal("0.70")  # 35 mg of 50 mg/mL
    assert (record.bag_ml, record.infusion_minutes) == (100, 40)
    assert record.rate_ml_per_hour == Decimal("150.0")  # 100 mL over 40 min
    assert record.ordered_by == prescriber and record.ordered_at is not None


def test_the_dose_follows_today_s_weight_not_the_intake_weight(visit, nurse, prescriber):
    record = check_in(visit, nurse, weight_kg=Decimal("80.0"))
    order(record, prescriber, mg_per_kg="0.5", vial=10)
    record.refresh_from_db()
    assert record.dose_mg == Decimal("40.0")
    assert record.volume_ml == Decimal("4.00")


def test_it_refuses_a_dose_above_the_protocol_s_ceiling_and_accepts_the_ceiling(visit, nurse, prescriber):
    protocol = visit.series.protocol
    protocol.max_dose_mg_per_kg = Decimal("0.75")
    protocol.save()
    record = check_in(visit, nurse)

    with pytest.raises(Refused) as refused:
        order(record, prescriber, mg_per_kg="0.76")
    assert "ceiling of 0.75 mg/kg" in refused.value.fields["mg_per_kg"][0]
    record.refresh_from_db()
    assert record.ordered_at is None and record.dose_mg is None

    order(record, prescriber, mg_per_kg="0.75")
    record.refresh_from_db()
    assert record.dose_mg_per_kg == Decimal("0.75")
    assert record.dose_mg == Decimal("52.5")


def test_it_refuses_a_vial_strength_that_does_not_exist(visit, nurse, prescriber):
    record = check_in(visit, nurse)
    with pytest.raises(Refused) as refused:
        order(record, prescriber, vial=25)
    assert "vial_mg_per_ml" in refused.value.fields


def test_it_refuses_the_start_without_a_dose_order(visit, nurse):
    record = check_in(visit, nurse)
    assert gate_codes(record) == []
    with pytest.raises(Refused, match="orders the dose before"):
        record_start(record=record, by=nurse)
    record.refresh_from_db()
    assert record.started_at is None and record.stage == InfusionRecord.Stage.CHECKED_IN
