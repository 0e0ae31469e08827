from datetime import date

import pytest
import time_machine
from django.urls import reverse

from clinic.tests.factories import ScreeningFactory
from clinic.tests.factories import clinician as make_clinician
from intake import services
from intake.models import Flag, RecordAccess, ReviewDecision
from intake.tests.helpers import answers

pytestmark = pytest.mark.django_db


def flagged(coordinator, **changes):
    return services.intake_create(answers=answers(**changes), by=coordinator, today=date(2026, 11, 23))


def test_the_queue_orders_urgent_exclude_defer_review_then_oldest(client, clinician):
    with time_machine.travel("2026-11-20 09:00Z"):
        review_old = ScreeningFactory(outcome="review")
        defer = ScreeningFactory(outcome="defer")
        exclude = ScreeningFactory(outcome="exclude")
    with time_machine.travel("2026-11-21 09:00Z"):
        review_new = ScreeningFactory(outcome="review")
        urgent = ScreeningFactory(outcome="review", urgent=True)
        ScreeningFactory(outcome="clear")
        decided = ScreeningFactory(outcome="exclude")
        ReviewDecision.objects.create(screening=decided, decision="decline", decided_by=clinician)
    client.force_login(clinician)
    response = client.get(reverse("intake:queue"))
    assert list(response.context["cases"]) == [urgent, exclude, defer, review_old, review_new]
    assert 'data-testid="urgent-count">1 urgent' in response.content.decode()


def test_the_case_page_shows_answers_flags_sources_scores_and_history(client, clinician, coordinator):
    old = flagged(coordinator, cardiac="mild_moderate")
    services.review_decide(screening=old, by=clinician, decision="decline", today=date(2026, 11, 23))
    current = services.intake_update(
        intake=old.intake,
        answers=answers(seizure_history="disorder", medications=["Xanax 1 mg"]),
        by=coordinator,
        consent_email=False,
        consent_sms=False,
        today=date(2026, 11, 23),
    )
    client.force_login(clinician)
    page = client.get(reverse("intake:case", args=[current.pk])).content.decode()
    assert "Known seizure disorder" in page and "000" in page  # reason and source
    assert "INTERACTION_BENZODIAZEPINE" in page and "Xanax 1 mg" in page
    assert "Seizure disorder" in page  # the answer, in the questionnaire's words
    assert "7 (mild)" in page
    assert "CARDIAC_MILD_MODERATE" in page and "Declined by doc" in page  # earlier screening and decision
    assert RecordAccess.objects.filter(user=clinician, patient_id=current.patient_id, view="case").count() == 1


def test_a_clinician_approves_and_the_case_leaves_the_queue(client, clinician, coordinator):
    screening = flagged(coordinator, cardiac="mild_moderate")
    client.force_login(clinician)
    response = client.post(reverse("intake:case", args=[screening.pk]), {"decision": "approve"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("intake:queue")
    assert "Decision recorded" in response.content.decode()
    assert list(response.context["cases"]) == []
    decision = ReviewDecision.objects.get()
    assert (decision.screening_id, decision.decision, decision.decided_by) == (screening.pk, "approve", clinician)


def test_approving_an_exclude_case_without_justification_is_refused(client, clinician, coordinator):
    screening = flagged(coordinator, ketamine_allergy=True)
    client.force_login(clinician)
    response = client.post(reverse("intake:case", args=[screening.pk]), {"decision": "approve", "justification": ""})
    assert response.status_code == 400
    assert "needs a written justification" in str(response.context["form"].errors["justification"])
    assert not ReviewDecision.objects.exists()


def test_a_deferral_without_a_date_is_refused_next_to_the_date(client, clinician, coordinator):
    screening = flagged(coordinator, pregnancy="planning")
    client.force_login(clinician)
    response = client.post(reverse("intake:case", args=[screening.pk]), {"decision": "defer"})
    assert "re-screen" in str(response.context["form"].errors["rescreen_on"])
    assert not ReviewDecision.objects.exists()


def test_a_second_clinician_deciding_late_gets_a_message(client, clinician, coordinator):
    screening = flagged(coordinator, cardiac="mild_moderate")
    other = make_clinician(username="doc2")
    services.review_decide(screening=screening, by=other, decision="decline")
    client.force_login(clinician)
    response = client.post(reverse("intake:case", args=[screening.pk]), {"decision": "approve"}, follow=True)
    assert "already been decided by another clinician" in response.content.decode()
    assert ReviewDecision.objects.get().decided_by == other


def test_flags_are_stored_in_screening_order(coordinator):
    screening = flagged(coordinator, phq9=[0] * 8 + [3], seizure_history="provoked", bladder_condition=True)
    assert list(Flag.objects.filter(screening=screening).values_list("code", flat=True)) == [
        "SUICIDE_RISK",
        "BLADDER_CONDITION",
        "SEIZURE_PROVOKED",
    ]
