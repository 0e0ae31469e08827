"""Reads for the infusion day: one visit's record page, and the infusion room of a location.

Each is a fixed number of queries whatever the number of readings, events or chairs.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import BooleanField, ExpressionWrapper, Subquery

from clinic.context import clinic_context
from infusions.infusion_day import chairside, dosing, holds
from infusions.infusion_day.holds import Holds
from infusions.infusion_day.services import (
    RECHECKED,
    as_readings,
    discharge_reading_flags,
    gates,
    holds_for,
    thresholds_for,
)
from infusions.models import Appointment, Chair, InfusionRecord, PatientNotice, RecordChange
from infusions.reminders import aftercare
from intake.eligibility import bookable_now


@dataclass(frozen=True)
class Timing:
    """Where a started visit stands against its monitoring schedule now."""

    phase: str
    next_due: datetime | None
    overdue: bool
    minutes_in_phase: int | None
    ready_at: datetime | None


def timing(record: InfusionRecord, last_reading_at: datetime | None, thresholds, now: datetime) -> Timing:
    phase = record.phase
    due = chairside.next_due(
        phase=phase,
        last_reading_at=last_reading_at,
        infusion_started_at=record.started_at,
        infusion_ended_at=record.ended_at,
        thresholds=thresholds,
    )
    if record.stage in (InfusionRecord.Stage.DISCHARGED, InfusionRecord.Stage.DEFERRED):
        due = None
    since = record.ended_at if phase == "observation" else record.started_at
    minutes = int((now - since).total_seconds() // 60) if since else None
    ready = chairside.discharge_ready_at(record.ended_at, thresholds) if record.ended_at else None
    return Timing(phase, due, chairside.is_overdue(now, due), minutes, ready)


RECHECK_LABELS = {"fasting_kept": "Fasting kept", "escort_name": "Escort", "escort_phone": "Escort's phone"}


def order_text(order: dict) -> str:
    """A dose order as a `RecordChange` keeps it, in the words the record uses for the order."""
    return (
        f"{order['dose_mg_per_kg']} mg/kg = {order['dose_mg']} mg ({order['volume_ml']} mL of "
        f"{order['vial_mg_per_ml']} mg/mL) in {order['bag_ml']} mL over {order['infusion_minutes']} min at "
        f"{order['rate_ml_per_hour']} mL/h"
    )


def _shown(changes: list[RecordChange]) -> list[RecordChange]:
    """Each change with what the page prints: `lines` [(label, old, new)] for a re-check, `old`/`new` for an order."""
    for change in changes:
        if change.kind == RecordChange.Kind.RECHECK:
            change.lines = [
                (RECHECK_LABELS[field], change.before[field] or "none", change.after.get(field) or "none")
                for field in RECHECKED
                if field in change.before
            ]
        else:
            change.old, change.new = order_text(change.before), order_text(change.after)
    return changes


def as_checked_in(record: InfusionRecord, rechecks: list[RecordChange]) -> dict:
    """The re-checked values as the check-in recorded them: each from the first re-check that changed it (its
    `before`), else as the record holds it now. Booleans as "yes"/"no", a blank as ""."""
    values = {
        "fasting_kept": "yes" if record.fasting_kept else "no",
        "escort_name": record.escort_name,
        "escort_phone": record.escort_phone,
    }
    for change in reversed(rechecks):  # the earliest last: its `before` is the check-in's own value
        values.update({field: change.before[field] for field in RECHECKED if field in change.before})
    return values


def record_page(appointment: Appointment) -> dict:
    """The visit's record: check-in with its re-checks, gates (with what holds the start from outside the check-in),
    order with its changes, flowsheet, events, discharge and amendments (a fixed number of queries whatever the
    readings; a signed record's after-care messages, 1 more)."""
    context = clinic_context(appointment.chair.location)
    record = (
        InfusionRecord.objects.filter(appointment=appointment)
        .select_related(
            "checked_in_by",
            "ordered_by",
            "started_by",
            "discharged_by",
            "bp_decision_by",
            "follow_up_by",
            "discharge_decision_by",
        )
        .select_related("safety_alert__resolved_by")
        .first()
    )
    if record is not None:
        record.appointment = appointment  # loaded already, with its patient and location
    page = {"appointment": appointment, "record": record, "clinic": context, "protocol": appointment.series.protocol}
    if record is None:
        # Item-9 answers owed a follow-up show before the check-in too: the start will wait for them.
        page["item9_earlier"] = holds.item9_earlier(appointment.patient_id, tz=context.tz)
        return page
    thresholds = thresholds_for(context.clinic)
    readings = list(record.readings.select_related("taken_by"))
    last = readings[-1].taken_at if readings else None
    changes = _shown(list(record.changes.select_related("made_by", "earlier_by")))
    rechecks = [c for c in changes if c.kind == RecordChange.Kind.RECHECK]
    found = holds_for(record, context)
    record_gates = gates(record, thresholds, found)
    page.update(
        {
            "rechecks": rechecks,
            "checked_in": as_checked_in(record, rechecks),
            "order_changes": [c for c in changes if c.kind == RecordChange.Kind.DOSE_ORDER],
            "thresholds": thresholds,
            "gates": record_gates,
            "item9_earlier": found.item9_earlier,
            # What a prescriber may release now: on a checked-in record, and the item-9 follow-up on a deferred
            # one too (owed whether or not the patient is infused today).
            "releasable": [
                g.code
                for g in record_gates
                if g.blocks
                and g.code in chairside.RELEASABLE
                and (record.stage == InfusionRecord.Stage.CHECKED_IN or g.code == chairside.ITEM9_FOLLOW_UP)
            ]
            if record.stage in (InfusionRecord.Stage.CHECKED_IN, InfusionRecord.Stage.DEFERRED)
            else [],
            "readings": readings,
            "events": list(record.adverse_events.select_related("recorded_by")),
            "amendments": list(record.amendments.select_related("made_by")),
            "timing": timing(record, last, thresholds, context.now()),
            "checklist": [
                (code, label, code in record.discharge_checklist) for code, label in chairside.DISCHARGE_CHECKLIST
            ],
        }
    )
    page["may_start"] = chairside.may_start(page["gates"])
    # What the flowsheet says against discharge (none since the end, the latest out of range), uncovered by a
    # prescriber's decision: shown before the checklist, with the decision's form for a prescriber.
    page["discharge_flags"] = (
        [message for _, message in discharge_reading_flags(record, as_readings(readings), thresholds, context.tz)]
        if record.ended_at and not record.is_signed
        else []
    )
    page["aftercare_sent"] = (
        list(
            PatientNotice.objects.filter(appointment=appointment, kind=PatientNotice.Kind.AFTERCARE).order_by("channel")
        )
        if record.is_signed
        else []
    )
    return page


def aftercare_page(appointment: Appointment) -> dict:
    """The printable after-care instructions of a visit: the patient's first name, the visit's day, the place and
    its phone, the fixed instructions and the numbers to call (the message sent says the same)."""
    context = clinic_context(appointment.chair.location)
    location = appointment.chair.location
    return {
        "appointment": appointment,
        "first_name": appointment.patient.first_name,
        "clinic": context,
        "location": location,
        "calls": aftercare.who_to_call(location, context.clinic),
        "instructions": aftercare.INSTRUCTIONS,
    }


# --- What each of today's patients waits for from a prescriber ----------------------------------------

# In the order a prescriber works them: the urgent one first. The words the prescriber's list and the infusion
# room show (to clinicians and nurses only: the front desk sees the stage, never why).
WAITS_FOR = {
    "item9_follow_up": "waiting for item-9 follow-up",
    "bp_decision": "waiting for BP decision",
    "dose_order": "waiting for dose order",
}
_BP_LIMITS = ("bp_no_start_systolic", "bp_no_start_diastolic", "bp_decision_systolic", "bp_decision_diastolic")


def waits_for(record, thresholds, *, item9_open: bool, eligible: bool) -> tuple[str, ...]:
    """What a visit's patient waits for from a prescriber (codes of WAITS_FOR, in its order), from the record (or
    None before the check-in) and what the visit's query said of the patient (`item9_open`: an item-9 answer
    not followed up, today's included; `eligible`: may be booked now). The start gates decide, as for Start:

    - item-9 follow-up: the ITEM9_FOLLOW_UP gate blocks, or, at any stage, an item-9 answer is owed one;
    - BP decision: checked in, BP_NEEDS_DECISION blocks;
    - dose order: checked in, no gate blocks, no order yet.
    """
    waiting = set()
    if record is not None and record.stage in (InfusionRecord.Stage.CHECKED_IN, InfusionRecord.Stage.DEFERRED):
        found = Holds(
            item9_earlier=("an answer not followed up",) if item9_open else (), on_hold="" if eligible else "-"
        )
        blocking = {g.code for g in gates(record, thresholds, found) if g.blocks}
        checked_in = record.stage == InfusionRecord.Stage.CHECKED_IN
        if chairside.ITEM9_FOLLOW_UP in blocking:
            waiting.add("item9_follow_up")
        if checked_in and chairside.BP_NEEDS_DECISION in blocking:
            waiting.add("bp_decision")
        if checked_in and not blocking and record.ordered_at is None:
            waiting.add("dose_order")
    if item9_open:
        waiting.add("item9_follow_up")
    return tuple(code for code in WAITS_FOR if code in waiting)


def _visits_on(location, day: date, context):
    """The location's visits on the day but cancelled ones, each with its record and what the waiting needs to
    know of its patient (`item9_open`, `eligible`), in time order: one query."""
    begin, end = context.day_bounds(day)
    return (
        Appointment.objects.filter(chair__location=location, start__gte=begin, start__lt=end)
        .exclude(status=Appointment.Status.CANCELLED)
        .annotate(
            item9_open=ExpressionWrapper(holds.item9_open(), output_field=BooleanField()),
            eligible=ExpressionWrapper(bookable_now(), output_field=BooleanField()),
        )
        .order_by("start", "id")
    )


@dataclass(frozen=True)
class Waiting:
    visit: Appointment
    record: InfusionRecord | None
    waits_for: tuple[str, ...]  # codes of WAITS_FOR

    @property
    def words(self) -> list[tuple[str, str]]:
        """(code, words) of each thing waited for."""
        return [(code, WAITS_FOR[code]) for code in self.waits_for]


def _waiting(visits, thresholds) -> list[Waiting]:
    rows = []
    for visit in visits:
        record = visit.record if _has_record(visit) else None
        found = waits_for(record, thresholds, item9_open=visit.item9_open, eligible=visit.eligible)
        if found:
            rows.append(Waiting(visit, record, found))
    return rows


def prescriber_list(location) -> dict:
    """The prescriber's list: today's patients at the location waiting for a prescriber, in time order, with
    how many wait for each thing (2 queries: the organisation's thresholds and the visits, nothing per row)."""
    context = clinic_context(location)
    day = context.today()
    visits = _visits_on(location, day, context).select_related("patient", "chair", "record__safety_alert")
    rows = _waiting(visits, thresholds_for(context.clinic))
    counts = [(code, words, sum(code in row.waits_for for row in rows)) for code, words in WAITS_FOR.items()]
    return {"rows": rows, "counts": counts, "day": day, "clinic": context, "location": location}


def prescriber_count(location) -> int:
    """How many of today's patients at the location wait for a prescriber (the navigation's badge): one query,
    the organisation's BP thresholds read within it. Its rows are the day's visits at one location, however
    long the clinic's history."""
    from clinic.models import Clinic

    context = clinic_context(location)
    limits = Clinic.objects.filter(pk=Clinic.SINGLE_ROW_PK)
    visits = list(
        _visits_on(location, context.today(), context)
        .select_related("record__safety_alert")
        .annotate(**{f"limit_{name}": Subquery(limits.values(name)[:1]) for name in _BP_LIMITS})
    )
    if not visits:
        return 0
    # The row's settings, or the defaults when the organisation has none saved (as `ClinicContext.clinic`).
    settings = Clinic(
        **{
            name: getattr(visits[0], f"limit_{name}")
            for name in _BP_LIMITS
            if getattr(visits[0], f"limit_{name}") is not None
        }
    )
    return len(_waiting(visits, thresholds_for(settings)))


@dataclass(frozen=True)
class ChairRow:
    chair: Chair
    visits: list  # (appointment, record or None, timing or None, out_of_range: bool)


def room(location, day: date | None = None) -> dict:
    """The infusion room of a location on a day: every chair with its visits, each with its stage and timer,
    overdue and out-of-range readings marked, and what each patient waits for from a prescriber (4 queries
    whatever the number of chairs and visits)."""
    context = clinic_context(location)
    today = (day or context.today()) == context.today()
    day = day or context.today()
    now = context.now()
    thresholds = thresholds_for(context.clinic)
    chairs = list(Chair.objects.filter(location=location, active=True))
    visits = list(_visits_on(location, day, context).select_related("patient", "chair", "record__safety_alert"))
    records = [v.record for v in visits if _has_record(v)]
    last_readings = _last_readings(records)
    rows: dict[int, list] = {chair.pk: [] for chair in chairs}
    for visit in visits:
        record = visit.record if _has_record(visit) else None
        last = last_readings.get(record.pk) if record else None
        entry = {
            "visit": visit,
            "record": record,
            "timing": timing(record, last[0] if last else None, thresholds, now) if record else None,
            "out_of_range": bool(last and last[1]),
            # What the patient waits for from a prescriber, today (as it stands now, not as it stood on another
            # day): the page shows it to clinicians and nurses only.
            "waits_for": [
                WAITS_FOR[code]
                for code in waits_for(record, thresholds, item9_open=visit.item9_open, eligible=visit.eligible)
            ]
            if today
            else [],
        }
        rows.setdefault(visit.chair_id, []).append(entry)
    return {
        "day": day,
        "clinic": context,
        "location": location,
        "rows": [ChairRow(chair, rows.get(chair.pk, [])) for chair in chairs],
        "now": now,
    }


def _has_record(visit) -> bool:
    try:
        return visit.record is not None
    except InfusionRecord.DoesNotExist:
        return False


def _last_readings(records) -> dict[int, tuple[datetime, list]]:
    """Each record's latest reading: (when, fields out of range) (1 query)."""
    from infusions.models import VitalReading

    latest: dict[int, tuple[datetime, list]] = {}
    if not records:
        return latest
    rows = VitalReading.objects.filter(record__in=records).order_by("record_id", "taken_at", "id")
    for record_id, taken_at, flagged in rows.values_list("record_id", "taken_at", "out_of_range"):
        latest[record_id] = (taken_at, flagged)
    return latest


def day_sheet(appointment) -> dict:
    """The clinician's sheet for one visit: the planned dose in mg, mL per vial and the pump rate for the
    default bag, or why the protocol's dose is refused."""
    protocol, patient = appointment.series.protocol, appointment.patient
    context = {"appointment": appointment, "protocol": protocol, "patient": patient, "dose": None, "refused": ""}
    try:
        context["dose"] = dosing.planned_dose(
            mg_per_kg=protocol.dose_mg_per_kg,
            weight_kg=patient.weight_kg,
            ceiling_mg_per_kg=protocol.max_dose_mg_per_kg,
            infusion_minutes=protocol.infusion_minutes,
        )
    except dosing.DoseAboveCeiling as exc:
        context["refused"] = str(exc)
    return context
