"""Building intake answers and the questionnaire's POST data in tests."""

import copy

from clinic.tests.factories import CLEAN_ANSWERS
from intake.forms import new_submission_token
from intake.vocabulary import BOOL_FIELDS, ENUM_FIELDS

PATIENT = {
    "first_name": "Robin",
    "last_name": "Okafor",
    "date_of_birth": "1985-03-14",
    "weight_kg": 72.5,
    "phone": "+1 555 010 2000",
    "email": "robin@example.org",
}


def answers(**changes) -> dict:
    """A full intake answers document that screens clear, with `changes` applied (patient=... too)."""
    data = {"patient": dict(PATIENT), **copy.deepcopy(CLEAN_ANSWERS)}
    for key, value in changes.items():
        if key == "patient":
            data["patient"].update(value)
        else:
            data[key] = value
    return data


def form_data(doc: dict | None = None, **extra) -> dict:
    """The questionnaire's POST data for an intake answers document."""
    doc = doc or answers()
    patient = doc["patient"]
    data = {
        "first_name": patient["first_name"],
        "last_name": patient["last_name"],
        "date_of_birth": patient["date_of_birth"],
        "weight_kg": str(patient["weight_kg"]),
        "phone": patient.get("phone", ""),
        "email": patient.get("email", ""),
        "failed_antidepressant_trials": str(doc["failed_antidepressant_trials"]),
    }
    for name in ENUM_FIELDS:
        data[name] = doc[name]
    for name in BOOL_FIELDS:
        data[name] = "yes" if doc[name] else "no"
    bp = doc["blood_pressure"]
    data["bp_systolic"] = str(bp["systolic"]) if bp else ""
    data["bp_diastolic"] = str(bp["diastolic"]) if bp else ""
    for number, entry in enumerate(doc["medications"], start=1):
        data[f"medication_{number}"] = entry
    for prefix in ("phq9", "gad7"):
        if doc[prefix] is None:
            data[f"{prefix}_not_done"] = "on"
        else:
            for number, value in enumerate(doc[prefix], start=1):
                data[f"{prefix}_{number}"] = str(value)
    data["submission_token"] = new_submission_token()  # each call is a fresh form
    data.update(extra)
    return {key: value for key, value in data.items() if value is not None}
