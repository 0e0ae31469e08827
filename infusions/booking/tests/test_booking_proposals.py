"""The booking services decide eligibility and the protocol once, and return plain proposals."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.refusals import Refused
from clinic.tests.factories import ScreeningFactory, clinic_settings, front_desk, main_location
from infusions.booking import services
from infusions.infusion_day import selectors as infusion_day_selectors
from infusions.models import Appointment, InfusionSeries, Protocol
from infusions.tests.helpers import at, bookable_patient, clinic, series_visits

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 1)  # 08:00 local, a Tuesday
MONDAY = date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        yield


def screened_for(indication):
    answers = {"indication": indication}
    return ScreeningFactory(outcome="clear", answers=answers, intake__indication=indication).patient


def test_a_patient_who_may_not_be_booked_gets_the_eligibility_reason_and_no_plan():
    clinic()
    waiting = ScreeningFactory(outcome="review").patient
    proposal = services.series_propose(location=main_location(), patient=waiting)
    assert not proposal.bookable
    assert proposal.eligibility.reason == "Waiting for a clinician's review."
    assert (proposal.protocol, proposal.visits, proposal.refusal) == (None, (), "")


def test_the_series_proposal_carries_the_protocol_and_starts_no_earlier_than_today():
    chair, _ = clinic()
    proposal = services.series_propose(location=main_location(), patient=bookable_patient(), earliest=date(2026, 11, 1))
    assert proposal.bookable and proposal.protocol.indication == "depression"
    assert len(proposal.visits) == 6 and proposal.visits[0].start == at(TODAY, 8)
    assert proposal.chairs[chair.pk] == "Chair 1" and proposal.problems == ()


def test_an_edited_series_comes_back_with_the_rules_it_breaks():
    chair, _ = clinic()
    proposal = services.series_propose(
        location=main_location(), patient=bookable_patient(), visits=series_visits(MONDAY, chair, gap_days=1)
    )
    assert {p.kind for p in proposal.problems} == {"spacing"}
    assert [v.start for v in proposal.visits] == [start for start, _ in series_visits(MONDAY, chair, gap_days=1)]


def test_booking_a_series_uses_the_protocol_of_the_screened_indication():
    chair, _ = clinic()
    patient = screened_for("migraine")
    series = services.series_book(patient=patient, visits=series_visits(MONDAY, chair), by=front_desk())
    assert series.protocol.indication == "migraine"
    first = series.appointments.order_by("start").first()
    assert first.end - first.start == timedelta(minutes=180)  # the migraine protocol's chair time


def test_without_a_protocol_for_the_indication_the_proposal_and_the_booking_refuse():
    chair, _ = clinic()
    patient = screened_for("ocd")
    Protocol.objects.filter(indication="ocd").delete()
    proposal = services.series_propose(location=main_location(), patient=patient)
    assert not proposal.bookable and "No protocol is set up" in proposal.refusal
    with pytest.raises(Refused, match="No protocol is set up"):
        services.series_book(patient=patient, visits=series_visits(MONDAY, chair), by=front_desk())
    assert not Appointment.objects.exists()


def test_maintenance_is_refused_before_a_completed_series_or_an_order():
    clinic()
    proposal = services.maintenance_propose(location=main_location(), patient=bookable_patient())
    assert proposal.eligibility.bookable and not proposal.bookable
    assert proposal.refusal == services.MAINTENANCE_NOT_YET


def test_maintenance_defaults_come_from_the_clinic_settings(clinician):
    clinic()
    clinic_settings(maintenance_interval_weeks=6)
    patient = bookable_patient()
    services.maintenance_order(patient=patient, by=clinician)
    proposal = services.maintenance_propose(location=main_location(), patient=patient, count=2)
    assert proposal.order is not None and proposal.order.patient == patient
    assert proposal.maintenance == services.MaintenanceChoice(count=2, every_weeks=6, first=TODAY, suggested=None)
    assert [v.start.date() for v in proposal.visits] == [TODAY, date(2027, 1, 12)]


def test_maintenance_eligibility_asks_for_a_screening_within_the_clinics_validity():
    clinic_settings(screening_valid_days=30)
    patient = bookable_patient()
    assert services.maintenance_eligibility(patient).bookable
    patient.screenings.update(screened_at=datetime(2026, 10, 31, 15, 0, tzinfo=UTC))  # 31 days ago
    eligibility = services.maintenance_eligibility(patient)
    assert eligibility.status == "screening_expired" and "older than 30 days" in eligibility.reason


def test_the_other_times_for_one_visit_replace_only_that_visit():
    chair, _ = clinic()
    visits = series_visits(MONDAY, chair)
    found = services.series_options(
        location=main_location(), patient=bookable_patient(), visits=visits, index=1, day=date(2026, 12, 11)
    )
    assert found.day == date(2026, 12, 11) and found.current.start == visits[1][0]
    assert found.options and all(o.slot.start.date() == date(2026, 12, 11) for o in found.options)
    assert len({o.slot.start for o in found.options}) == len(found.options)  # one chair per start time
    moved = found.options[0].visits
    assert [v.start for v in moved] == [visits[0][0], found.options[0].slot.start, *(s for s, _ in visits[2:])]


def test_a_visit_number_outside_the_plan_is_a_bad_plan():
    chair, _ = clinic()
    with pytest.raises(services.BadPlan):
        services.series_options(
            location=main_location(), patient=bookable_patient(), visits=series_visits(MONDAY, chair), index=6
        )
    with pytest.raises(services.BadPlan):
        services.series_options(
            location=main_location(), patient=bookable_patient(), visits=series_visits(MONDAY, chair), index=-1
        )


def test_a_protocol_dose_above_its_ceiling_is_refused_by_the_model_and_the_database():
    protocol = Protocol.objects.get(indication="depression")
    protocol.max_dose_mg_per_kg = Decimal("0.40")
    with pytest.raises(ValidationError, match="above its dose ceiling"):
        protocol.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        protocol.save()
    protocol.max_dose_mg_per_kg = Decimal("0.50")  # the dose itself is allowed
    protocol.full_clean()
    protocol.save()


def test_the_day_sheet_shows_a_refusal_instead_of_a_dose_above_the_ceiling():
    # Built in memory: the database would not store such a protocol.
    protocol = Protocol(indication="depression", dose_mg_per_kg=Decimal("0.80"), max_dose_mg_per_kg=Decimal("0.50"))
    series = InfusionSeries(protocol=protocol)
    patient = bookable_patient(weight_kg=Decimal("70"))
    sheet = infusion_day_selectors.day_sheet(Appointment(series=series, patient=patient))
    assert sheet["dose"] is None
    assert sheet["refused"] == "0.80 mg/kg is above this protocol's ceiling of 0.50 mg/kg."
