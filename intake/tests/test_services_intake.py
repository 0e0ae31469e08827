from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from clinic.tests.factories import clinic_settings
from intake import screening as rules
from intake import services
from intake.models import Flag, Intake, Patient, Screening
from intake.tests.helpers import answers

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


@time_machine.travel("2026-11-23 10:00Z", tick=False)
def test_it_creates_patient_intake_screening_and_flags_in_one_go(coordinator):
    doc = answers(seizure_history="disorder", medications=["Xanax 1 mg", "fish oil"], phq9=[0] * 8 + [2])
    screening = services.intake_create(answers=doc, by=coordinator, consent_email=True, today=TODAY)

    patient = Patient.objects.get()
    assert (patient.first_name, patient.last_name, patient.date_of_birth) == ("Robin", "Okafor", date(1985, 3, 14))
    assert patient.consent_email and not patient.consent_sms and patient.created_by == coordinator
    intake = Intake.objects.get()
    assert "patient" not in intake.answers and intake.answers["seizure_history"] == "disorder"
    assert intake.indication == "depression" and intake.taken_by == coordinator
    assert screening.outcome == "exclude" and screening.urgent is True
    assert screening.answers == intake.answers and screening.ruleset == rules.RULESET_VERSION
    assert screening.phq9_total == 2 and screening.scores["phq9"] == {"total": 2, "band": "minimal"}
    codes = list(Flag.objects.filter(screening=screening).values_list("code", flat=True))
    assert codes == ["SUICIDE_RISK", "SEIZURE_DISORDER", "MEDICATION_UNRECOGNIZED", "INTERACTION_BENZODIAZEPINE"]
    assert Flag.objects.get(code="MEDICATION_UNRECOGNIZED").details == "fish oil"
    assert screening.as_dict() == rules.screen(rules.validate_answers(doc, today=TODAY), today=TODAY).as_dict()


def test_it_stores_nothing_for_invalid_answers(coordinator):
    with pytest.raises(rules.AnswersInvalid) as caught:
        services.intake_create(answers=answers(cardiac="bad"), by=coordinator, today=TODAY)
    assert "cardiac" in caught.value.errors
    with pytest.raises(ValidationError):
        services.intake_create(answers=answers(patient={"phone": None}), by=coordinator, consent_sms=True, today=TODAY)
    assert not Patient.objects.exists() and not Intake.objects.exists() and not Screening.objects.exists()


def test_it_uses_the_clinics_breastfeeding_setting(coordinator):
    clinic_settings(breastfeeding_severity="defer")
    screening = services.intake_create(answers=answers(breastfeeding=True), by=coordinator, today=TODAY)
    assert screening.outcome == "defer" and screening.breastfeeding_severity == "defer"
    assert screening.flags.get().severity == "defer"


def test_editing_re_screens_and_keeps_the_old_screening(coordinator):
    first = services.intake_create(answers=answers(), by=coordinator, today=TODAY)
    assert first.outcome == "clear"
    intake = first.intake
    second = services.intake_update(
        intake=intake,
        answers=answers(patient={"last_name": "Okafor-Lee"}, pregnancy="pregnant"),
        by=coordinator,
        consent_email=False,
        consent_sms=True,
        today=TODAY,
    )
    assert second.pk != first.pk and second.intake_id == intake.pk
    first.refresh_from_db()
    assert first.outcome == "clear" and first.answers["pregnancy"] == "no" and not first.flags.exists()
    assert second.outcome == "defer" and second.answers["pregnancy"] == "pregnant"
    assert list(second.flags.values_list("code", flat=True)) == ["PREGNANCY"]
    intake.refresh_from_db()
    assert intake.answers["pregnancy"] == "pregnant"
    patient = intake.patient
    patient.refresh_from_db()
    assert patient.last_name == "Okafor-Lee" and patient.consent_sms and not patient.consent_email
    assert Screening.objects.filter(intake=intake).count() == 2
    assert intake.history.count() == 2  # the earlier answers stay in the change history


def test_screening_run_screens_the_stored_intake_again(coordinator):
    first = services.intake_create(answers=answers(breastfeeding=True), by=coordinator, today=TODAY)
    assert first.outcome == "clear"
    clinic_settings(breastfeeding_severity="review")
    again = services.screening_run(intake=first.intake, by=coordinator, today=TODAY)
    assert again.outcome == "review" and again.patient_id == first.patient_id


def test_an_intake_is_recorded_only_at_a_location_where_the_coordinator_works(coordinator):
    from django.core.exceptions import PermissionDenied

    from clinic.tests.factories import LocationFactory, main_location

    with pytest.raises(PermissionDenied):
        services.intake_create(answers=answers(), by=coordinator, location=LocationFactory(name="Denver"))
    assert not Patient.objects.exists() and not Intake.objects.exists()
    screening = services.intake_create(answers=answers(), by=coordinator, location=main_location())
    assert screening.intake.location == main_location()
