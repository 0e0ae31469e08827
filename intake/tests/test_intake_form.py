from datetime import date

from intake import screening as rules
from intake.forms import IntakeForm
from intake.tests.helpers import answers, form_data

TODAY = date(2026, 11, 23)


def test_it_builds_the_same_document_the_command_reads():
    doc = answers(medications=["Zoloft 50 mg", "fish oil"], blood_pressure=None, gad7=None)
    form = IntakeForm(form_data(doc), today=TODAY)
    assert form.is_valid(), form.errors
    assert rules.validate_answers(form.answers, today=TODAY) == rules.validate_answers(doc, today=TODAY)


def test_it_ignores_blank_medication_lines_and_maps_errors_to_the_right_line():
    doc = answers(medications=[])
    data = form_data(doc, medication_2="Xanax", medication_5="x" * 150)
    form = IntakeForm(data, today=TODAY)
    assert form.is_valid(), form.errors
    assert form.answers["medications"] == ["Xanax", "x" * 150]
    data["medication_5"] = "x" * 201
    form = IntakeForm(data, today=TODAY)
    assert not form.is_valid()
    assert list(form.errors) == ["medication_5"]


def test_it_puts_each_validation_error_next_to_its_field():
    data = form_data(
        answers(patient={"date_of_birth": "2030-01-01", "weight_kg": 12}),
        bp_systolic="400",
        bp_diastolic="80",
    )
    form = IntakeForm(data, today=TODAY)
    assert not form.is_valid()
    assert "in the past" in form.errors["date_of_birth"][0]
    assert "between 30 and 300" in form.errors["weight_kg"][0]
    assert "between 50 and 300" in form.errors["bp_systolic"][0]


def test_it_needs_both_blood_pressure_readings_or_neither():
    form = IntakeForm(form_data(bp_systolic="130", bp_diastolic=""), today=TODAY)
    assert not form.is_valid()
    assert list(form.errors) == ["bp_diastolic"]
    form = IntakeForm(form_data(bp_systolic="", bp_diastolic=""), today=TODAY)
    assert form.is_valid(), form.errors
    assert form.answers["blood_pressure"] is None


def test_it_refuses_a_half_answered_or_unmarked_questionnaire():
    data = form_data()
    del data["phq9_4"]
    form = IntakeForm(data, today=TODAY)
    assert not form.is_valid()
    assert list(form.errors) == ["phq9_4"]

    data = form_data(answers(gad7=None))
    del data["gad7_not_done"]
    form = IntakeForm(data, today=TODAY)
    assert not form.is_valid()
    assert "not administered" in form.errors["gad7_not_done"][0]

    data = form_data(phq9_not_done="on")
    form = IntakeForm(data, today=TODAY)
    assert not form.is_valid()
    assert "has answers" in form.errors["phq9_not_done"][0]


def test_it_needs_an_explicit_yes_or_no_and_contact_details_for_consent():
    data = form_data(consent_sms="on", phone="", indication="")
    del data["ketamine_allergy"]
    form = IntakeForm(data, today=TODAY)
    assert not form.is_valid()
    assert set(form.errors) == {"ketamine_allergy", "consent_sms", "indication"}


def test_it_fills_itself_in_from_stored_answers():
    doc = answers(medications=["Lexapro 10 mg"], phq9=None, blood_pressure={"systolic": 150, "diastolic": 95})
    form = IntakeForm(form_data(doc), today=TODAY)
    assert form.is_valid(), form.errors
    initial = IntakeForm.initial_from(doc, consent_email=True, consent_sms=False)
    assert initial["bp_systolic"] == 150
    assert initial["medication_1"] == "Lexapro 10 mg"
    assert initial["phq9_not_done"] is True
    assert initial["ketamine_allergy"] == "no"
