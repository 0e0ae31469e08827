"""Contraindication screening: validation of the intake answers, and the rule table that gives outcome and flags.

Pure (no Django, no clock: `today` is the clinic's local date, passed in), so the web form, `screen_intake` and
the tests screen the same way and a stored screening can be re-run. The rules are data (`RULES`: code, severity,
reason, source), so every flag explains itself. The answers, validation and rules: docs/intake.md#screening.
"""

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from clinic.blood_pressure import PRESCRIBER_DECIDES, STABILISE_FIRST, Limit
from clinic.severity import (
    BREASTFEEDING_SEVERITIES,
    CLEAR,
    DEFER,
    EXCLUDE,
    NOTE,
    OUTCOME_RANK,
    REVIEW,
    SEVERITY_RANK,
    URGENT,
)
from intake.medications import MEDICATION_CLASSES, match_medication
from intake.phones import PhoneInvalid, to_e164
from intake.questionnaires import GAD7, PHQ9, Questionnaire, Score, score
from intake.vocabulary import BOOL_FIELDS, ENUM_FIELDS
from intake.vocabulary import INDICATION_CHOICES as INDICATION_CHOICES  # re-exported: infusions imports it from here

# The source documents the rules cite by number (the clinic's reference reading; a rule's `source`
# names them, e.g. "000, 001; esketamine label").
SOURCE_DOCUMENTS = {
    "000": "Lighthouse Infusions, Ketamine Infusion Therapy: Information for Providers",
    "001": "The Kingsley Clinic, Ketamine Infusion: A Breakthrough in Mental Health Treatment",
    "002": "Blanchfield, Understanding the Mechanism of Ketamine Infusion Therapy",
    "003": "Ketamine Infusions for Depression: Therapy FAQ",
    "004": "What is Ketamine Infusion Therapy? Uses and Benefits",
}


RULESET_VERSION = "2026.11.2"  # .2: bupropion is no longer flagged serotonergic

# --- Limits (reuse in models and forms) -----------------------------------------------------

NAME_MAX_LENGTH = 100
PHONE_MAX_LENGTH = 32
EMAIL_MAX_LENGTH = 254
MEDICATION_MAX_LENGTH = 200
MEDICATIONS_MAX_COUNT = 50
WEIGHT_KG_MIN, WEIGHT_KG_MAX = 30, 300
SYSTOLIC_MIN, SYSTOLIC_MAX = 50, 300
DIASTOLIC_MIN, DIASTOLIC_MAX = 30, 200
FAILED_TRIALS_MAX = 100
DATE_OF_BIRTH_MIN = date(1900, 1, 1)

# Allowed but implausible: a coordinator must confirm these were checked (see `implausible_values`).
PLAUSIBLE_WEIGHT_KG = (35, 250)  # below or above: confirm
PLAUSIBLE_SYSTOLIC = (70, 249)  # below 70 or 250 and above: confirm
PLAUSIBLE_DIASTOLIC = (40, 149)  # below 40 or 150 and above: confirm
PLAUSIBLE_AGE_MAX = 100  # older than this: confirm

# --- Answers --------------------------------------------------------------------------------

NON_FIELD = "__all__"


class AnswersInvalid(ValueError):
    """The intake answers are not a valid answers document. `errors` maps each field path to a message.

    Messages name the problem, never the submitted value, so str(exc) is safe to print and log.
    """

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__(
            "Invalid intake answers: " + "; ".join(f"{path}: {message}" for path, message in self.errors.items())
        )


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the intake is about: the answers' `patient` part (name, date of birth, weight, contact)."""

    first_name: str
    last_name: str
    date_of_birth: date
    weight_kg: float
    phone: str | None = None
    email: str | None = None

    def __repr__(self) -> str:  # keep identifying data out of tracebacks and logs
        return "Identity(<redacted>)"


@dataclass(frozen=True, slots=True)
class BloodPressure:
    systolic: int
    diastolic: int


@dataclass(frozen=True, slots=True)
class Answers:
    """Validated intake answers. Build only through `validate_answers`."""

    patient: Identity
    indication: str
    failed_antidepressant_trials: int
    psychosis_history: str
    mania_history: str
    seizure_history: str
    cerebrovascular_history: bool
    hypertension: str
    blood_pressure: BloodPressure | None
    cardiac: str
    liver: str
    kidney: str
    hyperthyroidism: str
    unstable_medical_condition: bool
    bladder_condition: bool
    ketamine_allergy: bool
    substance_use: str
    pregnancy: str
    breastfeeding: bool
    medications: tuple[str, ...]
    phq9: tuple[int, ...] | None
    gad7: tuple[int, ...] | None

    def __repr__(self) -> str:  # health data: keep it out of tracebacks and logs
        return "Answers(<redacted>)"

    def as_dict(self) -> dict:
        """The answers JSON document again; `validate_answers(a.as_dict(), ...) == a`."""
        patient = {
            "first_name": self.patient.first_name,
            "last_name": self.patient.last_name,
            "date_of_birth": self.patient.date_of_birth.isoformat(),
            "weight_kg": self.patient.weight_kg,
        }
        if self.patient.phone is not None:
            patient["phone"] = self.patient.phone
        if self.patient.email is not None:
            patient["email"] = self.patient.email
        data: dict = {"patient": patient}
        for name in ANSWER_KEYS[1:]:
            data[name] = getattr(self, name)
        bp = self.blood_pressure
        data["blood_pressure"] = None if bp is None else {"systolic": bp.systolic, "diastolic": bp.diastolic}
        data["medications"] = list(self.medications)
        data["phq9"] = None if self.phq9 is None else list(self.phq9)
        data["gad7"] = None if self.gad7 is None else list(self.gad7)
        return data


# The answers document's keys, in the order the questionnaire asks them.
ANSWER_KEYS = (
    "patient",
    "indication",
    "failed_antidepressant_trials",
    "psychosis_history",
    "mania_history",
    "seizure_history",
    "cerebrovascular_history",
    "hypertension",
    "blood_pressure",
    "cardiac",
    "liver",
    "kidney",
    "hyperthyroidism",
    "unstable_medical_condition",
    "bladder_condition",
    "ketamine_allergy",
    "substance_use",
    "pregnancy",
    "breastfeeding",
    "medications",
    "phq9",
    "gad7",
)
_ANSWER_KEY_SET = frozenset(ANSWER_KEYS)
_PATIENT_REQUIRED = ("first_name", "last_name", "date_of_birth", "weight_kg")
_PATIENT_KEY_SET = frozenset((*_PATIENT_REQUIRED, "phone", "email"))
_BP_KEYS = ("systolic", "diastolic")
_BP_KEY_SET = frozenset(_BP_KEYS)
_ENUM_VALUES = {name: frozenset(v for v, _ in choices) for name, choices in ENUM_FIELDS.items()}
_ENUM_MESSAGES = {
    name: "Choose one of: " + ", ".join(v for v, _ in choices) + "." for name, choices in ENUM_FIELDS.items()
}
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_ANY_TEXT_RE = re.compile(r".*", re.DOTALL)  # the phone is checked by `intake.phones`

REQUIRED = "This field is required."
UNKNOWN_FIELD = "Unknown field."


def _is_int(value: object) -> bool:
    return type(value) is int  # excludes bool (a subclass of int) and floats


# Control characters (Cc: NUL, escape, bell…) and lone surrogates (Cs) in any text answer.
_UNSAFE_CHAR_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
UNSAFE_TEXT = "This contains characters that cannot be stored (control characters or invalid Unicode)."


_UNSAFE_MULTILINE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def has_unsafe_characters(text: str, *, multiline: bool = False) -> bool:
    """True when `text` holds a control character or a lone surrogate. Newline and tab count too,
    as no intake answer is multi-line; with `multiline` (free text such as a justification) they
    and carriage returns are allowed."""
    return (_UNSAFE_MULTILINE_RE if multiline else _UNSAFE_CHAR_RE).search(text) is not None


def _unknown_key_path(prefix: str, key: object) -> str:
    # The key is named so the author can find it, but only its printable part (never a NUL or a
    # lone surrogate, which would break the output they are printed to).
    return prefix + "".join(c if c.isprintable() and not _UNSAFE_CHAR_RE.match(c) else "?" for c in str(key)[:64])


def _text(value: object, path: str, errors: dict, *, max_length: int, label: str) -> str | None:
    if not isinstance(value, str):
        errors[path] = f"Enter the {label} as text."
        return None
    if has_unsafe_characters(value):
        errors[path] = UNSAFE_TEXT
        return None
    value = value.strip()
    if not value:
        errors[path] = f"Enter the {label}."
        return None
    if len(value) > max_length:
        errors[path] = f"The {label} is too long (at most {max_length} characters)."
        return None
    return value


def _optional_text(
    patient: Mapping, key: str, errors: dict, *, max_length: int, label: str, pattern: re.Pattern
) -> str | None:
    value = patient.get(key)
    if value is None:
        return None
    path = "patient." + key
    if not isinstance(value, str):
        errors[path] = f"Enter the {label} as text, or leave it out."
        return None
    if has_unsafe_characters(value):
        errors[path] = UNSAFE_TEXT
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > max_length:
        errors[path] = f"The {label} is too long (at most {max_length} characters)."
        return None
    if pattern.fullmatch(value) is None:
        errors[path] = f"This does not look like a valid {label}."
        return None
    return value


def _date_of_birth(value: object, errors: dict, today: date) -> date | None:
    path = "patient.date_of_birth"
    if not isinstance(value, str) or _DATE_RE.fullmatch(value) is None:
        errors[path] = "Enter the date of birth as YYYY-MM-DD."
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        errors[path] = "This is not a real calendar date."
        return None
    if parsed >= today:
        errors[path] = "The date of birth must be in the past."
        return None
    if parsed < DATE_OF_BIRTH_MIN:
        errors[path] = f"The date of birth must not be before {DATE_OF_BIRTH_MIN.year}."
        return None
    return parsed


def _weight(value: object, errors: dict) -> float | None:
    path = "patient.weight_kg"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        errors[path] = "Enter the weight in kilograms as a number."
        return None
    if isinstance(value, int) and not -(10**6) < value < 10**6:  # bounded before float() can overflow
        errors[path] = f"The weight must be between {WEIGHT_KG_MIN} and {WEIGHT_KG_MAX} kg."
        return None
    try:
        weight = float(value)
    except (OverflowError, ValueError):  # a Decimal beyond float's range
        weight = math.inf
    if not math.isfinite(weight) or not WEIGHT_KG_MIN <= weight <= WEIGHT_KG_MAX:
        errors[path] = f"The weight must be between {WEIGHT_KG_MIN} and {WEIGHT_KG_MAX} kg."
        return None
    return weight


def _identity(value: object, errors: dict, today: date) -> Identity | None:
    if value is None:
        errors["patient"] = REQUIRED
        return None
    if not isinstance(value, Mapping):
        errors["patient"] = "The patient details must be an object."
        return None
    for key in value:
        if key not in _PATIENT_KEY_SET:
            errors[_unknown_key_path("patient.", key)] = UNKNOWN_FIELD
    before = len(errors)
    for key in _PATIENT_REQUIRED:
        if key not in value:
            errors["patient." + key] = REQUIRED
    first_name = last_name = dob = weight = None
    if "first_name" in value:
        first_name = _text(
            value["first_name"],
            "patient.first_name",
            errors,
            max_length=NAME_MAX_LENGTH,
            label="first name",
        )
    if "last_name" in value:
        last_name = _text(
            value["last_name"],
            "patient.last_name",
            errors,
            max_length=NAME_MAX_LENGTH,
            label="last name",
        )
    if "date_of_birth" in value:
        dob = _date_of_birth(value["date_of_birth"], errors, today)
    if "weight_kg" in value:
        weight = _weight(value["weight_kg"], errors)
    phone = _optional_text(
        value,
        "phone",
        errors,
        max_length=PHONE_MAX_LENGTH,
        label="phone number",
        pattern=_ANY_TEXT_RE,
    )
    if phone is not None:
        try:
            phone = to_e164(phone)  # the region of numbers without +: the PHONE_REGION setting
        except PhoneInvalid as exc:
            errors["patient.phone"] = exc.message
    email = _optional_text(
        value,
        "email",
        errors,
        max_length=EMAIL_MAX_LENGTH,
        label="e-mail address",
        pattern=_EMAIL_RE,
    )
    if len(errors) != before:
        return None
    return Identity(first_name, last_name, dob, weight, phone, email)


def _blood_pressure(value: object, errors: dict) -> BloodPressure | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        errors["blood_pressure"] = 'Enter the blood pressure as {"systolic": ..., "diastolic": ...} or null.'
        return None
    before = len(errors)
    for key in value:
        if key not in _BP_KEY_SET:
            errors[_unknown_key_path("blood_pressure.", key)] = UNKNOWN_FIELD
    limits = {"systolic": (SYSTOLIC_MIN, SYSTOLIC_MAX), "diastolic": (DIASTOLIC_MIN, DIASTOLIC_MAX)}
    for key in _BP_KEYS:
        path = "blood_pressure." + key
        if key not in value:
            errors[path] = REQUIRED
            continue
        reading = value[key]
        low, high = limits[key]
        if not _is_int(reading):
            errors[path] = f"Enter the {key} pressure as a whole number (mmHg)."
        elif not low <= reading <= high:
            errors[path] = f"The {key} pressure must be between {low} and {high} mmHg."
    if len(errors) != before:
        return None
    if value["systolic"] <= value["diastolic"]:
        errors["blood_pressure"] = "The systolic pressure must be higher than the diastolic."
        return None
    return BloodPressure(value["systolic"], value["diastolic"])


def _items(value: object, questionnaire: Questionnaire, errors: dict) -> tuple[int, ...] | None:
    name, count = questionnaire.code, len(questionnaire.items)
    low, high = questionnaire.min_value, questionnaire.max_value
    if value is None:
        return None
    if not isinstance(value, list | tuple):
        errors[name] = f"Enter the {count} answers as a list, or null if not asked."
        return None
    if len(value) != count:
        errors[name] = f"Expected {count} answers, got {len(value)}."
        return None
    ok = True
    for number, item in enumerate(value, start=1):
        if not _is_int(item) or item not in questionnaire.values:
            errors[f"{name}.{number}"] = f"Each answer must be a whole number from {low} to {high}."
            ok = False
    return tuple(value) if ok else None


def _medications(value: object, errors: dict) -> tuple[str, ...] | None:
    if not isinstance(value, list | tuple):
        errors["medications"] = "Enter the medications as a list (it may be empty)."
        return None
    if len(value) > MEDICATIONS_MAX_COUNT:
        errors["medications"] = f"At most {MEDICATIONS_MAX_COUNT} medications can be entered."
        return None
    entries = []
    for number, entry in enumerate(value, start=1):
        path = f"medications.{number}"
        if not isinstance(entry, str):
            errors[path] = "Enter each medication as text."
            continue
        if has_unsafe_characters(entry):
            errors[path] = UNSAFE_TEXT
            continue
        entry = entry.strip()
        if not entry:
            errors[path] = "This medication entry is blank; remove it or enter a name."
        elif len(entry) > MEDICATION_MAX_LENGTH:
            errors[path] = f"This medication entry is too long (at most {MEDICATION_MAX_LENGTH} characters)."
        else:
            entries.append(entry)
    return tuple(entries)


def validate_answers(data: object, *, today: date) -> Answers:
    """Check an intake answers document and return it typed and normalised.

    `today` is the clinic's local date. Raises `AnswersInvalid` with every error found.
    """
    _check_today(today)
    if not isinstance(data, Mapping):
        raise AnswersInvalid({NON_FIELD: "The intake answers must be a JSON object."})
    errors: dict[str, str] = {}
    for key in data:
        if key not in _ANSWER_KEY_SET:
            errors[_unknown_key_path("", key)] = UNKNOWN_FIELD
    for key in ANSWER_KEYS:
        if key not in data:
            errors[key] = REQUIRED
    get = data.get

    patient = _identity(data["patient"], errors, today) if "patient" in data else None

    values: dict[str, object] = {}
    for name, allowed in _ENUM_VALUES.items():
        if name in data:
            value = data[name]
            if type(value) is str and value in allowed:
                values[name] = value
            else:
                errors[name] = _ENUM_MESSAGES[name]
    for name in BOOL_FIELDS:
        if name in data:
            value = data[name]
            if type(value) is bool:
                values[name] = value
            else:
                errors[name] = "Answer true or false."

    trials = get("failed_antidepressant_trials")
    if "failed_antidepressant_trials" in data:
        if not _is_int(trials):
            errors["failed_antidepressant_trials"] = "Enter a whole number (0 or more)."
        elif not 0 <= trials <= FAILED_TRIALS_MAX:
            errors["failed_antidepressant_trials"] = f"Enter a whole number from 0 to {FAILED_TRIALS_MAX}."

    blood_pressure = _blood_pressure(get("blood_pressure"), errors)
    medications = _medications(data["medications"], errors) if "medications" in data else None
    phq9 = _items(get("phq9"), PHQ9, errors)
    gad7 = _items(get("gad7"), GAD7, errors)

    if errors:
        raise AnswersInvalid(errors)
    return Answers(
        patient=patient,
        failed_antidepressant_trials=trials,
        blood_pressure=blood_pressure,
        medications=medications,
        phq9=phq9,
        gad7=gad7,
        **values,
    )


def implausible_values(answers: Answers, *, today: date) -> dict[str, str]:
    """Values that are allowed but unusual enough to be a typo, {field path: message}.

    Not errors: the coordinator confirms they checked them (`intake_create(confirm_implausible=True)`).
    Messages name the bound, never the value.
    """
    _check_today(today)
    found = {}
    low, high = PLAUSIBLE_WEIGHT_KG
    if not low <= answers.patient.weight_kg <= high:
        found["patient.weight_kg"] = f"A weight under {low} or over {high} kg is unusual: check it."
    if age_on(answers.patient.date_of_birth, today) > PLAUSIBLE_AGE_MAX:
        found["patient.date_of_birth"] = f"This makes the patient older than {PLAUSIBLE_AGE_MAX}: check it."
    bp = answers.blood_pressure
    if bp is not None:
        for key, (low, high), reading in (
            ("systolic", PLAUSIBLE_SYSTOLIC, bp.systolic),
            ("diastolic", PLAUSIBLE_DIASTOLIC, bp.diastolic),
        ):
            if not low <= reading <= high:
                found[f"blood_pressure.{key}"] = (
                    f"A {key} pressure under {low} or over {high} mmHg is unusual: check it."
                )
    return found


def _check_today(today: object) -> None:
    # A datetime would compare wrongly with dates (and hide a time-zone decision): refuse it.
    if isinstance(today, datetime) or not isinstance(today, date):
        raise TypeError("today must be a datetime.date (the clinic's local date)")


# --- Rules ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules need beyond the answers, computed once per screening."""

    age: int
    medication_classes: Mapping[str, tuple[str, ...]]  # class -> entries, in entry order
    unrecognized_medications: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: str  # for BREASTFEEDING, the default; the clinic setting overrides it
    reason: str
    source: str
    predicate: Callable[[Answers, Facts], bool] = field(repr=False)


def _bp_over(answers: Answers, limit: Limit) -> bool:
    bp = answers.blood_pressure
    return bp is not None and limit.exceeded_by(bp.systolic, bp.diastolic)


_INTERACTION_REASONS = {
    "BENZODIAZEPINE": ("Benzodiazepine: may blunt the antidepressant effect; added sedation.", "001"),
    "OPIOID": ("Opioid: risk of respiratory depression and sedation.", "001"),
    "BARBITURATE": ("Barbiturate: less ketamine effect, more sedation.", "001"),
    "ANTIDEPRESSANT": ("Antidepressant: serotonergic interaction warning.", "001"),
    "MAOI": ("MAO inhibitor: may raise blood pressure.", "esketamine label"),
    "STIMULANT": ("Stimulant: may raise blood pressure.", "esketamine label"),
    "ANTIHYPERTENSIVE": ("Antihypertensive: blood pressure response may be unpredictable.", "001"),
    "LAMOTRIGINE": ("Lamotrigine: may change the response to ketamine.", "clinical literature (weak)"),
}
if _INTERACTION_REASONS.keys() != MEDICATION_CLASSES.keys():  # pragma: no cover
    raise RuntimeError("every medication class needs an interaction reason")


def _interaction_rule(medication_class: str) -> Rule:
    reason, source = _INTERACTION_REASONS[medication_class]
    return Rule(
        f"INTERACTION_{medication_class}",
        NOTE,
        reason,
        source,
        lambda a, f: medication_class in f.medication_classes,
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "KETAMINE_ALLERGY",
        EXCLUDE,
        "Documented ketamine allergy: risk of a severe allergic reaction (anaphylaxis).",
        "000 (anaphylaxis risk); labels",
        lambda a, f: a.ketamine_allergy,
    ),
    Rule(
        "PSYCHOSIS_PRIMARY",
        EXCLUDE,
        "History of primary psychosis or schizophrenia: ketamine may worsen psychotic symptoms.",
        "000, 001, 002",
        lambda a, f: a.psychosis_history == "primary",
    ),
    Rule(
        "PSYCHOSIS_TRANSIENT",
        REVIEW,
        "Transient psychosis (substance, medication or acute illness): may be eligible; review.",
        "000",
        lambda a, f: a.psychosis_history == "transient",
    ),
    Rule(
        "MANIA_SEVERE",
        EXCLUDE,
        "Bipolar I, severe manic episodes or current mania: risk of triggering mania.",
        "000",
        lambda a, f: a.mania_history in ("bipolar_i_or_severe", "current"),
    ),
    Rule(
        "HYPOMANIA",
        NOTE,
        "Mild hypomania or bipolar II: likely eligible, depending on the overall history.",
        "000",
        lambda a, f: a.mania_history == "hypomanic",
    ),
    Rule(
        "SEIZURE_DISORDER",
        EXCLUDE,
        "Known seizure disorder: ketamine may trigger seizures.",
        "000",
        lambda a, f: a.seizure_history == "disorder",
    ),
    Rule(
        "SEIZURE_PROVOKED",
        NOTE,
        "Past provoked seizure (medication reaction, acute illness): likely still a candidate.",
        "000",
        lambda a, f: a.seizure_history == "provoked",
    ),
    Rule(
        "CEREBROVASCULAR",
        EXCLUDE,
        "Stroke, brain bleed, aneurysm or intracranial hypertension: ketamine raises intracranial and blood pressure.",
        "000, 001; esketamine label",
        lambda a, f: a.cerebrovascular_history,
    ),
    Rule(
        "HYPERTENSION_UNCONTROLLED",
        DEFER,
        f"Uncontrolled hypertension or resting blood pressure above {STABILISE_FIRST}: stabilise first.",
        f"000 (stabilise first); Swiss ketamine label (>{STABILISE_FIRST} at rest)",
        lambda a, f: a.hypertension == "uncontrolled" or _bp_over(a, STABILISE_FIRST),
    ),
    Rule(
        "BP_ELEVATED",
        REVIEW,
        f"Resting blood pressure above {PRESCRIBER_DECIDES}: weigh delaying treatment.",
        f"esketamine label (>{PRESCRIBER_DECIDES}: weigh delaying)",
        lambda a, f: _bp_over(a, PRESCRIBER_DECIDES) and not _bp_over(a, STABILISE_FIRST),
    ),
    Rule(
        "HYPERTENSION_CONTROLLED",
        NOTE,
        "Hypertension controlled with medication: typically eligible.",
        "000",
        lambda a, f: a.hypertension == "controlled",
    ),
    Rule(
        "CARDIAC_SEVERE",
        EXCLUDE,
        "Severe cardiovascular disease (recent heart attack, advanced heart failure).",
        "000, 001; UK label",
        lambda a, f: a.cardiac == "severe",
    ),
    Rule(
        "CARDIAC_MILD_MODERATE",
        REVIEW,
        "Mild or moderate cardiovascular condition: may be eligible; review.",
        "000",
        lambda a, f: a.cardiac == "mild_moderate",
    ),
    Rule(
        "LIVER_SEVERE",
        EXCLUDE,
        "Severe liver dysfunction: impaired ketamine metabolism, prolonged effects.",
        "000, 001",
        lambda a, f: a.liver == "severe",
    ),
    Rule(
        "KIDNEY_SEVERE",
        REVIEW,
        "Severe kidney disease: metabolite clearance; not an automatic exclusion.",
        "000 (not an automatic exclusion)",
        lambda a, f: a.kidney == "severe",
    ),
    Rule(
        "HYPERTHYROIDISM_UNTREATED",
        DEFER,
        "Untreated hyperthyroidism: treat before starting.",
        "Swiss ketamine label",
        lambda a, f: a.hyperthyroidism == "untreated",
    ),
    Rule(
        "UNSTABLE_MEDICAL",
        REVIEW,
        "Unstable medical condition (severe infection, uncontrolled diabetes or other).",
        "000",
        lambda a, f: a.unstable_medical_condition,
    ),
    Rule(
        "BLADDER_CONDITION",
        REVIEW,
        "Pre-existing bladder condition: individual evaluation; mitigation protocols.",
        "000 (individual evaluation; mitigation protocols)",
        lambda a, f: a.bladder_condition,
    ),
    Rule(
        "SUBSTANCE_HEAVY",
        REVIEW,
        "Current heavy substance use: unpredictable response, higher risk of adverse reactions.",
        "000",
        lambda a, f: a.substance_use == "current_heavy",
    ),
    Rule(
        "SUBSTANCE_HISTORY",
        NOTE,
        "History of substance use or moderate recreational use: generally considered safe.",
        "000",
        lambda a, f: a.substance_use == "history_or_moderate",
    ),
    Rule(
        "PREGNANCY",
        DEFER,
        "Pregnant or planning a pregnancy: wait to begin treatment.",
        "000 (wait to begin), 001",
        lambda a, f: a.pregnancy in ("pregnant", "planning"),
    ),
    Rule(
        "BREASTFEEDING",
        NOTE,
        "Breastfeeding: seed 000 finds it safe (no need to pump and discard); 001 advises"
        " avoiding. Severity is a clinic setting.",
        "000 says safe, no need to pump and discard; 001 says avoid",
        lambda a, f: a.breastfeeding,
    ),
    Rule(
        "AGE_UNDER_18",
        REVIEW,
        "Under 18 at screening: dosing guidance is for adults.",
        "001 (adult dosing guidance)",
        lambda a, f: f.age < 18,
    ),
    Rule(
        "NOT_TREATMENT_RESISTANT",
        NOTE,
        "Depression with fewer than two failed antidepressant trials: not treatment-resistant by definition.",
        "004 (TRD: failed at least two antidepressants)",
        lambda a, f: a.indication == "depression" and a.failed_antidepressant_trials < 2,
    ),
    Rule(
        "SUICIDE_RISK",
        URGENT,
        "PHQ-9 item 9 positive (thoughts of death or self-harm): same-day follow-up; show the"
        " 988 Suicide & Crisis Lifeline.",
        "PHQ-9 guidance: any positive item 9 needs same-day follow-up",
        lambda a, f: a.phq9 is not None and a.phq9[PHQ9.suicide_item_index] >= 1,
    ),
    Rule(
        "MEDICATION_UNRECOGNIZED",
        NOTE,
        "Medication entries match no known name: a clinician should check them.",
        "so a clinician checks it",
        lambda a, f: bool(f.unrecognized_medications),
    ),
    *(_interaction_rule(medication_class) for medication_class in MEDICATION_CLASSES),
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
SETTABLE_SEVERITY_CODES = frozenset({"BREASTFEEDING"})


# --- Screening ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that fired for these answers (stored as an `intake.models.Flag` row)."""

    code: str
    severity: str
    reason: str
    source: str
    details: tuple[str, ...] = ()  # medication entries for MEDICATION_* and INTERACTION_* flags

    def as_dict(self) -> dict:
        """Its part of the screening JSON: code, severity, reason (no source, no details)."""
        return {"code": self.code, "severity": self.severity, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    outcome: str
    urgent: bool
    flags: tuple[Finding, ...]
    phq9: Score | None
    gad7: Score | None
    ruleset: str = RULESET_VERSION

    @property
    def scores(self) -> dict[str, Score | None]:
        return {"phq9": self.phq9, "gad7": self.gad7}

    @property
    def flag_codes(self) -> tuple[str, ...]:
        return tuple(flag.code for flag in self.flags)

    def as_dict(self) -> dict:
        """Exactly the screening JSON `screen_intake` prints (and `Screening.as_dict` rebuilds)."""
        return {
            "outcome": self.outcome,
            "urgent": self.urgent,
            "flags": [flag.as_dict() for flag in self.flags],
            "scores": {
                "phq9": None if self.phq9 is None else self.phq9.as_dict(),
                "gad7": None if self.gad7 is None else self.gad7.as_dict(),
            },
            "ruleset": self.ruleset,
        }


def age_on(date_of_birth: date, today: date) -> int:
    """Completed years on `today` (born 29 February: one year older on 1 March in common years)."""
    return today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))


def _facts(answers: Answers, today: date) -> Facts:
    classes: dict[str, list[str]] = {}
    unrecognized = []
    for entry in answers.medications:
        medication_class = match_medication(entry)
        if medication_class is None:
            unrecognized.append(entry)
        else:
            classes.setdefault(medication_class, []).append(entry)
    return Facts(
        age=age_on(answers.patient.date_of_birth, today),
        medication_classes={k: tuple(v) for k, v in classes.items()},
        unrecognized_medications=tuple(unrecognized),
    )


def _finding(rule: Rule, answers: Answers, facts: Facts, breastfeeding_severity: str) -> Finding:
    if rule.code == "BREASTFEEDING":
        return Finding(rule.code, breastfeeding_severity, rule.reason, rule.source)
    if rule.code == "MEDICATION_UNRECOGNIZED":
        entries = facts.unrecognized_medications
        count = len(entries)
        reason = (
            f"{count} medication {'entry matches' if count == 1 else 'entries match'} no known"
            " name: a clinician should check them."
        )
        return Finding(rule.code, rule.severity, reason, rule.source, entries)
    if rule.code.startswith("INTERACTION_"):
        entries = facts.medication_classes[rule.code.removeprefix("INTERACTION_")]
        return Finding(rule.code, rule.severity, rule.reason, rule.source, entries)
    return Finding(rule.code, rule.severity, rule.reason, rule.source)


def outcome_of(severities: Sequence[str]) -> tuple[str, bool]:
    """(outcome, urgent) for the severities of the flags that fired.

    The outcome is the most restrictive of exclude > defer > review that fired, else clear; an
    urgent flag alone still needs a clinician, so it makes the outcome at least review.
    """
    urgent = URGENT in severities
    outcome = CLEAR
    for severity in severities:
        if severity in OUTCOME_RANK and OUTCOME_RANK[severity] > OUTCOME_RANK[outcome]:
            outcome = severity
    if urgent and outcome == CLEAR:
        outcome = REVIEW
    return outcome, urgent


def screen(answers: Answers, *, today: date, breastfeeding_severity: str = NOTE) -> ScreeningResult:
    """Apply the rule set to validated answers. Never raises for an `Answers` it is given."""
    if not isinstance(answers, Answers):
        raise TypeError("screen() takes Answers from validate_answers()")
    _check_today(today)
    if breastfeeding_severity not in BREASTFEEDING_SEVERITIES:
        raise ValueError(f"breastfeeding_severity must be one of {BREASTFEEDING_SEVERITIES}")
    facts = _facts(answers, today)
    flags = [_finding(rule, answers, facts, breastfeeding_severity) for rule in RULES if rule.predicate(answers, facts)]
    flags.sort(key=lambda flag: SEVERITY_RANK[flag.severity])  # stable: table order within
    outcome, urgent = outcome_of([flag.severity for flag in flags])
    return ScreeningResult(
        outcome=outcome,
        urgent=urgent,
        flags=tuple(flags),
        phq9=score(PHQ9, answers.phq9),
        gad7=score(GAD7, answers.gad7),
    )
