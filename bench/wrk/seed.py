# Run with `manage.py shell < seed.py` (DEBUG=True) after seed_demo: a clinic at realistic volume.
# bench/wrk/run.sh's seed: the reference measurement's seed brought up to today's models (chairs belong to a
# location, intake_create's `by`, propose_series' clinic context, series_book without a protocol).
# N_PATIENTS intakes screened by the real rules (about 1 in 6 flagged), SERIES six-visit series booked
# through the real planner and services on 8 Seattle chairs. Prints the ids the harness needs as JSON.
import json
import os
import random
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import User

from clinic.context import clinic_context
from clinic.models import Location
from infusions.booking import selectors, services
from infusions.models import Chair
from intake.services import intake_create

rng = random.Random(7)
N_PATIENTS = int(os.environ.get("N_PATIENTS", "1500"))
SERIES = int(os.environ.get("SERIES", "400"))
coordinator = User.objects.get(username="coordinator")
frontdesk = User.objects.get(username="frontdesk")
seattle = Location.objects.get(name="Seattle")
for n in range(seattle.chairs.count() + 1, 9):
    Chair.objects.get_or_create(location=seattle, name=f"Chair {n}", defaults={"position": n})

FIRST = ["Ana", "Ben", "Chloe", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lena", "Mo", "Nia"]
LAST = ["Rivera", "Okafor", "Nguyen", "Smith", "Kowalski", "Haddad", "Ito", "Larsen", "Mehta", "Costa"]


def answers(i):
    flagged = rng.random() < 0.17
    a = {
        "patient": {
            "first_name": rng.choice(FIRST),
            "last_name": f"{rng.choice(LAST)}{i}",
            "date_of_birth": f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "weight_kg": rng.randint(50, 110),
            "phone": "+1555010" + f"{i % 10000:04d}",
            "email": f"p{i}@example.org",
        },
        "indication": "depression",
        "failed_antidepressant_trials": rng.randint(2, 5),
        "psychosis_history": "none",
        "mania_history": "none",
        "seizure_history": "none",
        "cerebrovascular_history": False,
        "hypertension": "none",
        "blood_pressure": {"systolic": rng.randint(105, 135), "diastolic": rng.randint(65, 85)},
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
        "medications": ["sertraline"],
        "phq9": [rng.randint(1, 3) for _ in range(8)] + [0],
        "gad7": [rng.randint(0, 3) for _ in range(7)],
    }
    if flagged:
        a["blood_pressure"] = {"systolic": rng.randint(145, 190), "diastolic": rng.randint(92, 105)}
        a["medications"] = ["sertraline", rng.choice(["lorazepam", "phenelzine", "lamotrigine"])]
    return a


clear = []
for i in range(N_PATIENTS):
    s = intake_create(answers=answers(i), by=coordinator, consent_email=True, consent_sms=True, location=seattle)
    if s.outcome == "clear":
        clear.append(s.patient)

protocol = services.protocol_for("depression")
context = clinic_context(seattle)
today, now = context.today(), context.now()
booked = 0
for k, patient in enumerate(clear[:SERIES]):
    earliest = today + timedelta(days=(k * 7) // 40)
    plan = selectors.propose_series(patient, protocol, clinic=context, earliest=earliest, now=now)
    visits = getattr(plan, "visits", None)
    if not visits:
        continue
    services.series_book(patient=patient, visits=[(v.start, v.chair_id) for v in visits], by=frontdesk)
    booked += 1

from infusions.models import Appointment, InfusionSeries  # noqa: E402
from intake.models import Screening  # noqa: E402

flagged = Screening.objects.exclude(outcome="clear").order_by("-id").first()
course_patient = (
    InfusionSeries.objects.filter(status=InfusionSeries.Status.COMPLETED).values_list("patient_id", flat=True).first()
)


def session_for(username):
    user = User.objects.get(username=username)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.set_expiry(24 * 3600)
    store.create()
    return store.session_key


print(
    "SEED_JSON "
    + json.dumps(
        {
            "patients": N_PATIENTS,
            "clear": len(clear),
            "series": booked,
            "appointments": Appointment.objects.count(),
            "flagged_screening": flagged.pk if flagged else None,
            "clear_patient": clear[-1].pk,
            "course_patient": course_patient,
            "busy_day": str(today + timedelta(days=3)),
            "sessions": {r: session_for(r) for r in ("coordinator", "clinician", "frontdesk", "nurse")},
        }
    )
)
