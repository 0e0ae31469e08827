"""Every rendering of a clinical record writes an access row: a refused POST re-rendered too."""

from datetime import date

import pytest
from django.urls import reverse

from intake import services
from intake.models import RecordAccess
from intake.tests.helpers import answers, form_data

pytestmark = pytest.mark.django_db


def test_the_case_page_re_rendered_after_a_refused_decision_is_logged(client, clinician, coordinator):
    excluded = services.intake_create(answers=answers(seizure_history="disorder"), by=coordinator)
    client.force_login(clinician)
    response = client.post(reverse("intake:case", args=[excluded.pk]), {"decision": "approve", "justification": ""})
    assert response.status_code == 400  # re-rendered with the error next to the justification
    assert response.context["form"].errors["justification"]
    assert RecordAccess.objects.filter(user=clinician, patient_id=excluded.patient_id, view="case").count() == 1


def test_the_case_page_re_rendered_with_an_invalid_form_is_logged(client, clinician, coordinator):
    flagged = services.intake_create(answers=answers(cardiac="mild_moderate"), by=coordinator)
    client.force_login(clinician)
    response = client.post(reverse("intake:case", args=[flagged.pk]), {"decision": "defer"})
    assert response.status_code == 400
    assert RecordAccess.objects.filter(user=clinician, patient_id=flagged.patient_id, view="case").count() == 1


def test_the_edit_page_re_rendered_with_errors_is_logged(client, coordinator):
    screening = services.intake_create(answers=answers(), by=coordinator, today=date(2026, 11, 23))
    client.force_login(coordinator)
    response = client.post(
        reverse("intake:intake_edit", args=[screening.intake_id]), form_data(answers(), weight_kg="12")
    )
    assert response.status_code == 200
    logged = RecordAccess.objects.filter(user=coordinator, patient_id=screening.patient_id, view="intake_edit")
    assert logged.count() == 1
