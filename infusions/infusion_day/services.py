"""The infusion day, step by step: every change to a visit's chair-side record goes through here.

record_check_in -> (record_release_gate) -> record_order_dose -> record_start -> record_add_reading /
record_add_adverse_event -> record_end_infusion -> record_ready_for_pickup -> (record_discharge_decision) ->
record_discharge (-> record_amend).
Each step checks who acts, locks the record and checks the step's order and the pure `chairside` rules, so a page,
a command and a second nurse at the same moment all meet the same refusal. A signed record never changes.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic import when as fmt
from clinic.context import clinic_context
from clinic.locations import check_works_at
from clinic.refusals import Refused
from clinic.roles import acts
from infusions.infusion_day import chairside, dosing, holds
from infusions.models import (
    AdverseEvent,
    Amendment,
    Appointment,
    InfusionRecord,
    PatientNotice,
    RecordChange,
    VitalReading,
)
from infusions.outcomes import course
from infusions.reminders import notices, sync_for
from intake import phones
from intake import services as intake_services
from intake.eligibility import booking_eligibility
from intake.models import Patient, SafetyAlert

logger = logging.getLogger(__name__)

Stage = InfusionRecord.Stage
RELEASABLE = ("BP_NEEDS_DECISION", "ITEM9_FOLLOW_UP")

# What the record's pages require (infusions.infusion_day.views; a test keeps them equal): KEEP for nurses and
# prescribers, ORDER for a prescriber's dose order and gate release. Each service also refuses one who does not
# work at the visit's location, once the record is locked.
VIEW = ("infusions.view_infusionrecord", "infusions.view_appointment")
KEEP = (*VIEW, "infusions.keep_infusion_record")
ORDER = (*VIEW, "infusions.order_dose")


def thresholds_for(organisation) -> chairside.Thresholds:
    """The clinic's thresholds (organisation settings) as the pure rules take them."""
    return chairside.Thresholds(
        no_start_systolic=organisation.bp_no_start_systolic,
        no_start_diastolic=organisation.bp_no_start_diastolic,
        decision_systolic=organisation.bp_decision_systolic,
        decision_diastolic=organisation.bp_decision_diastolic,
        alert_systolic=organisation.alert_systolic,
        alert_diastolic=organisation.alert_diastolic,
        alert_heart_rate=organisation.alert_heart_rate,
        alert_spo2=organisation.alert_spo2,
        interval_during_minutes=organisation.reading_interval_minutes,
        interval_observation_minutes=organisation.observation_interval_minutes,
        observation_minutes=organisation.observation_minutes,
    )


def released(record: InfusionRecord, found: holds.Holds | None = None) -> frozenset[str]:
    """The gates a prescriber has released on this record: the BP decision, and the item-9 follow-up (recorded
    here or on the clinicians' queue: either resolves the check-in's safety alert). An item-9 answer given
    elsewhere and not followed up (`found.item9_earlier`: the patient's link, the intake) keeps the gate shut
    whatever was recorded here before it."""
    codes = set()
    if record.bp_decision_at:
        codes.add("BP_NEEDS_DECISION")
    alert = record.safety_alert if record.safety_alert_id else None
    followed_up = not record.item9 or record.follow_up_at or (alert is not None and alert.resolved_at is not None)
    if followed_up and not (found and found.item9_earlier):
        codes.add("ITEM9_FOLLOW_UP")
    return frozenset(codes)


def holds_for(record: InfusionRecord, context=None) -> holds.Holds:
    """What holds this record's start from outside its check-in, read now (4 queries): item-9 answers elsewhere
    that no prescriber has followed up, the patient's eligibility, a deferral earlier the same local day."""
    appointment = record.appointment
    context = context or _context(appointment)
    eligibility = booking_eligibility(appointment.patient)
    return holds.Holds(
        item9_earlier=holds.item9_earlier(
            appointment.patient_id, tz=context.tz, excluding_alert_id=record.safety_alert_id
        ),
        on_hold="" if eligibility.bookable else eligibility.reason,
        deferred_today=holds.deferred_today(appointment, context.now()),
    )


def check_in_values(record: InfusionRecord, found: holds.Holds | None = None) -> chairside.CheckIn:
    found = found or holds.Holds()
    return chairside.CheckIn(
        systolic=record.systolic,
        diastolic=record.diastolic,
        heart_rate=record.heart_rate,
        spo2=record.spo2,
        weight_kg=record.weight_kg,
        fasting_kept=record.fasting_kept,
        escort_name=record.escort_name,
        escort_phone=record.escort_phone,
        intoxicated=record.intoxicated,
        pregnant_possible=record.pregnancy_possible,
        item9=record.item9,
        item9_earlier=found.item9_earlier,
        on_hold=found.on_hold,
        deferred_today=found.deferred_today,
    )


def gates(record: InfusionRecord, thresholds: chairside.Thresholds, found: holds.Holds | None = None) -> list:
    """Every start gate of the record, released ones included; what holds the start from outside the check-in is
    read now unless given (`holds_for`)."""
    found = found if found is not None else holds_for(record)
    return chairside.start_gates(check_in_values(record, found), thresholds, decisions=released(record, found))


def _locked(record: InfusionRecord, by) -> InfusionRecord:
    """The record locked, as it is now; PermissionDenied unless `by` works at its visit's location."""
    record = (
        InfusionRecord.objects.select_for_update(of=("self",))
        .select_related(
            "appointment__chair__location", "appointment__series__protocol", "appointment__patient", "safety_alert"
        )
        .get(pk=record.pk)
    )
    check_works_at(by, record.appointment.chair.location_id)
    return record


def _lock_patient(patient_id: int) -> None:
    """Serialise with the patient's bookings, which lock the same row first (infusions.booking.services): a
    deferral being written and a booking of that day, or a start and a deferral of another visit that day, see
    each other (PostgreSQL: the row lock, held to COMMIT; SQLite's IMMEDIATE transaction holds the whole
    database already). Taken before the visit's or the record's lock, in the bookings' order."""
    Patient.objects.select_for_update().filter(pk=patient_id).exists()


def _patient_of(record: InfusionRecord) -> int:
    return InfusionRecord.objects.filter(pk=record.pk).values_list("appointment__patient_id", flat=True).get()


def _context(record_or_appointment):
    appointment = getattr(record_or_appointment, "appointment", record_or_appointment)
    return clinic_context(appointment.chair.location)


def _save(obj, by, fields=None):
    obj._history_user = by
    obj.save(update_fields=fields)


def _open(record: InfusionRecord, *stages: str) -> None:
    if record.is_signed:
        raise Refused("The record is signed; write an amendment to correct it.")
    if stages and record.stage not in stages:
        raise Refused(f"Not possible while the patient is {record.get_stage_display().lower()}.")


# --- Check-in and the start gates -------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInValues:
    weight_kg: Decimal
    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int
    fasting_kept: bool
    escort_name: str
    escort_phone: str
    escort_sms_consent: bool
    intoxicated: bool
    pregnancy_possible: bool
    medication_changes: str
    questionnaires: dict  # {"phq9": [9 answers], ...}: PHQ-9 always
    weight_confirmed: bool = False  # an unusual weight (the intake's plausible range) was checked


def _escort_phone(text: str) -> str:
    """The escort's phone in E.164 (the pickup text needs it), or "" when none was given; refused otherwise."""
    text = text.strip()
    if not text:
        return ""
    try:
        return phones.to_e164(text)
    except phones.PhoneInvalid:
        raise Refused(fields={"escort_phone": phones.PHONE_INVALID}) from None


@acts(*KEEP)
def record_check_in(*, appointment: Appointment, values: CheckInValues, by) -> InfusionRecord:
    """Check the patient in on the visit's day: today's values, the pre-infusion questionnaires, the gates.

    A positive PHQ-9 item 9 raises an urgent item for the clinicians at once (and the page shows 988); a
    gate that stops the visit today (BP above the no-start threshold, intoxication, possible pregnancy)
    defers it with the reason, so the front desk rebooks it.
    """
    errors = {}
    try:
        weight = dosing.weight_kg(values.weight_kg)
    except ValueError:
        errors["weight_kg"] = "Give today's weight in kg, e.g. 82.5."
    else:
        if problem := dosing.weight_problem(weight, confirmed=values.weight_confirmed):
            errors["weight_kg"] = problem
    phq9 = values.questionnaires.get("phq9")
    if not phq9 or len(phq9) != 9:
        errors["phq9"] = "PHQ-9 is asked at every check-in: answer every item."
    if errors:
        raise Refused(fields=errors)
    with transaction.atomic():
        _lock_patient(Appointment.objects.values_list("patient_id", flat=True).get(pk=appointment.pk))
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("chair__location", "patient", "series")
            .get(pk=appointment.pk)
        )
        check_works_at(by, appointment.chair.location_id)
        context = _context(appointment)
        if InfusionRecord.objects.filter(appointment=appointment).exists():
            raise Refused("This visit is checked in already.")
        if appointment.status not in (Appointment.Status.SCHEDULED, Appointment.Status.ARRIVED):
            raise Refused(f"A {appointment.get_status_display().lower()} visit cannot be checked in.")
        if context.local_date(appointment.start) != context.today():
            raise Refused("A visit is checked in on its own day.")
        eligibility = booking_eligibility(appointment.patient)
        if not eligibility.bookable:
            raise Refused(f"On hold: {eligibility.reason}")
        deferred = holds.deferred_today(appointment, context.now())
        if deferred:
            raise Refused(
                f"No infusion today: the patient's visit {deferred} was deferred at check-in, and a deferral holds "
                "the rest of that day. Cancel this visit and book it on another day."
            )
        record = InfusionRecord(
            appointment=appointment,
            checked_in_at=context.now(),
            checked_in_by=by,
            weight_kg=weight,
            systolic=values.systolic,
            diastolic=values.diastolic,
            heart_rate=values.heart_rate,
            spo2=values.spo2,
            fasting_kept=values.fasting_kept,
            escort_name=values.escort_name.strip(),
            escort_phone=_escort_phone(values.escort_phone),
            escort_sms_consent=values.escort_sms_consent,
            intoxicated=values.intoxicated,
            pregnancy_possible=values.pregnancy_possible,
            medication_changes=values.medication_changes.strip(),
            questionnaires=values.questionnaires,
            item9=int(phq9[8]),
        )
        found = gates(record, thresholds_for(context.clinic))
        reason = chairside.deferral_reason(found)
        if reason:
            record.stage, record.deferred_reason = Stage.DEFERRED, reason[:250]
            appointment.status = Appointment.Status.DEFERRED
        else:
            appointment.status = Appointment.Status.ARRIVED
        _save(record, by)
        _save(appointment, by, ["status", "updated_at"])
        sync_for([appointment])
        course.scores_from_check_in(record, by=by)
        transaction.on_commit(lambda: course.rules_apply(patient_id=appointment.patient_id))
        if record.item9 > 0:
            record.safety_alert = intake_services.safety_alert_raise(
                patient=appointment.patient,
                source=SafetyAlert.Source.CHECK_IN,
                detail=f"PHQ-9 item 9 answered {record.item9} of 3 at check-in for visit {appointment.sequence}.",
                by=by,
            )
            _save(record, by, ["safety_alert"])
    logger.info("appointment %s checked in by user %s (stage %s)", appointment.pk, by.pk, record.stage)
    return record


@acts(*ORDER)
def record_release_gate(*, record: InfusionRecord, gate: str, note: str, by) -> InfusionRecord:
    """A prescriber's recorded decision: start despite BP over the decision threshold, or the same-day
    follow-up of a positive item 9, wherever it was answered (today's check-in, the patient's link, the intake):
    it resolves every open safety alert of the patient with the same note."""
    if gate not in RELEASABLE:
        raise Refused(fields={"gate": "That gate is not released by a decision."})
    note = note.strip()
    if not note:
        raise Refused(fields={"note": "Write the decision: what was weighed and decided."})
    with transaction.atomic():
        record = _locked(record, by)
        # The follow-up of a positive item 9 is owed even when the visit was deferred.
        _open(record, Stage.CHECKED_IN, *((Stage.DEFERRED,) if gate == "ITEM9_FOLLOW_UP" else ()))
        context = _context(record)
        if gate not in {g.code for g in gates(record, thresholds_for(context.clinic)) if g.blocks}:
            raise Refused("That gate does not apply to this check-in, or is released already.")
        if gate == "BP_NEEDS_DECISION":
            record.bp_decision_by, record.bp_decision_at, record.bp_decision_note = by, context.now(), note
        else:
            record.follow_up_by, record.follow_up_at, record.follow_up_note = by, context.now(), note
            for alert in SafetyAlert.objects.open().filter(patient_id=record.appointment.patient_id):
                intake_services.safety_alert_resolve(alert=alert, by=by, follow_up=note)
        _save(record, by)
    logger.info("record %s: a start gate released by user %s", record.pk, by.pk)  # which gate is clinical
    return record


RECHECKED = ("fasting_kept", "escort_name", "escort_phone")


def _as_text(value) -> str:
    """A record's value as a change keeps it: booleans "yes"/"no", Decimals and numbers as written, "" for none."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _earlier(record: InfusionRecord, kind: str, by_default, at_default):
    """Who recorded the values a change replaces, and when: the latest change of that kind, else the step itself."""
    last = record.changes.filter(kind=kind).order_by("-made_at", "-id").first()
    return (last.made_by, last.made_at) if last else (by_default, at_default)


@acts(*KEEP)
def record_recheck(*, record: InfusionRecord, fasting_kept: bool, escort_name: str, escort_phone: str, by):
    """A nurse's re-check before the start (the escort has arrived, the fast was confirmed): added to the check-in,
    never replacing it. The record takes the new values (the gates read them); a `RecordChange` keeps the old
    and the new, who and when, and the start gates that blocked just before. Refused when nothing changed."""
    phone = _escort_phone(escort_phone)
    with transaction.atomic():
        record = _locked(record, by)
        _open(record, Stage.CHECKED_IN)
        context = _context(record)
        new = {"fasting_kept": bool(fasting_kept), "escort_name": escort_name.strip(), "escort_phone": phone}
        changed = [field for field in RECHECKED if getattr(record, field) != new[field]]
        if not changed:
            raise Refused("Nothing differs from the check-in as it stands: change a value, or defer the visit.")
        blocking = [g.message for g in gates(record, thresholds_for(context.clinic)) if g.blocks]
        earlier_by, earlier_at = _earlier(record, RecordChange.Kind.RECHECK, record.checked_in_by, record.checked_in_at)
        change = RecordChange(
            record=record,
            kind=RecordChange.Kind.RECHECK,
            made_at=context.now(),
            made_by=by,
            earlier_by=earlier_by,
            earlier_at=earlier_at,
            before={field: _as_text(getattr(record, field)) for field in changed},
            after={field: _as_text(new[field]) for field in changed},
            blocking=blocking,
        )
        for field in changed:
            setattr(record, field, new[field])
        _save(record, by, changed)
        change.save()
    logger.info("record %s: check-in re-checked by user %s", record.pk, by.pk)
    return record


@acts(*KEEP)
def record_defer(*, record: InfusionRecord, reason: str, by) -> InfusionRecord:
    """No infusion today for a checked-in patient (no escort came, the fast was broken, the patient declined):
    the visit is deferred with the reason and the front desk rebooks it."""
    reason = reason.strip()
    if not reason:
        raise Refused(fields={"reason": "Say why the visit cannot go ahead today."})
    with transaction.atomic():
        _lock_patient(_patient_of(record))
        record = _locked(record, by)
        _open(record, Stage.CHECKED_IN)
        record.stage, record.deferred_reason = Stage.DEFERRED, reason[:250]
        _save(record, by, ["stage", "deferred_reason"])
        appointment = record.appointment
        appointment.status = Appointment.Status.DEFERRED
        _save(appointment, by, ["status", "updated_at"])
        sync_for([appointment])
    logger.info("record %s: deferred by user %s", record.pk, by.pk)
    return record


# --- The dose --------------------------------------------------------------------------------------


@acts(*ORDER)
def record_order_dose(*, record: InfusionRecord, mg_per_kg, vial_mg_per_ml: int, bag_ml: int = 100, by):
    """The prescriber's order: mg/kg of today's weight, within the protocol's ceiling; mg, mL of the chosen
    vial and the pump rate for the bag over the protocol's minutes are computed once and kept."""
    try:
        mg_per_kg = Decimal(str(mg_per_kg))
    except InvalidOperation:
        raise Refused(fields={"mg_per_kg": "Give the dose in mg/kg, e.g. 0.5."}) from None
    if vial_mg_per_ml not in dosing.VIAL_STRENGTHS_MG_PER_ML:
        raise Refused(fields={"vial_mg_per_ml": "Choose a vial of 10, 50 or 100 mg/mL."})
    if not 50 <= int(bag_ml) <= 1000:
        raise Refused(fields={"bag_ml": "A bag of 50 to 1000 mL."})
    with transaction.atomic():
        record = _locked(record, by)
        _open(record, Stage.CHECKED_IN)
        protocol = record.appointment.series.protocol
        if mg_per_kg < Decimal("0.05"):
            raise Refused(fields={"mg_per_kg": "At least 0.05 mg/kg."})
        try:
            dose = dosing.planned_dose(
                mg_per_kg=mg_per_kg,
                weight_kg=record.weight_kg,
                ceiling_mg_per_kg=protocol.max_dose_mg_per_kg,
                infusion_minutes=protocol.infusion_minutes,
                bag_ml=Decimal(bag_ml),
            )
        except dosing.DoseAboveCeiling as exc:
            raise Refused(fields={"mg_per_kg": str(exc)}) from None
        except ValueError:  # a weight no dose is computed from (the check-in refuses one since)
            raise Refused(f"No dose is computed from a weight of {record.weight_kg} kg.") from None
        earlier = _order(record) if record.ordered_at else None
        now = _context(record).now()
        earlier_by, earlier_at = record.ordered_by, record.ordered_at
        record.ordered_by, record.ordered_at = by, now
        record.dose_mg_per_kg, record.dose_mg = mg_per_kg, dose.mg
        record.vial_mg_per_ml = vial_mg_per_ml
        record.volume_ml = next(v.ml for v in dose.volumes if v.mg_per_ml == vial_mg_per_ml)
        record.bag_ml, record.infusion_minutes, record.rate_ml_per_hour = (
            int(bag_ml),
            dose.infusion_minutes,
            dose.pump_ml_per_hour,
        )
        if earlier is not None:
            if _order(record) == earlier:
                raise Refused("This is the dose ordered already: nothing changed.")
            RecordChange.objects.create(
                record=record,
                kind=RecordChange.Kind.DOSE_ORDER,
                made_at=now,
                made_by=by,
                earlier_by=earlier_by,
                earlier_at=earlier_at,
                before=earlier,
                after=_order(record),
            )
        _save(record, by)
    logger.info("record %s: dose %s by user %s", record.pk, "re-ordered" if earlier else "ordered", by.pk)
    return record


ORDERED = ("dose_mg_per_kg", "dose_mg", "vial_mg_per_ml", "volume_ml", "bag_ml", "infusion_minutes", "rate_ml_per_hour")


def _order(record: InfusionRecord) -> dict[str, str]:
    """The record's dose order as a change keeps it ({field: value as text}, each Decimal to its field's places)."""
    order = {}
    for field in ORDERED:
        value = getattr(record, field)
        if isinstance(value, Decimal):
            value = value.quantize(Decimal(1).scaleb(-InfusionRecord._meta.get_field(field).decimal_places))
        order[field] = _as_text(value)
    return order


@acts(*KEEP)
def record_start(*, record: InfusionRecord, by) -> InfusionRecord:
    """Start the infusion: only with a dose order and no gate blocking, read now under the record's lock: the
    check-in's gates, an item-9 answer given elsewhere that no prescriber has followed up, an eligibility lapsed
    since the check-in, a deferral of the patient earlier the same local day."""
    with transaction.atomic():
        _lock_patient(_patient_of(record))
        record = _locked(record, by)
        _open(record, Stage.CHECKED_IN)
        if record.ordered_at is None:
            raise Refused("A prescriber orders the dose before the infusion starts.")
        blocking = [g for g in gates(record, thresholds_for(_context(record).clinic)) if g.blocks]
        if blocking:
            raise Refused(" ".join(g.message for g in blocking))
        record.stage, record.started_at, record.started_by = Stage.IN_CHAIR, _context(record).now(), by
        _save(record, by)
    logger.info("record %s: infusion started by user %s", record.pk, by.pk)
    return record


# --- The flowsheet -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadingValues:
    systolic: int | None = None
    diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None
    moaas: int | None = None
    dissociation: str | None = None
    action_note: str = ""


@acts(*KEEP)
def record_add_reading(*, record: InfusionRecord, values: ReadingValues, by) -> VitalReading:
    """One row of the flowsheet, now. A value past an alert threshold is marked and needs an action note."""
    with transaction.atomic():
        record = _locked(record, by)
        _open(record, Stage.CHECKED_IN, Stage.IN_CHAIR, Stage.OBSERVATION, Stage.READY)
        context = _context(record)
        reading = chairside.Reading(
            at=context.now(),
            systolic=values.systolic,
            diastolic=values.diastolic,
            heart_rate=values.heart_rate,
            spo2=values.spo2,
            moaas=values.moaas,
            dissociation=values.dissociation or None,
        )
        if all(v is None for v in (values.systolic, values.diastolic, values.heart_rate, values.spo2)):
            raise Refused(fields={"systolic": "Record at least one vital sign."})
        errors = chairside.validate_reading(reading)
        if errors:
            raise Refused(fields=errors)
        flagged = chairside.out_of_range(reading, thresholds_for(context.clinic))
        note = values.action_note.strip()
        if flagged and not note:
            raise Refused(fields={"action_note": " ".join(m for _, m in flagged) + " Write the action taken."})
        row = VitalReading(
            record=record,
            taken_at=reading.at,
            taken_by=by,
            phase=record.phase,
            systolic=values.systolic,
            diastolic=values.diastolic,
            heart_rate=values.heart_rate,
            spo2=values.spo2,
            moaas=values.moaas,
            dissociation=values.dissociation or "",
            out_of_range=[field for field, _ in flagged],
            action_note=note,
        )
        _save(row, by)
    return row


@dataclass(frozen=True)
class AdverseEventValues:
    kind: str
    severity: str
    action: str
    outcome: str
    description: str = ""
    medication: str = ""
    medication_dose: str = ""
    route: str = ""


@acts(*KEEP)
def record_add_adverse_event(*, record: InfusionRecord, values: AdverseEventValues, by) -> AdverseEvent:
    errors = {}
    if values.kind == "other" and not values.description.strip():
        errors["description"] = "Describe the event."
    if values.action == "medication_given":
        for field, message in (
            ("medication", "Name the medication given."),
            ("medication_dose", "Give its dose."),
            ("route", "Give its route."),
        ):
            if not getattr(values, field).strip():
                errors[field] = message
    if errors:
        raise Refused(fields=errors)
    with transaction.atomic():
        record = _locked(record, by)
        _open(record, Stage.IN_CHAIR, Stage.OBSERVATION, Stage.READY, Stage.CHECKED_IN)
        event = AdverseEvent(
            record=record,
            occurred_at=_context(record).now(),
            recorded_by=by,
            kind=values.kind,
            description=values.description.strip(),
            severity=values.severity,
            action=values.action,
            medication=values.medication.strip(),
            medication_dose=values.medication_dose.strip(),
            route=values.route,
            outcome=values.outcome,
        )
        try:
            event.full_clean(exclude=["record", "recorded_by"])
        except ValidationError as error:  # a value no form offers (a script, the shell): refused, nothing stored
            raise Refused.from_validation(error) from None
        _save(event, by)
    logger.info("record %s: adverse event %s recorded by user %s", record.pk, event.pk, by.pk)
    return event


@acts(*KEEP)
def record_end_infusion(*, record: InfusionRecord, dose_given_mg, end_note: str = "", by) -> InfusionRecord:
    """The infusion ends: the dose actually given; observation begins. Less than ordered needs a note, and so
    does more than the pump could run at the ordered rate between the start and now
    (`dosing.deliverable_mg`, a couple of minutes' tolerance): the full dose after 11 of 40 minutes."""
    try:
        given = Decimal(str(dose_given_mg))
    except InvalidOperation:
        given = None
    if given is None or not given.is_finite():
        raise Refused(fields={"dose_given_mg": "Give the dose given in mg."})
    with transaction.atomic():
        record = _locked(record, by)
        _open(record, Stage.IN_CHAIR)
        if not Decimal("0") <= given <= record.dose_mg:
            raise Refused(fields={"dose_given_mg": f"Between 0 and the {record.dose_mg} mg ordered."})
        now = _context(record).now()
        elapsed = max(now - record.started_at, timedelta(0))
        most = dosing.deliverable_mg(
            dose_mg=record.dose_mg, bag_ml=record.bag_ml, rate_ml_per_hour=record.rate_ml_per_hour, elapsed=elapsed
        )
        if given > most and not end_note.strip():
            minutes = int(elapsed.total_seconds() // 60)
            raise Refused(
                fields={
                    "end_note": (
                        f"{given} mg given in {minutes} min: at {record.rate_ml_per_hour} mL/h the "
                        f"{record.bag_ml} mL bag gives at most {most} mg of the {record.dose_mg} mg in that time. "
                        "Say why (e.g. the pump ran before Start was pressed), or correct the dose given."
                    )
                }
            )
        if given < record.dose_mg and not end_note.strip():
            raise Refused(fields={"end_note": "Less than ordered was given: say why (paused, stopped…)."})
        record.stage, record.ended_at = Stage.OBSERVATION, now
        record.dose_given_mg, record.end_note = given, end_note.strip()
        _save(record, by)
    logger.info("record %s: infusion ended by user %s", record.pk, by.pk)
    return record


@acts(*KEEP)
def record_ready_for_pickup(*, record: InfusionRecord, by) -> InfusionRecord:
    """Observation complete: the escort may be told by SMS when the patient consented to it at check-in."""
    with transaction.atomic():
        record = _locked(record, by)
        _open(record, Stage.OBSERVATION)
        context = _context(record)
        thresholds = thresholds_for(context.clinic)
        if not chairside.observation_complete(context.now(), record.ended_at, thresholds):
            ready = context.local(chairside.discharge_ready_at(record.ended_at, thresholds))
            raise Refused(f"Observation is complete at {fmt.clock(ready)}.")
        record.stage = Stage.READY
        _save(record, by, ["stage"])
        if record.escort_sms_consent and record.escort_phone:
            transaction.on_commit(lambda: _text_escort(record.pk))
    return record


def _text_escort(record_id: int) -> None:
    from infusions.reminders.sms import get_backend

    record = InfusionRecord.objects.select_related("appointment__patient", "appointment__chair__location").get(
        pk=record_id
    )
    location = record.appointment.chair.location
    where = ", ".join(part for part in (location.name, location.address) if part)  # no ", ." for a blank address
    body = f"{record.appointment.patient.first_name} is ready to be picked up at {where}."
    try:
        get_backend().send(to=record.escort_phone, body=body, reference=f"pickup-{record.pk}")
    except Exception as exc:  # noqa: BLE001 - the pickup text is a courtesy; the desk sees the stage anyway
        logger.warning("record %s: pickup SMS failed: %s", record.pk, type(exc).__name__)


def as_readings(rows) -> list[chairside.Reading]:
    """Flowsheet rows (VitalReading) as the pure rules take them."""
    return [
        chairside.Reading(
            at=row.taken_at,
            phase=row.phase,
            systolic=row.systolic,
            diastolic=row.diastolic,
            heart_rate=row.heart_rate,
            spo2=row.spo2,
        )
        for row in rows
    ]


def readings_of(record: InfusionRecord) -> list[chairside.Reading]:
    """The record's flowsheet as the pure rules take it (1 query)."""
    return as_readings(record.readings.only("taken_at", "phase", *chairside.VITALS))


def discharge_reading_flags(record: InfusionRecord, readings, thresholds, tz) -> list[tuple[str, str]]:
    """What the flowsheet says against discharging this record now, as (code, message): the latest reading
    out of range, or none since the infusion ended; [] when nothing, or when a prescriber's discharge decision
    covers the readings as they stand (`chairside.decision_covers`)."""
    flags = chairside.discharge_reading_problems(
        readings, infusion_ended_at=record.ended_at, thresholds=thresholds, tz=tz
    )
    if flags and chairside.decision_covers(record.discharge_decision_at, readings):
        return []
    return flags


DECISION_HINT = "Take a new reading, or a prescriber records a discharge decision."


@acts(*ORDER)
def record_discharge_decision(*, record: InfusionRecord, note: str, by) -> InfusionRecord:
    """A prescriber's documented decision to discharge although the flowsheet does not allow it on its own (the
    latest reading out of range, or none since the infusion ended). It covers the readings taken until now: a
    reading taken after it is judged again. Refused when the readings need no decision."""
    note = note.strip()
    if not note:
        raise Refused(fields={"note": "Write the decision: what was weighed and decided."})
    with transaction.atomic():
        record = _locked(record, by)
        _open(record, Stage.OBSERVATION, Stage.READY)
        context = _context(record)
        readings = readings_of(record)
        if not discharge_reading_flags(record, readings, thresholds_for(context.clinic), context.tz):
            raise Refused("The readings need no discharge decision, or one is recorded already.")
        record.discharge_decision_by, record.discharge_decision_at = by, context.now()
        record.discharge_decision_note = note
        _save(record, by, ["discharge_decision_by", "discharge_decision_at", "discharge_decision_note"])
    logger.info("record %s: discharge decision recorded by user %s", record.pk, by.pk)
    return record


@acts(*KEEP)
def record_discharge(*, record: InfusionRecord, checklist, by) -> InfusionRecord:
    """Discharge by the checklist after observation: the visit is completed and the record signed.

    Refused (next to the checklist: `fields["checklist"]`) before the observation minutes have passed, with an
    item unticked, with no reading since the infusion ended, or with the latest reading out of range, unless a
    prescriber's discharge decision covers the readings. The patient's written after-care instructions go out
    by the channels they consented to (a patient notice, queued in this transaction, sent once)."""
    with transaction.atomic():
        record = _locked(record, by)
        _open(record, Stage.OBSERVATION, Stage.READY)
        context = _context(record)
        thresholds = thresholds_for(context.clinic)
        ticked = {code for code in checklist if code in dict(chairside.DISCHARGE_CHECKLIST)}
        problems = chairside.discharge_problems(
            ticked,
            now=context.now(),
            infusion_ended_at=record.ended_at,
            thresholds=thresholds,
            tz=context.tz,
        )
        flags = discharge_reading_flags(record, readings_of(record), thresholds, context.tz)
        if flags:  # after the observation's message, before the unticked items
            unticked = [wording for code, wording in chairside.DISCHARGE_CHECKLIST if code not in ticked]
            problems = [p for p in problems if p not in unticked]
            problems += [*(message for _, message in flags), DECISION_HINT, *unticked]
        if problems:
            raise Refused(fields={"checklist": problems})
        record.stage, record.discharged_at, record.discharged_by = Stage.DISCHARGED, context.now(), by
        record.discharge_checklist = sorted(ticked)
        _save(record, by)
        appointment = record.appointment
        appointment.status = Appointment.Status.COMPLETED
        _save(appointment, by, ["status", "updated_at"])
        sync_for([appointment])
        notices.write(appointment, PatientNotice.Kind.AFTERCARE, previous_start=appointment.start)
    logger.info("record %s: discharged and signed by user %s", record.pk, by.pk)
    return record


@acts(*KEEP)
def record_amend(*, record: InfusionRecord, text: str, reason: str, by) -> Amendment:
    """A correction to a signed record, kept beside the original."""
    errors = {}
    if not text.strip():
        errors["text"] = "Write the correction."
    if not reason.strip():
        errors["reason"] = "Say why the record is corrected."
    if errors:
        raise Refused(fields=errors)
    with transaction.atomic():
        record = _locked(record, by)
        if not record.is_signed:
            raise Refused("The record is still open: change it directly.")
        amendment = Amendment.objects.create(record=record, made_by=by, text=text.strip(), reason=reason.strip()[:250])
    logger.info("record %s: amendment %s by user %s", record.pk, amendment.pk, by.pk)
    return amendment
