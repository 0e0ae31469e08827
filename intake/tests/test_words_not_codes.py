"""Pages say things in words: no raw codes for indications, bands or decisions; replaced screenings say so."""

import html
import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from intake import services
from intake.models import RecordAccess
from intake.tests.helpers import answers

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)
RAW = re.compile(r"moderately_severe|bipolar_depression|\b(approve|decline|defer)\b|accesss")


def visible_text(page: str) -> str:
    """The page's text without tags, attributes, the CSRF token or the form's radio values."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def history(coordinator, clinician):
    """Declined, then deferred, then a replaced undecided screening, then a newest one waiting for review."""
    phq9_moderately_severe = [2, 2, 2, 2, 2, 2, 2, 2, 0]  # 16
    first = services.intake_create(
        answers=answers(indication="bipolar_depression", cardiac="mild_moderate", phq9=phq9_moderately_severe),
        by=coordinator,
        today=TODAY,
    )
    services.review_decide(screening=first, by=clinician, decision="decline", today=TODAY)

    def edit(**changes):
        return services.intake_update(
            intake=first.intake,
            answers=answers(indication="bipolar_depression", phq9=phq9_moderately_severe, **changes),
            by=coordinator,
            consent_email=False,
            consent_sms=False,
            today=TODAY,
        )

    second = edit(cardiac="mild_moderate", kidney="severe")
    services.review_decide(screening=second, by=clinician, decision="defer", rescreen_on=date(2027, 1, 5), today=TODAY)
    replaced = edit(seizure_history="disorder")
    newest = edit(seizure_history="disorder", liver="severe")
    return first, second, replaced, newest


def test_the_patient_page_uses_words(client, coordinator, history):
    first, second, replaced, newest = history
    client.force_login(coordinator)
    response = client.get(reverse("intake:patient", args=[first.patient_id]))
    text = visible_text(response.content.decode())
    assert not RAW.search(text), RAW.search(text)
    assert "Bipolar depression" in text
    statuses = [
        html.unescape(re.sub(r"\s+", " ", m)).strip()
        for m in re.findall(r'data-testid="review-status">([^<]*)<', response.content.decode())
    ]
    assert statuses == [
        "waiting for a clinician's review",
        "replaced by a newer screening",
        "Deferred by doc (re-screen on Tue 5 Jan 2027)",
        "Declined by doc",
    ]


def test_the_case_page_uses_words(client, clinician, history):
    first, second, replaced, newest = history
    client.force_login(clinician)
    text = visible_text(client.get(reverse("intake:case", args=[newest.pk])).content.decode())
    assert not RAW.search(text.replace("Approve ", "").replace("Decline ", "").replace("Defer ", "")), RAW.search(text)
    assert "16 (moderately severe)" in text
    assert "Bipolar depression" in text
    assert "replaced by a newer screening" in text and "Declined by doc" in text


def test_a_decided_case_says_approved_by(client, clinician, coordinator):
    screening = services.intake_create(answers=answers(cardiac="mild_moderate"), by=coordinator, today=TODAY)
    services.review_decide(screening=screening, by=clinician, decision="approve", today=TODAY)
    client.force_login(clinician)
    page = client.get(reverse("intake:case", args=[screening.pk])).content.decode()
    assert re.search(r'data-testid="decision">Approved by doc on ', page)
    assert "Approve by" not in page


def test_the_screening_page_uses_words(client, coordinator, history):
    client.force_login(coordinator)
    text = visible_text(client.get(reverse("intake:screening", args=[history[0].pk])).content.decode())
    assert not RAW.search(text), RAW.search(text)
    assert "16 (moderately severe)" in text


def test_the_access_log_is_named_in_words_in_admin(client):
    assert RecordAccess._meta.verbose_name_plural == "access log"
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "x-long-password-1"))
    page = client.get(reverse("admin:index")).content.decode()
    assert "accesss" not in page.lower() and "Access log" in page
