import pytest
from django.urls import reverse

from intake.models import Intake, Patient, RecordAccess, Screening
from intake.tests.helpers import answers, form_data

pytestmark = pytest.mark.django_db


def test_submitting_a_clean_intake_shows_clear(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("intake:intake_new"), form_data(consent_email="on"), follow=True)
    screening = Screening.objects.get()
    assert response.redirect_chain == [(reverse("intake:screening", args=[screening.pk]), 302)]
    assert screening.outcome == "clear"
    assert Patient.objects.get().consent_email is True
    page = response.content.decode()
    assert 'data-testid="outcome">clear<' in page
    assert "988" not in page


def test_the_result_lists_flags_with_reasons_and_scores(client, coordinator):
    client.force_login(coordinator)
    doc = answers(seizure_history="disorder", gad7=None)
    response = client.post(reverse("intake:intake_new"), form_data(doc), follow=True)
    page = response.content.decode()
    assert 'data-testid="outcome">exclude<' in page
    assert "SEIZURE_DISORDER" in page and "Known seizure disorder" in page
    assert "7 (mild)" in page  # PHQ-9 of CLEAN_ANSWERS
    assert 'data-testid="gad7">not administered<' in page


def test_a_positive_item_9_shows_the_crisis_line_at_once(client, coordinator):
    client.force_login(coordinator)
    doc = answers(phq9=[0, 0, 0, 0, 0, 0, 0, 0, 1])
    page = client.post(reverse("intake:intake_new"), form_data(doc), follow=True).content.decode()
    assert 'data-testid="crisis-box"' in page
    assert "call or text 988" in page and "911" in page
    assert page.index("crisis-box") < page.index("<h1")  # above everything else
    assert Screening.objects.get().urgent is True


def test_bad_input_keeps_everything_typed_and_stores_nothing(client, coordinator):
    client.force_login(coordinator)
    data = form_data(
        answers(patient={"weight_kg": 12}, medications=["Zoloft 50 mg"]),
        bp_systolic="130",
        bp_diastolic="",
        first_name="Ada",
    )
    response = client.post(reverse("intake:intake_new"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"weight_kg", "bp_diastolic"}
    page = response.content.decode()
    assert 'value="Ada"' in page and 'value="Zoloft 50 mg"' in page and 'value="130"' in page
    assert "between 30 and 300" in page
    assert not Patient.objects.exists() and not Intake.objects.exists() and not Screening.objects.exists()


def test_editing_re_screens_and_lists_both_screenings(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("intake:intake_new"), form_data())
    intake = Intake.objects.get()
    edit_url = reverse("intake:intake_edit", args=[intake.pk])
    page = client.get(edit_url).content.decode()
    assert 'value="Okafor"' in page  # filled in from the stored intake
    response = client.post(edit_url, form_data(answers(cardiac="mild_moderate")), follow=True)
    assert 'data-testid="outcome">review<' in response.content.decode()
    assert list(Screening.objects.order_by("id").values_list("outcome", flat=True)) == ["clear", "review"]
    page = client.get(reverse("intake:patient", args=[intake.patient_id])).content.decode()
    assert page.count("<code>CARDIAC_MILD_MODERATE</code>") == 1 and "clear" in page


def test_patients_are_found_by_name_or_date_of_birth(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("intake:intake_new"), form_data())
    for q in ("okafor robin", "1985-03-14"):
        assert "Okafor, Robin" in client.get(reverse("intake:home"), {"q": q}).content.decode()
    assert "Okafor, Robin" not in client.get(reverse("intake:home"), {"q": "1985-03-15"}).content.decode()


def test_opening_a_record_is_logged(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("intake:intake_new"), form_data(), follow=True)
    patient = Patient.objects.get()
    client.get(reverse("intake:patient", args=[patient.pk]))
    logged = list(RecordAccess.objects.order_by("id").values_list("user_id", "patient_id", "view"))
    assert logged == [(coordinator.pk, patient.pk, "screening"), (coordinator.pk, patient.pk, "patient")]
