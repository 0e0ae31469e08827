"""The infusion day's rules at the chair: start gates, alert thresholds, monitoring times, discharge.

Pure (no Django, no clock: instants are passed in), so every rule is tested on both sides of its threshold and the
room's page asks "what is overdue now?" with its own `now`. Every number is a `Thresholds` field the medical
director can change, and `SOURCES` says where each default comes from: local protocols and study methods, not one
binding standard. Item 9 answered anywhere (the
patient's link, an earlier check-in, the intake) and the holds from outside the check-in (ON_HOLD,
DEFERRED_TODAY) are gates too, so the record shows them before Start is pressed.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from types import MappingProxyType
from typing import ClassVar, Literal

from clinic import when as fmt
from clinic.blood_pressure import PRESCRIBER_DECIDES, STABILISE_FIRST

# --- Thresholds -----------------------------------------------------------------------------

# Where each default comes from (DOMAIN §7), shown next to the number on the settings page.
SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "no_start_systolic": "Swiss ketamine label",
        "no_start_diastolic": "Swiss ketamine label",
        "decision_systolic": "esketamine (Spravato) label",
        "decision_diastolic": "esketamine (Spravato) label",
        "alert_systolic": "example local protocol",
        "alert_diastolic": "example local protocol",
        "alert_heart_rate": "example local protocol",
        "alert_spo2": "example local protocol",
        "low_systolic": "local-protocol choice (hypotension; not in the sources)",
        "interval_during_minutes": "Emory/Yale studies",
        "interval_observation_minutes": "Emory study",
        "observation_minutes": "002, 004 (at least 20-30 min)",
        "fasting_solid_hours": "ASA fasting guidance",
        "fasting_clear_hours": "ASA fasting guidance",
    }
)


@dataclass(frozen=True)
class Thresholds:
    """The clinic's chair-side numbers. "Above"/"below" are strict: a value equal to a threshold passes.

    no_start_*: resting BP above either -> do not start today. decision_*: above either -> start only on
    a prescriber's documented decision. alert_*: a reading above (SpO2: below) alerts; low_systolic:
    below alerts (hypotension). Intervals and observation in minutes, fasting in hours.
    """

    no_start_systolic: int = STABILISE_FIRST.systolic
    no_start_diastolic: int = STABILISE_FIRST.diastolic
    decision_systolic: int = PRESCRIBER_DECIDES.systolic
    decision_diastolic: int = PRESCRIBER_DECIDES.diastolic
    alert_systolic: int = 180
    alert_diastolic: int = 110
    alert_heart_rate: int = 120
    alert_spo2: int = 92
    low_systolic: int = 90
    interval_during_minutes: int = 10
    interval_observation_minutes: int = 15
    observation_minutes: int = 30
    fasting_solid_hours: int = 6
    fasting_clear_hours: int = 2

    SOURCES: ClassVar[Mapping[str, str]] = SOURCES

    def __post_init__(self):
        if not self.decision_systolic < self.no_start_systolic:
            raise ValueError(
                f"The decision systolic ({self.decision_systolic}) must be below the no-start systolic "
                f"({self.no_start_systolic}): otherwise a BP could need no decision yet not be allowed to start."
            )
        if not self.decision_diastolic < self.no_start_diastolic:
            raise ValueError(
                f"The decision diastolic ({self.decision_diastolic}) must be below the no-start diastolic "
                f"({self.no_start_diastolic})."
            )
        for name in ("interval_during_minutes", "interval_observation_minutes", "observation_minutes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name.replace('_', ' ').capitalize()} must be positive (got {getattr(self, name)}).")
        if self.fasting_clear_hours < 0 or self.fasting_solid_hours < self.fasting_clear_hours:
            raise ValueError("Fasting hours: clear liquids must be 0 or more and not more than solid food.")
        if not 0 < self.alert_spo2 <= 100:
            raise ValueError(f"The SpO2 alert threshold must be a percentage above 0 (got {self.alert_spo2}).")
        if not self.low_systolic < self.alert_systolic:
            raise ValueError(
                f"The low systolic alert ({self.low_systolic}) must be below the high systolic alert "
                f"({self.alert_systolic})."
            )

    @property
    def interval_during(self) -> timedelta:
        return timedelta(minutes=self.interval_during_minutes)

    @property
    def interval_observation(self) -> timedelta:
        return timedelta(minutes=self.interval_observation_minutes)

    @property
    def observation(self) -> timedelta:
        return timedelta(minutes=self.observation_minutes)


if set(SOURCES) != {f.name for f in fields(Thresholds)}:  # pragma: no cover
    raise RuntimeError("every threshold needs a source, and every source a threshold")


# --- Check-in and start gates ---------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    """What the nurse records before the infusion may start (DOMAIN §7), as plain values."""

    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int
    weight_kg: Decimal | float
    fasting_kept: bool
    escort_name: str
    escort_phone: str
    intoxicated: bool
    pregnant_possible: bool = False
    item9: int | None = None  # PHQ-9 item 9 today, 0-3; positive is > 0
    # Positive item-9 answers before this check-in that no prescriber has followed up, each in words
    # ("the patient's questionnaire link, Sun 6 Dec 16:00").
    item9_earlier: tuple[str, ...] = ()
    on_hold: str = ""  # why the patient may not be booked now (the eligibility rule's words); "" when they may
    deferred_today: str = ""  # the earlier visit deferred this local day, in words; "" when none

    def __post_init__(self):
        # A silently out-of-range item 9 (-1, 4) could hide a positive answer: refuse it.
        if self.item9 is not None and (isinstance(self.item9, bool) or self.item9 not in range(4)):
            raise ValueError("PHQ-9 item 9 must be 0, 1, 2 or 3 (or None when not answered).")
        if isinstance(self.item9_earlier, str):  # a string would read as one answer per character
            raise ValueError("item9_earlier is a tuple of answers in words, not one string.")

    def __repr__(self) -> str:  # health data: keep the escort's name and phone out of tracebacks and logs
        return "CheckIn(<redacted>)"


BP_NO_START = "BP_NO_START"
BP_NEEDS_DECISION = "BP_NEEDS_DECISION"
ITEM9_FOLLOW_UP = "ITEM9_FOLLOW_UP"
NOT_FASTING = "NOT_FASTING"
NO_ESCORT = "NO_ESCORT"
INTOXICATED = "INTOXICATED"
PREGNANCY = "PREGNANCY"
ON_HOLD = "ON_HOLD"
DEFERRED_TODAY = "DEFERRED_TODAY"

# The order `start_gates` returns them in: the ones that defer the visit first, then those that hold the
# whole day or the patient, then the urgent one.
GATE_ORDER = (
    BP_NO_START,
    INTOXICATED,
    PREGNANCY,
    DEFERRED_TODAY,
    ON_HOLD,
    ITEM9_FOLLOW_UP,
    BP_NEEDS_DECISION,
    NOT_FASTING,
    NO_ESCORT,
)
# The gates a prescriber's recorded decision releases, and what each needs.
RELEASABLE: Mapping[str, str] = MappingProxyType(
    {BP_NEEDS_DECISION: "prescriber_decision", ITEM9_FOLLOW_UP: "same_day_follow_up"}
)
NEEDS_CORRECTION = "correction"


@dataclass(frozen=True)
class Gate:
    """One reason the infusion may not start (or, when released, a reason that was overridden).

    needs: "" when the gate simply stops the visit today; "prescriber_decision" / "same_day_follow_up"
    when a prescriber's recorded decision releases it; "correction" when a nurse re-checks and it goes
    away (the escort arrives). defer_today: the visit is deferred with `message` as the reason and the
    front desk is told to rebook.
    """

    code: str
    blocks: bool
    needs: str
    defer_today: bool
    message: str


def _bp(systolic: int, diastolic: int) -> str:
    return f"{systolic}/{diastolic}"


def start_gates(check_in: CheckIn, thresholds: Thresholds, *, decisions: Iterable[str] = frozenset()) -> list[Gate]:
    """Every gate that applies to this check-in, in GATE_ORDER. `decisions`: codes a prescriber released.

    "Above" is strict: 180/100 itself is allowed. A gate is never dropped because another applies: a deferred
    visit with a positive PHQ-9 item 9 still shows ITEM9_FOLLOW_UP, as the same-day follow-up is owed whether or
    not the patient is infused today. Only BP collapses: above no-start gives BP_NO_START alone, never
    BP_NEEDS_DECISION too (a prescriber's decision cannot release a BP the label says not to start on).
    `decisions` naming a code outside RELEASABLE raises ValueError rather than being ignored, so a wrong code never
    looks like a release; a released gate is still returned (blocks=False), so the record shows it was there.
    `item9=None` (not answered) raises no gate here: item 9 is always asked, so the check-in form requires it.
    """
    decisions = frozenset(decisions)
    if not decisions <= RELEASABLE.keys():
        refused = ", ".join(sorted(decisions - RELEASABLE.keys()))
        raise ValueError(f"Only {', '.join(RELEASABLE)} can be released by a prescriber, not {refused}.")
    t, c = thresholds, check_in
    reading, no_start = _bp(c.systolic, c.diastolic), _bp(t.no_start_systolic, t.no_start_diastolic)
    gates: dict[str, Gate] = {}

    if c.systolic > t.no_start_systolic or c.diastolic > t.no_start_diastolic:
        gates[BP_NO_START] = Gate(
            BP_NO_START,
            blocks=True,
            needs="",
            defer_today=True,
            message=f"Resting BP {reading} is above {no_start}: do not start today ({SOURCES['no_start_systolic']}).",
        )
    elif c.systolic > t.decision_systolic or c.diastolic > t.decision_diastolic:
        decision = _bp(t.decision_systolic, t.decision_diastolic)
        gates[BP_NEEDS_DECISION] = Gate(
            BP_NEEDS_DECISION,
            blocks=True,
            needs=RELEASABLE[BP_NEEDS_DECISION],
            defer_today=False,
            message=(
                f"Resting BP {reading} is above {decision}: start only on a prescriber's documented decision "
                f"({SOURCES['decision_systolic']}: weigh delaying)."
            ),
        )
    if c.intoxicated:
        gates[INTOXICATED] = Gate(
            INTOXICATED,
            blocks=True,
            needs="",
            defer_today=True,
            message="The patient appears acutely intoxicated: do not start today (002).",
        )
    if c.pregnant_possible:
        gates[PREGNANCY] = Gate(
            PREGNANCY,
            blocks=True,
            needs="",
            defer_today=True,
            message="The patient may be pregnant: do not start today (000: wait to begin; 001).",
        )
    if c.deferred_today:
        gates[DEFERRED_TODAY] = Gate(
            DEFERRED_TODAY,
            blocks=True,
            needs="",
            defer_today=False,
            message=f"The patient's visit {c.deferred_today} was deferred: no infusion for the rest of that day.",
        )
    if c.on_hold:
        gates[ON_HOLD] = Gate(
            ON_HOLD,
            blocks=True,
            needs="",
            defer_today=False,
            message=f"On hold since the check-in: {c.on_hold}",
        )
    today = c.item9 is not None and c.item9 > 0
    if today or c.item9_earlier:
        said = []
        if today:
            said.append(f"PHQ-9 item 9 is positive today ({c.item9})")
        if c.item9_earlier:
            said.append(
                f"PHQ-9 item 9 was answered positive before this check-in ({'; '.join(c.item9_earlier)}) "
                "with no prescriber's follow-up yet"
            )
        gates[ITEM9_FOLLOW_UP] = Gate(
            ITEM9_FOLLOW_UP,
            blocks=True,
            needs=RELEASABLE[ITEM9_FOLLOW_UP],
            defer_today=False,
            message=(
                f"{'; '.join(said)}: urgent. Show the 988 Suicide & Crisis Lifeline "
                "(call or text 988; emergencies 911); a prescriber documents the same-day follow-up before "
                "the infusion starts (PHQ-9 guidance)."
            ),
        )
    if not c.fasting_kept:
        gates[NOT_FASTING] = Gate(
            NOT_FASTING,
            blocks=True,
            needs=NEEDS_CORRECTION,
            defer_today=False,
            message=(
                f"Fasting not kept (no solid food for {t.fasting_solid_hours} h, clear liquids until "
                f"{t.fasting_clear_hours} h before: {SOURCES['fasting_solid_hours']}): do not start until it is."
            ),
        )
    missing = [what for what, value in (("name", c.escort_name), ("phone", c.escort_phone)) if not value.strip()]
    if missing:
        gates[NO_ESCORT] = Gate(
            NO_ESCORT,
            blocks=True,
            needs=NEEDS_CORRECTION,
            defer_today=False,
            message=(
                f"No responsible adult to take the patient home (missing: {' and '.join(missing)}): "
                "the patient must not drive (002). Record the escort's name and phone before starting."
            ),
        )

    result = []
    for code in GATE_ORDER:
        gate = gates.get(code)
        if gate is None:
            continue
        if code in decisions:
            gate = Gate(
                code,
                blocks=False,
                needs=gate.needs,
                defer_today=False,
                message=gate.message + " Released: the prescriber's decision is recorded.",
            )
        result.append(gate)
    return result


def may_start(gates: Iterable[Gate]) -> bool:
    """True when no gate blocks (released gates and no gates at all both allow the start)."""
    return not any(gate.blocks for gate in gates)


def deferral_reason(gates: Iterable[Gate]) -> str | None:
    """The reason to record when the visit is deferred today (every deferring gate's message), else None."""
    messages = [gate.message for gate in gates if gate.defer_today and gate.blocks]
    return " ".join(messages) if messages else None


# --- Readings -------------------------------------------------------------------------------

DISSOCIATION = ("none", "mild", "moderate", "severe")

# Modified Observer's Assessment of Alertness/Sedation (Chernik et al. 1990; Spravato label and REMS form).
MOAAS = (
    (5, "Responds readily to name spoken in normal tone"),
    (4, "Lethargic response to name spoken in normal tone"),
    (3, "Responds only after name is called loudly and/or repeatedly"),
    (2, "Responds only after mild prodding or shaking"),
    (1, "Responds only after painful trapezius squeeze"),
    (0, "No response after painful trapezius squeeze"),
)


@dataclass(frozen=True)
class Reading:
    """One set of observations at the chair. Any value may be missing (a nurse records what was taken)."""

    at: datetime
    systolic: int | None = None
    diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None
    moaas: int | None = None
    dissociation: str | None = None
    phase: str | None = None  # as recorded ("pre", "infusion", "observation"), when known

    def __post_init__(self):
        _require_aware(self.at, "at")


# (field, label, unit, lowest, highest) for `validate_reading`.
_PLAUSIBLE = (
    ("systolic", "Systolic", "mmHg", 40, 300),
    ("diastolic", "Diastolic", "mmHg", 20, 200),
    ("heart_rate", "Heart rate", "beats/min", 20, 250),
    ("spo2", "SpO2", "%", 50, 100),
    ("moaas", "MOAA/S", "", 0, 5),
)
NON_FIELD = "__all__"


def validate_reading(reading: Reading) -> dict[str, str]:
    """{field: message} for values a typo produces (a form shows each next to its field); {} when plausible.

    Messages never repeat the value typed, as in intake validation.
    """
    errors: dict[str, str] = {}
    for name, label, unit, low, high in _PLAUSIBLE:
        value = getattr(reading, name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = f"{label} must be a whole number."
        elif not low <= value <= high:
            errors[name] = f"{label} must be between {low} and {high}{' ' + unit if unit else ''}."
    if (
        reading.systolic is not None
        and reading.diastolic is not None
        and not errors.keys() & {"systolic", "diastolic"}
        and not reading.systolic > reading.diastolic
    ):
        errors["diastolic"] = "Diastolic must be below systolic."
    if reading.dissociation is not None and reading.dissociation not in DISSOCIATION:
        errors["dissociation"] = f"Dissociation must be one of: {', '.join(DISSOCIATION)}."
    if all(getattr(reading, f.name) is None for f in fields(Reading) if f.name != "at"):
        errors[NON_FIELD] = "Enter at least one value."
    return errors


def out_of_range(reading: Reading, thresholds: Thresholds) -> list[tuple[str, str]]:
    """(field, message) for each value past an alert threshold, e.g. ("systolic", "Systolic 186 is above 180.")."""
    t, r = thresholds, reading
    alerts = []
    if r.systolic is not None and r.systolic > t.alert_systolic:
        alerts.append(("systolic", f"Systolic {r.systolic} is above {t.alert_systolic}."))
    elif r.systolic is not None and r.systolic < t.low_systolic:
        alerts.append(("systolic", f"Systolic {r.systolic} is below {t.low_systolic}."))
    if r.diastolic is not None and r.diastolic > t.alert_diastolic:
        alerts.append(("diastolic", f"Diastolic {r.diastolic} is above {t.alert_diastolic}."))
    if r.heart_rate is not None and r.heart_rate > t.alert_heart_rate:
        alerts.append(("heart_rate", f"Heart rate {r.heart_rate} is above {t.alert_heart_rate}."))
    if r.spo2 is not None and r.spo2 < t.alert_spo2:
        alerts.append(("spo2", f"SpO2 {r.spo2}% is below {t.alert_spo2}%."))
    return alerts


# --- Monitoring schedule --------------------------------------------------------------------

Phase = Literal["pre", "infusion", "observation"]
PHASES: tuple[Phase, ...] = ("pre", "infusion", "observation")


def _require_aware(moment: datetime | None, name: str) -> None:
    if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
        raise ValueError(f"{name} must be an aware datetime")


def phase_at(now: datetime, *, infusion_started_at: datetime | None, infusion_ended_at: datetime | None) -> Phase:
    """Which phase the visit is in at `now`: before the start, running, or after the end (observation)."""
    for moment, name in (
        (now, "now"),
        (infusion_started_at, "infusion_started_at"),
        (infusion_ended_at, "infusion_ended_at"),
    ):
        _require_aware(moment, name)
    if infusion_ended_at is not None and now >= infusion_ended_at:
        return "observation"
    if infusion_started_at is not None and now >= infusion_started_at:
        return "infusion"
    return "pre"


def next_due(
    *,
    phase: Phase,
    last_reading_at: datetime | None,
    infusion_started_at: datetime | None,
    infusion_ended_at: datetime | None,
    thresholds: Thresholds,
) -> datetime | None:
    """When the next reading is due; None before the start.

    During the infusion: `interval_during` after the last reading taken since the start (or after the start
    when none). During observation: `interval_observation` after the last reading taken since the end (or
    after the end when none): readings from an earlier phase do not count, so a check-in reading never
    makes the first infusion reading overdue, and the first observation reading is timed from the end.

    Elapsed time, not the wall clock: a reading due 10 minutes after one at 01:55 on the night the clocks change
    is due 10 real minutes later.
    """
    for moment, name in (
        (last_reading_at, "last_reading_at"),
        (infusion_started_at, "infusion_started_at"),
        (infusion_ended_at, "infusion_ended_at"),
    ):
        _require_aware(moment, name)
    if phase == "pre":
        return None
    if phase == "infusion":
        if infusion_started_at is None:
            raise ValueError("infusion_started_at is needed during the infusion")
        base, interval = infusion_started_at, thresholds.interval_during
    elif phase == "observation":
        if infusion_ended_at is None:
            raise ValueError("infusion_ended_at is needed during observation")
        base, interval = infusion_ended_at, thresholds.interval_observation
    else:
        raise ValueError(f"phase must be one of {', '.join(PHASES)}")
    if last_reading_at is not None and last_reading_at >= base:
        base = last_reading_at
    return base + interval


def is_overdue(now: datetime, due: datetime | None) -> bool:
    """True strictly after `due` (a reading due at 10:20 is not overdue at 10:20:00); never when nothing is due."""
    return due is not None and now > due


def discharge_ready_at(infusion_ended_at: datetime, thresholds: Thresholds) -> datetime:
    """The earliest discharge: the minimum observation after the infusion ends."""
    _require_aware(infusion_ended_at, "infusion_ended_at")
    return infusion_ended_at + thresholds.observation


def observation_complete(now: datetime, infusion_ended_at: datetime | None, thresholds: Thresholds) -> bool:
    """True from `discharge_ready_at` on (inclusive); False while the infusion has not ended."""
    return infusion_ended_at is not None and now >= discharge_ready_at(infusion_ended_at, thresholds)


# --- Discharge ------------------------------------------------------------------------------

DISCHARGE_CHECKLIST = (
    ("VITALS_NEAR_BASELINE", "Vital signs near baseline"),
    ("ALERT_ORIENTED", "Alert and oriented"),
    ("WALKS_STEADILY", "Walks steadily"),
    ("NAUSEA_CONTROLLED", "Nausea controlled"),
    ("ESCORT_PRESENT", "Responsible adult present to take the patient home"),
    ("INSTRUCTIONS_GIVEN", "Written instructions given: no driving until the next day after sleep"),
)
_CHECKLIST_CODES = frozenset(code for code, _ in DISCHARGE_CHECKLIST)


def discharge_problems(
    ticked: Iterable[str],
    *,
    now: datetime,
    infusion_ended_at: datetime | None,
    thresholds: Thresholds,
    tz: tzinfo | None = None,
) -> list[str]:
    """What still stands in the way of discharge; [] means the patient may be discharged.

    The observation message comes first ("Observation not complete (until 11:40)." in `tz`, default the
    zone of `now`: pass the clinic's zone when `now` is UTC), then each unticked item's wording in
    checklist order. An unknown code in `ticked` is refused (ValueError): it would never count.
    """
    _require_aware(now, "now")
    ticked = frozenset(ticked)
    if not ticked <= _CHECKLIST_CODES:
        raise ValueError(f"Unknown discharge checklist codes: {', '.join(sorted(ticked - _CHECKLIST_CODES))}")
    problems = []
    if infusion_ended_at is None:
        problems.append("The infusion has not ended.")
    elif not observation_complete(now, infusion_ended_at, thresholds):
        until = discharge_ready_at(infusion_ended_at, thresholds).astimezone(tz or now.tzinfo)
        problems.append(f"Observation not complete (until {fmt.clock(until)}).")
    problems.extend(wording for code, wording in DISCHARGE_CHECKLIST if code not in ticked)
    return problems


NO_READING_AFTER_END = "NO_READING_AFTER_END"
LAST_READING_OUT_OF_RANGE = "LAST_READING_OUT_OF_RANGE"
VITALS = ("systolic", "diastolic", "heart_rate", "spo2")


def latest_vitals(readings: Iterable[Reading]) -> Reading | None:
    """The latest value of each vital sign across the flowsheet (a reading may give only some), dated by the
    latest reading; None without readings."""
    ordered = sorted(readings, key=lambda r: r.at)
    if not ordered:
        return None
    latest = {}
    for reading in ordered:
        for name in VITALS:
            if getattr(reading, name) is not None:
                latest[name] = getattr(reading, name)
    return Reading(at=ordered[-1].at, **latest)


def discharge_reading_problems(
    readings: Iterable[Reading],
    *,
    infusion_ended_at: datetime | None,
    thresholds: Thresholds,
    tz: tzinfo | None = None,
) -> list[tuple[str, str]]:
    """What the flowsheet says against discharge, as (code, message); [] when nothing.

    NO_READING_AFTER_END: no reading was taken after the infusion ended (the patient is discharged on vital
    signs measured in observation, never on the last ones of the infusion). LAST_READING_OUT_OF_RANGE: the
    latest value of a vital sign is past an alert threshold (`out_of_range`: systolic or diastolic above,
    heart rate above, SpO2 below, systolic below the low one), however long ago it was taken and whatever
    was measured after it. A prescriber's documented decision covers both (`decision_covers`).
    """
    readings = list(readings)
    problems = []
    if infusion_ended_at is not None and not any(_after_end(r, infusion_ended_at) for r in readings):
        ended = infusion_ended_at.astimezone(tz) if tz else infusion_ended_at
        message = f"No reading since the infusion ended at {fmt.clock(ended)}: take one before discharge."
        problems.append((NO_READING_AFTER_END, message))
    latest = latest_vitals(readings)
    flagged = out_of_range(latest, thresholds) if latest else []
    if flagged:
        problems.append(
            (LAST_READING_OUT_OF_RANGE, "The last reading is out of range: " + " ".join(m for _, m in flagged))
        )
    return problems


def _after_end(reading: Reading, infusion_ended_at: datetime) -> bool:
    """Taken in observation: its recorded phase says so when known, else its time is after the end."""
    if reading.phase is not None:
        return reading.phase == "observation"
    return reading.at > infusion_ended_at


def decision_covers(decided_at: datetime | None, readings: Iterable[Reading]) -> bool:
    """Whether a prescriber's discharge decision recorded at `decided_at` covers the flowsheet: no reading was
    taken after it (a new reading is judged again, so a later one out of range needs a new decision)."""
    return decided_at is not None and all(r.at <= decided_at for r in readings)


# --- Adverse events (vocabulary: (code, label), usable as Django choices) ---------------------

ADVERSE_EVENTS = (
    ("nausea", "Nausea"),
    ("vomiting", "Vomiting"),
    ("hypertension", "Hypertension"),
    ("tachycardia", "Tachycardia"),
    ("desaturation", "Desaturation"),
    ("agitation_emergence", "Agitation or emergence reaction"),
    ("headache", "Headache"),
    ("dizziness", "Dizziness"),
    ("other", "Other"),
)
AE_SEVERITY = (("mild", "Mild"), ("moderate", "Moderate"), ("severe", "Severe"))
AE_ACTIONS = (
    ("none", "None"),
    ("rate_reduced", "Rate reduced"),
    ("paused", "Paused"),
    ("stopped", "Stopped"),
    ("medication_given", "Medication given"),
)
AE_OUTCOMES = (("resolved", "Resolved"), ("ongoing", "Ongoing"), ("transferred", "Transferred"))
ROUTES = (
    ("IV", "Intravenous (IV)"),
    ("IM", "Intramuscular (IM)"),
    ("PO", "By mouth (PO)"),
    ("SL", "Under the tongue (SL)"),
    ("inhaled", "Inhaled"),
)
DISSOCIATION_CHOICES = tuple((value, value.capitalize()) for value in DISSOCIATION)
MOAAS_CHOICES = tuple((score, f"{score}: {wording}") for score, wording in MOAAS)
