"""Set-up shared by the booking tests: a clinic open every day with chairs and a bookable patient."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from clinic.context import clinic_context
from clinic.tests.factories import ChairFactory, ScreeningFactory, main_location, open_every_day
from infusions.models import Protocol

LA = ZoneInfo("America/Los_Angeles")


def clinic(chairs=2):
    """Opening hours, chairs, and the depression protocol the bookable patients are screened for."""
    open_every_day(time(8, 0), time(17, 30))
    depression()
    return [ChairFactory(name=f"Chair {n}", position=n) for n in range(1, chairs + 1)]


def bookable_patient(**patient):
    screening = ScreeningFactory(outcome="clear", **{f"intake__patient__{k}": v for k, v in patient.items()})
    return screening.patient


def depression():
    # Migration 0003 seeds it; transactional tests flush it away, so make it again when needed.
    protocol, _ = Protocol.objects.get_or_create(
        indication="depression",
        defaults={"chair_minutes": 90, "infusion_minutes": 40, "dose_mg_per_kg": Decimal("0.50")},
    )
    return protocol


def at(day, hour, minute=0):
    """An aware instant: local clinic wall-clock time on a date."""
    return datetime.combine(day, time(hour, minute), tzinfo=LA)


def series_visits(first_day, chair, *, gap_days=3, count=6, hour=9):
    return [(at(first_day + timedelta(days=gap_days * n), hour), chair.pk) for n in range(count)]


def main_clinic():
    """The main location's clinic context: what the selectors that plan one location's chairs take."""
    return clinic_context(main_location())


def complete(appointment, *, nurse=None, prescriber=None):
    """Complete a visit the only way there is: check-in, dose order, start, end, a reading in observation,
    discharge, through the real services, the clock moved through the visit (and back afterwards)."""
    import time_machine

    from clinic.roles import NURSE
    from clinic.tests.factories import UserFactory, clinician
    from infusions.infusion_day import chairside
    from infusions.infusion_day import services as visit_record

    here = [appointment.chair.location]  # the services refuse staff of another location
    nurse = nurse or UserFactory(role=NURSE, locations=here)
    prescriber = prescriber or clinician(locations=here)
    start = appointment.start
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        record = visit_record.record_check_in(appointment=appointment, values=clean_check_in(), by=nurse)
        visit_record.record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
        visit_record.record_start(record=record, by=nurse)
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        record.refresh_from_db()
        visit_record.record_end_infusion(record=record, dose_given_mg=record.dose_mg, by=nurse)
    with time_machine.travel(start + timedelta(minutes=80), tick=False):
        observed(record, nurse)
        codes = [code for code, _ in chairside.DISCHARGE_CHECKLIST]
        visit_record.record_discharge(record=record, checklist=codes, by=nurse)
    appointment.refresh_from_db()
    record.refresh_from_db()
    return record


def observed(record, by, **values):
    """A reading in observation, in range unless `values` say otherwise: what discharge needs."""
    from infusions.infusion_day.services import ReadingValues, record_add_reading

    values = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "spo2": 97, **values}
    return record_add_reading(record=record, values=ReadingValues(**values), by=by)


def clean_check_in(**changes):
    """Check-in values that open every gate: BP 120/80, fasting, an escort, PHQ-9 item 9 answered 0."""
    from dataclasses import replace
    from decimal import Decimal

    from infusions.infusion_day.services import CheckInValues

    values = CheckInValues(
        weight_kg=Decimal("70.0"),
        systolic=120,
        diastolic=80,
        heart_rate=72,
        spo2=98,
        fasting_kept=True,
        escort_name="Sam Driver",
        escort_phone="+15550109999",
        escort_sms_consent=False,
        intoxicated=False,
        pregnancy_possible=False,
        medication_changes="",
        questionnaires={"phq9": [1, 1, 1, 1, 1, 1, 1, 0, 0]},
    )
    return replace(values, **changes)


# --- Outcomes across the course -----------------------------------------------------------


def phq9_items(total):
    """Nine PHQ-9 answers adding up to `total` (0-24), item 9 answered 0: no safety gate at check-in."""
    if not 0 <= total <= 24:
        raise ValueError("0-24 with item 9 at 0")
    return [min(3, max(0, total - 3 * n)) for n in range(8)] + [0]


def gad7_items(total):
    """Seven GAD-7 answers adding up to `total` (0-21)."""
    if not 0 <= total <= 21:
        raise ValueError("0-21")
    return [min(3, max(0, total - 3 * n)) for n in range(7)]


def screened_patient(phq9=20, gad7=None, **patient):
    """A bookable patient whose intake screening gives the course's baseline (`Screening.scores`)."""
    scores = {
        "phq9": {"total": phq9, "band": "baseline"} if phq9 is not None else None,
        "gad7": {"total": gad7, "band": "baseline"} if gad7 is not None else None,
    }
    screening = ScreeningFactory(
        outcome="clear", scores=scores, **{f"intake__patient__{k}": v for k, v in patient.items()}
    )
    return screening.patient


def complete_with_scores(appointment, *, phq9, gad7=None, nurse=None, prescriber=None):
    """`complete`, the check-in answering PHQ-9 (and GAD-7) with these totals; the rules that run on commit
    after the check-in run too (as they would after a real commit; a test's transaction never commits)."""
    import time_machine
    from django.test import TestCase

    from clinic.roles import NURSE
    from clinic.tests.factories import UserFactory, clinician
    from infusions.infusion_day import chairside
    from infusions.infusion_day import services as visit_record

    questionnaires = {"phq9": phq9_items(phq9)}
    if gad7 is not None:
        questionnaires["gad7"] = gad7_items(gad7)
    here = [appointment.chair.location]  # the services refuse staff of another location
    nurse = nurse or UserFactory(role=NURSE, locations=here)
    prescriber = prescriber or clinician(locations=here)
    start = appointment.start
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        with TestCase.captureOnCommitCallbacks(execute=True):
            record = visit_record.record_check_in(
                appointment=appointment, values=clean_check_in(questionnaires=questionnaires), by=nurse
            )
        visit_record.record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
        visit_record.record_start(record=record, by=nurse)
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        record.refresh_from_db()
        visit_record.record_end_infusion(record=record, dose_given_mg=record.dose_mg, by=nurse)
    with time_machine.travel(start + timedelta(minutes=80), tick=False):
        observed(record, nurse)
        codes = [code for code, _ in chairside.DISCHARGE_CHECKLIST]
        visit_record.record_discharge(record=record, checklist=codes, by=nurse)
    appointment.refresh_from_db()
    record.refresh_from_db()
    return record


def answer_link(appointment, *, phq9, when):
    """The patient answers PHQ-9 by their link for this booked visit at `when`; the rules run after it."""
    import time_machine
    from django.test import TestCase

    from infusions.outcomes import course

    with time_machine.travel(when, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        return course.score_from_link(appointment=appointment, answers={"phq9": phq9_items(phq9)})


def course_through_services(first_day, chair, *, phq9, gad7=None, by, baseline_phq9=20, baseline_gad7=None, **patient):
    """A screened patient, a six-visit series booked from `first_day` (every 3 days at 09:00) and one visit
    completed per PHQ-9 total given (GAD-7 totals beside them when given), through the real services. Call it
    with the clock before `first_day`."""
    from infusions.booking.services import series_book

    person = screened_patient(phq9=baseline_phq9, gad7=baseline_gad7, **patient)
    series = series_book(patient=person, visits=series_visits(first_day, chair), by=by)
    visits = list(series.appointments.order_by("start"))
    for n, total in enumerate(phq9):
        complete_with_scores(visits[n], phq9=total, gad7=gad7[n] if gad7 else None)
    return person, series
