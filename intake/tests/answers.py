"""One valid intake answers document for tests (pure: no Django), on which no screening rule fires."""

PATIENT = {"first_name": "Ada", "last_name": "Byron", "date_of_birth": "1980-03-15", "weight_kg": 70}


def intake_data(**overrides) -> dict:
    """A valid intake on which no rule fires; keyword overrides replace top-level keys."""
    data = {
        "patient": dict(PATIENT),
        "indication": "anxiety",
        "failed_antidepressant_trials": 0,
        "psychosis_history": "none",
        "mania_history": "none",
        "seizure_history": "none",
        "cerebrovascular_history": False,
        "hypertension": "none",
        "blood_pressure": {"systolic": 120, "diastolic": 80},
        "cardiac": "none",
        "liver": "none",
        "kidney": "none",
        "hyperthyroidism": "none",
        "unstable_medical_condition": False,
        "bladder_condition": False,
        "ketamine_allergy": False,
        "substance_use": "none",
        "pregnancy": "no",
        "breastfeeding": False,
        "medications": [],
        "phq9": None,
        "gad7": None,
    }
    data.update(overrides)
    return data
