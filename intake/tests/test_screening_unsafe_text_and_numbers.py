"""Validation refuses text the database cannot store and numbers too big to convert; the web form too."""

from datetime import date

import pytest
from django.urls import reverse

from clinic.refusals import Refused
from intake import services
from intake.models import Patient
from intake.screening import UNSAFE_TEXT, AnswersInvalid, has_unsafe_characters, validate_answers
from intake.tests.answers import PATIENT, intake_data
from intake.tests.helpers import answers, form_data

TODAY = date(2026, 11, 22)


def errors_for(data) -> dict[str, str]:
    with pytest.raises(AnswersInvalid) as caught:
        validate_answers(data, today=TODAY)
    return caught.value.errors


@pytest.mark.parametrize("bad", ["\x00", "\ud800", "\udfff", "\x07", "\x1b[31m", "\n", "\t", "\x7f", "\x85"])
@pytest.mark.parametrize("key", ["first_name", "last_name", "phone", "email"])
def test_it_refuses_control_characters_and_lone_surrogates_in_patient_text(key, bad):
    value = {"first_name": "Ro{}bin", "last_name": "Oka{}for", "phone": "+1 555{} 010 2000", "email": "a{}@b.org"}
    errors = errors_for(intake_data(patient={**PATIENT, key: value[key].format(bad)}))
    assert errors == {f"patient.{key}": UNSAFE_TEXT}
    assert bad not in str(errors)


@pytest.mark.parametrize("bad", ["\x00", "\ud83d"])
def test_it_refuses_them_in_a_medication_entry_naming_it(bad):
    errors = errors_for(intake_data(medications=["Zoloft", f"Lith{bad}ium"]))
    assert errors == {"medications.2": UNSAFE_TEXT}


def test_whole_characters_outside_the_basic_plane_are_fine():
    answers = validate_answers(intake_data(patient={**PATIENT, "first_name": "Zoë 😀"}), today=TODAY)
    assert answers.patient.first_name == "Zoë 😀"
    assert not has_unsafe_characters("Zoë 😀")


@pytest.mark.parametrize("weight", [10**400, -(10**400), 10**7])
def test_a_huge_integer_weight_is_out_of_range_not_an_overflow(weight):
    assert errors_for(intake_data(patient={**PATIENT, "weight_kg": weight})) == {
        "patient.weight_kg": "The weight must be between 30 and 300 kg."
    }


def test_an_unknown_key_is_named_only_by_its_printable_part():
    errors = errors_for({**intake_data(), "x\x00\ud800y": 1})
    assert errors == {"x??y": "Unknown field."}


# --- The web form: the same refusal, next to the field, everything typed kept ----------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "bad"), [("first_name", "Ro\x00bin"), ("last_name", "Oka\x1bfor"), ("medication_1", "Zo\x07loft")]
)
def test_the_web_form_refuses_control_characters_next_to_the_field(client, coordinator, field, bad):
    client.force_login(coordinator)
    response = client.post(reverse("intake:intake_new"), form_data(answers(), **{field: bad}, phone="+1 555 010 2000"))
    assert response.status_code == 200 and not Patient.objects.exists()
    assert list(response.context["form"].errors) == [field]
    assert response.context["form"]["last_name"].value() in ("Okafor", "Oka\x1bfor")


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["\x00", "\ud800", "\x1b"])
def test_a_justification_with_unsafe_characters_is_refused_next_to_the_field(coordinator, clinician, bad):
    excluded = services.intake_create(answers=answers(seizure_history="disorder"), by=coordinator)
    with pytest.raises(Refused) as refused:
        services.review_decide(screening=excluded, by=clinician, decision="approve", justification=f"Seen{bad} by me")
    assert set(refused.value.fields) == {"justification"} and bad not in refused.value.message


@pytest.mark.django_db
def test_a_justification_may_have_several_lines(coordinator, clinician):
    excluded = services.intake_create(answers=answers(seizure_history="disorder"), by=coordinator)
    made = services.review_decide(
        screening=excluded, by=clinician, decision="approve", justification="Seen by neurology.\r\n\tSeizure-free 10 y."
    )
    assert "\n" in made.justification
