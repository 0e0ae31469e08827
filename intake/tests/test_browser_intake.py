"""The coordinator's and the clinician's journeys in real Chromium."""

import pytest
from playwright.sync_api import expect

from clinic.context import clinic_context
from infusions.tests.browser import sticking_out
from intake import services
from intake.tests.helpers import answers
from intake.vocabulary import BOOL_FIELDS, ENUM_FIELDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_intake(page, doc: dict) -> None:
    """Fill in the questionnaire as a coordinator would, from an intake answers document."""
    page.goto("/intake/new/")
    patient = doc["patient"]
    page.get_by_label("First name").fill(patient["first_name"])
    page.get_by_label("Last name").fill(patient["last_name"])
    page.get_by_label("Date of birth").fill(patient["date_of_birth"])
    page.get_by_label("Weight (kg)").fill(str(patient["weight_kg"]))
    page.get_by_label("Phone").fill(patient["phone"])
    page.get_by_label("E-mail", exact=True).fill(patient["email"])
    page.get_by_label("Consents to SMS reminders").check()
    page.get_by_label("Indication").select_option(doc["indication"])
    page.get_by_label("Failed antidepressant trials").fill(str(doc["failed_antidepressant_trials"]))
    for name in ENUM_FIELDS:
        if name != "indication":
            page.check(f"input[name={name}][value={doc[name]}]")
    for name in BOOL_FIELDS:
        page.check(f"input[name={name}][value={'yes' if doc[name] else 'no'}]")
    page.get_by_label("Resting blood pressure: systolic (mmHg)").fill(str(doc["blood_pressure"]["systolic"]))
    page.get_by_label("Resting blood pressure: diastolic (mmHg)").fill(str(doc["blood_pressure"]["diastolic"]))
    for number, entry in enumerate(doc["medications"], start=1):
        page.get_by_label(f"Medication {number}", exact=True).fill(entry)
    for prefix in ("phq9", "gad7"):
        for number, value in enumerate(doc[prefix], start=1):
            page.check(f"input[name={prefix}_{number}][value='{value}']")
    page.get_by_role("button", name="Save and screen").click()
    page.wait_for_load_state()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_the_intake_and_review_journey(page, sign_in, coordinator, clinician, front_desk):
    # A review case screened earlier than the exclude case: the queue still puts exclude first.
    services.intake_create(
        answers=answers(patient={"first_name": "Rene", "last_name": "Review"}, cardiac="mild_moderate"),
        by=coordinator,
        today=clinic_context().today(),
    )

    sign_in(coordinator)
    fill_intake(page, answers(patient={"first_name": "Clara", "last_name": "Clean"}, medications=["Zoloft 50 mg"]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Screening result")
    expect(page.get_by_test_id("outcome")).to_have_text("clear")
    expect(page.get_by_test_id("crisis-box")).to_have_count(0)
    expect(page.get_by_test_id("flags")).to_contain_text("INTERACTION_ANTIDEPRESSANT")

    fill_intake(page, answers(patient={"first_name": "Sam", "last_name": "Seizure"}, seizure_history="disorder"))
    expect(page.get_by_test_id("outcome")).to_have_text("exclude")
    expect(page.get_by_test_id("flags")).to_contain_text("Known seizure disorder")
    exclude_url = page.url.replace("/screenings/", "/queue/")
    sign_out(page)

    sign_in(clinician)
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    rows = page.get_by_test_id("case-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Seizure, Sam")
    expect(rows.nth(0)).to_contain_text("exclude")
    expect(rows.nth(1)).to_contain_text("Review, Rene")
    review_url = rows.nth(1).get_by_role("link").get_attribute("href")
    for width in (390, 768):  # the queue and a case on a phone and a tablet: wide tables scroll in their box
        page.set_viewport_size({"width": width, "height": 844})
        assert not sticking_out(page), f"the queue scrolls sideways at {width} px: {sticking_out(page)}"
    page.set_viewport_size({"width": 1280, "height": 900})

    rows.nth(0).get_by_role("link", name="Seizure, Sam").click()
    expect(page.get_by_test_id("flags")).to_contain_text("SEIZURE_DISORDER")
    expect(page.get_by_test_id("answers")).to_contain_text("Seizure disorder")
    page.set_viewport_size({"width": 390, "height": 844})
    assert not sticking_out(page), f"the case page scrolls sideways at 390 px: {sticking_out(page)}"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("#div_id_justification")).to_contain_text("needs a written justification")
    page.get_by_label("Justification").fill("Single childhood seizure; neurologist confirms no disorder.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status")).to_contain_text("Decision recorded")
    expect(page.get_by_test_id("case-row")).to_have_count(1)
    expect(page.get_by_test_id("case-row")).to_contain_text("Review, Rene")
    sign_out(page)

    sign_in(front_desk)
    for url in (exclude_url, review_url):
        response = page.goto(url)
        assert response.status == 403
        expect(page.get_by_test_id("forbidden")).to_be_visible()
        expect(page.locator("body")).not_to_contain_text("SEIZURE")


def test_a_positive_item_9_shows_the_crisis_line_at_once(page, sign_in, coordinator):
    sign_in(coordinator)
    fill_intake(page, answers(phq9=[1, 1, 1, 1, 1, 1, 1, 0, 1]))
    crisis = page.get_by_test_id("crisis-box")
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text("call or text 988")
    expect(crisis).to_contain_text("911")
    expect(page.get_by_test_id("outcome")).to_have_text("review")
