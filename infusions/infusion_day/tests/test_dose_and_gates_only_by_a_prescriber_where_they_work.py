"""A start gate is released and a dose ordered only by a prescriber who works at the visit's location, however
the service is called: the page refused a nurse, the service now refuses them too (and the infusion cannot start),
as it refuses a clinician of another location and a superuser with no role. Nothing of the record changes."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from clinic.refusals import Refused
from clinic.roles import NURSE
from clinic.tests.factories import ChairFactory, LocationFactory, UserFactory, clinician, front_desk, open_every_day
from infusions.booking.services import series_book
from infusions.infusion_day.services import (
    record_check_in,
    record_order_dose,
    record_release_gate,
    record_start,
)
from infusions.models import InfusionRecord
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, series_visits
from intake.models import SafetyAlert

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
RECORD_FIELDS = [field.attname for field in InfusionRecord._meta.concrete_fields]


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:  # booking day
        yield traveller


@pytest.fixture
def visit(traveller):
    chair, _ = clinic()
    series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
    traveller.move_to(at(MONDAY, 9, 0))
    return series.appointments.get(sequence=1)


@pytest.fixture
def high_bp(visit, nurse) -> InfusionRecord:
    """Checked in with BP 150/95: the start waits for a prescriber's decision."""
    return record_check_in(appointment=visit, values=clean_check_in(systolic=150, diastolic=95), by=nurse)


def as_saved(record) -> dict:
    row = InfusionRecord.objects.get(pk=record.pk)
    return {name: getattr(row, name) for name in RECORD_FIELDS}


def release_bp(record, by):
    return record_release_gate(record=record, gate="BP_NEEDS_DECISION", note="Rechecked: 138/88. Start.", by=by)


def order(record, by):
    return record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=by)


def elsewhere_clinician():
    """A clinician who works at another location only."""
    denver = LocationFactory(name="Denver")
    open_every_day(location=denver)
    ChairFactory(location=denver, name="Denver 1")
    return clinician(locations=[denver])


def superuser_without_role():
    from clinic.tests.factories import main_location

    return UserFactory(is_superuser=True, is_staff=True, locations=[main_location()])


def test_a_nurse_cannot_release_the_bp_gate_and_the_infusion_does_not_start(high_bp, nurse, prescriber):
    order(high_bp, prescriber)
    before = as_saved(high_bp)
    with pytest.raises(PermissionDenied):
        release_bp(high_bp, nurse)
    assert as_saved(high_bp) == before
    assert before["bp_decision_at"] is None and before["bp_decision_by_id"] is None
    with pytest.raises(Refused, match="150/95"):
        record_start(record=high_bp, by=nurse)
    assert as_saved(high_bp) == before


def test_a_nurse_cannot_order_the_dose_and_the_infusion_does_not_start(visit, nurse):
    record = record_check_in(appointment=visit, values=clean_check_in(), by=nurse)
    before = as_saved(record)
    with pytest.raises(PermissionDenied):
        order(record, nurse)
    assert as_saved(record) == before
    assert before["ordered_at"] is None and before["dose_mg"] is None
    with pytest.raises(Refused, match="orders the dose"):
        record_start(record=record, by=nurse)
    assert as_saved(record) == before


def test_a_nurse_cannot_record_the_item9_follow_up_and_the_alert_stays_open(visit, nurse):
    record = record_check_in(appointment=visit, values=clean_check_in(questionnaires={"phq9": [1] * 8 + [2]}), by=nurse)
    before = as_saved(record)
    with pytest.raises(PermissionDenied):
        record_release_gate(record=record, gate="ITEM9_FOLLOW_UP", note="Called; safe to proceed.", by=nurse)
    assert as_saved(record) == before
    assert SafetyAlert.objects.get().is_open


def test_a_clinician_at_the_location_releases_the_gate_and_orders_and_the_nurse_then_starts(high_bp, nurse, prescriber):
    release_bp(high_bp, prescriber)
    order(high_bp, prescriber)
    record_start(record=high_bp, by=nurse)
    saved = as_saved(high_bp)
    assert saved["bp_decision_by_id"] == prescriber.pk and saved["bp_decision_note"] == "Rechecked: 138/88. Start."
    assert saved["ordered_by_id"] == prescriber.pk and saved["dose_mg"] == 35
    assert saved["stage"] == InfusionRecord.Stage.IN_CHAIR and saved["started_by_id"] == nurse.pk


@pytest.mark.parametrize("who", [elsewhere_clinician, superuser_without_role])
def test_a_clinician_of_another_location_or_a_superuser_without_role_is_refused_both(high_bp, who):
    user = who()
    before = as_saved(high_bp)
    with pytest.raises(PermissionDenied):
        release_bp(high_bp, user)
    with pytest.raises(PermissionDenied):
        order(high_bp, user)
    assert as_saved(high_bp) == before


def test_a_nurse_of_another_location_cannot_check_the_patient_in_or_start(visit, nurse, prescriber):
    far_nurse = UserFactory(role=NURSE, locations=[LocationFactory(name="Denver")])
    with pytest.raises(PermissionDenied):
        record_check_in(appointment=visit, values=clean_check_in(), by=far_nurse)
    assert not InfusionRecord.objects.exists()
    record = record_check_in(appointment=visit, values=clean_check_in(), by=nurse)
    order(record, prescriber)
    before = as_saved(record)
    with pytest.raises(PermissionDenied):
        record_start(record=record, by=far_nurse)
    assert as_saved(record) == before and before["started_at"] is None
