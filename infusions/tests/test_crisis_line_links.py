"""988 and 911 are tap-to-call links (988 tap-to-text too) wherever the crisis line is shown: the intake's
result, the case and the queue, the visit's record at a positive item 9, the patient's own questions pages and
the after-care instructions. A template that writes 988 without the links fails here."""

import re
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from infusions.infusion_day.tests.test_infusion_day_pages import check_in_post
from infusions.reminders import tokens
from infusions.tests.helpers import LA, complete, screened_patient
from infusions.tests.reminder_helpers import visit as make_visit
from intake.models import SafetyAlert, Screening
from intake.tests.helpers import answers, form_data

pytestmark = pytest.mark.django_db
LINKS = ('href="tel:988"', 'href="sms:988"', 'href="tel:911"')
TEMPLATES = Path(settings.BASE_DIR) / "templates"
START = datetime(2026, 12, 7, 9, 0, tzinfo=LA)


def crisis_box(html: str) -> str:
    match = re.search(r'data-testid="crisis-box".*?</div>', html, re.S)
    assert match, "no crisis box on the page"
    return match.group(0)


def assert_links(html: str) -> None:
    for link in LINKS:
        assert link in html, link


def test_every_template_that_shows_988_has_the_links():
    shown = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"(?<!\d)988(?!\d)", text):
            shown.append(path.name)
            assert "_crisis_links.html" in text or all(link in text for link in LINKS), path
    assert {"_crisis.html", "record.html", "questions_done.html", "aftercare.html"} <= set(shown)


def test_the_links_partial_calls_and_texts_988_and_calls_911():
    text = (TEMPLATES / "_crisis_links.html").read_text(encoding="utf-8")
    assert '<a class="btn btn-light btn-sm me-1" href="tel:988">Call 988</a>' in text
    assert 'href="sms:988">Text 988</a>' in text and 'href="tel:911">Call 911</a>' in text


def test_the_intake_result_with_a_positive_item_9_links_988_and_911(client, coordinator):
    client.force_login(coordinator)
    doc = answers(phq9=[0, 0, 0, 0, 0, 0, 0, 0, 1])
    html = client.post(reverse("intake:intake_new"), form_data(doc), follow=True).content.decode()
    assert_links(crisis_box(html))


def test_the_case_links_988_and_911(client, coordinator, clinician):
    client.force_login(coordinator)
    client.post(reverse("intake:intake_new"), form_data(answers(phq9=[0, 0, 0, 0, 0, 0, 0, 0, 2])))
    screening = Screening.objects.get()
    client.force_login(clinician)
    assert_links(crisis_box(client.get(reverse("intake:case", args=[screening.pk])).content.decode()))


def test_the_queue_s_safety_alerts_link_988_and_911(client, clinician):
    patient = screened_patient()
    SafetyAlert.objects.create(patient=patient, source="check_in", detail="PHQ-9 item 9 answered 1 of 3")
    client.force_login(clinician)
    assert_links(crisis_box(client.get(reverse("intake:queue")).content.decode()))


def test_the_record_at_a_positive_item_9_links_988_and_911(client, nurse):
    visit = make_visit(START, patient=screened_patient())
    with time_machine.travel(START, tick=False):
        client.force_login(nurse)
        client.post(reverse("infusions:record_check_in", args=[visit.pk]), check_in_post(phq9_9="2"))
        html = client.get(reverse("infusions:record", args=[visit.pk])).content.decode()
    assert_links(crisis_box(html))


def test_the_after_care_instructions_link_the_numbers(client, nurse):
    visit = make_visit(START, patient=screened_patient())
    complete(visit)
    client.force_login(nurse)
    html = client.get(reverse("infusions:record_aftercare", args=[visit.pk])).content.decode()
    assert_links(html)


def test_the_patient_s_questions_page_links_988_and_911_at_a_positive_item_9(client):
    visit = make_visit(START, patient=screened_patient())
    with time_machine.travel(datetime(2026, 12, 6, 10, 0, tzinfo=LA), tick=False):  # the day before the visit
        link = reverse("infusions:patient_questions", args=[tokens.questions_token(visit)])
        items = [2, 2, 2, 2, 1, 2, 1, 1, 1]
        response = client.post(link, {f"phq9_{n}": str(v) for n, v in enumerate(items, start=1)})
    assert response.status_code == 200
    assert_links(crisis_box(response.content.decode()))
