"""Editing only contact details, name, consents or weight keeps the screening and the clinician's decision."""

from datetime import date

import pytest
from django.urls import reverse

from intake import services
from intake.eligibility import booking_eligibility
from intake.models import Screening
from intake.tests.helpers import answers, form_data

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


@pytest.fixture
def approved(coordinator, clinician):
    screening = services.intake_create(answers=answers(cardiac="mild_moderate"), by=coordinator, today=TODAY)
    services.review_decide(screening=screening, by=clinician, decision="approve", today=TODAY)
    assert booking_eligibility(screening.patient).bookable
    return screening


def update(screening, coordinator, patient: dict):
    return services.intake_update(
        intake=screening.intake,
        answers=answers(cardiac="mild_moderate", patient=patient),
        by=coordinator,
        consent_email=False,
        consent_sms=False,
        today=TODAY,
    )


def edit(client, screening, doc, **extra):
    return client.post(reverse("intake:intake_edit", args=[screening.intake_id]), form_data(doc, **extra), follow=True)


@pytest.mark.parametrize(
    "patient",
    [
        {"phone": "+1 555 010 9999"},
        {"email": "new@example.org"},
        {"first_name": "Robyn", "last_name": "Okafor-Smith"},
        {"weight_kg": 80.0},
    ],
)
def test_a_contact_or_weight_edit_keeps_the_screening_and_the_approval(client, coordinator, approved, patient):
    client.force_login(coordinator)
    response = edit(client, approved, answers(cardiac="mild_moderate", patient=patient))
    assert Screening.objects.filter(patient=approved.patient).count() == 1
    assert response.redirect_chain[-1][0] == reverse("intake:screening", args=[approved.pk])
    assert "Contact details saved; the screening is unchanged." in response.content.decode()
    approved.patient.refresh_from_db()
    assert booking_eligibility(approved.patient).bookable
    assert booking_eligibility(approved.patient).reason == "Approved by a clinician: may be booked."


def test_a_consent_edit_keeps_the_screening(client, coordinator, approved):
    client.force_login(coordinator)
    edit(client, approved, answers(cardiac="mild_moderate"), consent_sms="on")
    approved.patient.refresh_from_db()
    assert approved.patient.consent_sms is True
    assert Screening.objects.filter(patient=approved.patient).count() == 1
    assert booking_eligibility(approved.patient).bookable


def test_a_clinical_answer_edit_screens_again_and_waits_for_review(client, coordinator, approved):
    client.force_login(coordinator)
    doc = answers(cardiac="mild_moderate", kidney="severe", patient={"phone": "+1 555 010 9999"})
    response = edit(client, approved, doc)
    newest = Screening.objects.filter(patient=approved.patient).order_by("-id").first()
    assert newest.pk != approved.pk
    assert "Intake changed and screened again" in response.content.decode()
    assert booking_eligibility(approved.patient).status == "awaiting_review"


def test_a_date_of_birth_edit_screens_again(coordinator, approved):
    newest = update(approved, coordinator, {"date_of_birth": "2010-01-01"})
    assert newest.pk != approved.pk
    assert "AGE_UNDER_18" in [f.code for f in newest.flags.all()]
    assert booking_eligibility(approved.patient).status == "awaiting_review"


def test_the_service_returns_the_kept_screening(coordinator, approved):
    kept = update(approved, coordinator, {"phone": "+1 555 010 9999"})
    assert kept.pk == approved.pk
    approved.patient.refresh_from_db()
    assert approved.patient.phone == "+15550109999"
