"""The infusion day in Chromium: check-in, dose order, flowsheet, an adverse event,
observation and discharge of one visit, with the clock moved through the visit by time_machine.

time_machine in the test's process also moves the live server's clock (same process), so every time the
page shows is the moved one. Times come from the record itself where a few real seconds matter.
"""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from clinic.roles import NURSE
from clinic.tests.factories import UserFactory, clinician, front_desk
from infusions.booking.services import series_book
from infusions.models import Appointment, InfusionRecord
from infusions.tests.helpers import LA, at, bookable_patient, clinic, series_visits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MONDAY = date(2026, 12, 7)  # the first visit: 09:00 in the clinic's zone (Los Angeles)
PASSWORD = "correct-horse-battery"  # what UserFactory sets
SEVERAL, HALF, NOT_AT_ALL = "Several days", "More than half the days", "Not at all"
PHQ9_ANSWERS = [SEVERAL, HALF, SEVERAL, HALF, SEVERAL, SEVERAL, SEVERAL, NOT_AT_ALL, NOT_AT_ALL]


def watch_for_csp_violations(page, found: list[str]) -> None:
    """Collect every Content-Security-Policy refusal (Chromium logs them to the console) and page error."""
    page.on("console", lambda message: "Content Security Policy" in message.text and found.append(message.text))
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))


def sign_in_on(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def field(page, name: str):
    """The crispy wrapper of one form field (input, label, help and its own error), by the field's HTML name."""
    return page.locator(f"#div_id_{name}")


def record_reading(page, *, systolic, diastolic, heart_rate=88, spo2=97, moaas=None, dissociation=None, note=""):
    form = page.get_by_test_id("reading-form")
    form.get_by_label("Systolic").fill(str(systolic))
    form.get_by_label("Diastolic").fill(str(diastolic))
    form.get_by_label("Heart rate").fill(str(heart_rate))
    form.get_by_label("SpO2 (%)").fill(str(spo2))
    if moaas is not None:
        form.get_by_label("MOAA/S").select_option(str(moaas))
    if dissociation is not None:
        form.get_by_label("Dissociation").select_option(dissociation)
    form.get_by_label("Action taken (needed for a value out of range)").fill(note)
    form.get_by_role("button", name="Record reading").click()
    page.wait_for_load_state()


def room_entry(page, patient="Lovelace, Ada"):
    page.goto("/infusions/room/")
    return page.get_by_test_id("room-visit").filter(has_text=patient)


def fill_check_in(page, *, systolic="130"):
    form = page.get_by_test_id("check-in-form")
    form.get_by_label("Weight today (kg)").fill("80")
    form.get_by_label("Resting BP systolic (mmHg)").fill(systolic)
    form.get_by_label("Resting BP diastolic (mmHg)").fill("85")
    form.get_by_label("Heart rate (/min)").fill("76")
    form.get_by_label("SpO2 (%)").fill("98")
    form.get_by_label("Fasting kept").check()
    form.get_by_label("Responsible adult taking the patient home: name").fill("Sam Driver")
    form.get_by_label("…and phone").fill("+1 555 010 9999")
    # PHQ-9: every item answered by its wording; item 9 ("Thoughts that you would be better off dead…"): not at all.
    for number, answer in enumerate(PHQ9_ANSWERS, start=1):
        field(page, f"checkin-phq9_{number}").get_by_label(answer, exact=True).check()
    # Depression: PHQ-9 is the measure (GAD-7 is asked when the indication is anxiety).
    expect(form.get_by_label("GAD-7 not administered")).to_have_count(0)


def test_a_visit_from_check_in_to_signed_discharge(page, sign_in, chromium, live_server):
    violations: list[str] = []
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=True) as traveller:
        chairs = clinic(chairs=2)
        series = series_book(
            patient=bookable_patient(first_name="Ada", last_name="Lovelace"),
            visits=series_visits(MONDAY, chairs[0]),
            by=front_desk(),
        )
        visit = series.appointments.get(sequence=1)
        record_url = f"/infusions/visits/{visit.pk}/record/"
        nurse = UserFactory(role=NURSE, username="nurse")
        doc = clinician(username="doc")

        # --- 09:00 Check-in by the nurse --------------------------------------------------------------------
        traveller.move_to(at(MONDAY, 9, 0))
        watch_for_csp_violations(page, violations)
        sign_in(nurse)
        page.goto(record_url)
        expect(page.get_by_role("heading", level=1)).to_have_text("Visit record · Lovelace, Ada")
        fill_check_in(page, systolic="")
        page.get_by_role("button", name="Check in").click()
        page.wait_for_load_state()
        # The refusal names the empty field next to it, and everything typed is still there.
        expect(field(page, "checkin-systolic")).to_contain_text("This field is required.")
        expect(field(page, "checkin-systolic").locator("input")).to_have_class(re.compile(r"\bis-invalid\b"))
        expect(page.locator(".invalid-feedback:visible")).to_have_count(1)
        form = page.get_by_test_id("check-in-form")
        expect(form.get_by_label("Weight today (kg)")).to_have_value("80")
        expect(form.get_by_label("Resting BP diastolic (mmHg)")).to_have_value("85")
        expect(form.get_by_label("Responsible adult taking the patient home: name")).to_have_value("Sam Driver")
        expect(form.get_by_label("Fasting kept")).to_be_checked()
        expect(field(page, "checkin-phq9_9")).to_contain_text("9. Thoughts that you would be better off dead")
        expect(field(page, "checkin-phq9_9").get_by_label(NOT_AT_ALL)).to_be_checked()
        expect(field(page, "checkin-phq9_2").get_by_label(HALF)).to_be_checked()
        assert not InfusionRecord.objects.exists()

        form.get_by_label("Resting BP systolic (mmHg)").fill("130")
        page.get_by_role("button", name="Check in").click()
        expect(page.get_by_test_id("stage")).to_have_text("Waiting")
        expect(page.get_by_test_id("check-in-vitals")).to_contain_text("130/85 mmHg")
        expect(page.get_by_test_id("crisis-box")).to_have_count(0)
        # A nurse keeps the record but does not order: no order form, the start waits for the order.
        expect(page.get_by_role("button", name="Order the dose")).to_have_count(0)
        expect(page.get_by_label("Dose (mg/kg)")).to_have_count(0)
        expect(page.get_by_role("button", name="Start the infusion")).to_be_disabled()

        # --- 09:03 The clinician orders the dose, in their own browser ----------------------------------------
        traveller.move_to(at(MONDAY, 9, 3))
        doc_context = chromium.new_context(base_url=live_server.url)
        doc_page = doc_context.new_page()
        watch_for_csp_violations(doc_page, violations)
        sign_in_on(doc_page, doc)
        doc_page.goto(record_url)
        doc_page.get_by_label("Dose (mg/kg)").fill("0.5")
        doc_page.get_by_label("Vial").select_option(label="50 mg/mL")
        doc_page.get_by_label("Bag (mL saline)").fill("100")
        doc_page.get_by_role("button", name="Order the dose").click()
        order = doc_page.get_by_test_id("dose-order")
        # 0.5 mg/kg × 80 kg = 40 mg = 0.8 mL of 50 mg/mL; 100 mL over 40 min = 150 mL/h.
        expect(order).to_contain_text(re.compile(r"0\.50? mg/kg × 80(\.0)? kg = 40(\.0+)? mg"))
        expect(order).to_contain_text(re.compile(r"= 0\.80? mL of the 50 mg/mL vial, in a 100 mL bag over 40 min"))
        expect(order).to_contain_text(re.compile(r"150(\.0+)? mL/h"))
        expect(order).to_contain_text("Ordered by doc")
        doc_context.close()

        # --- 09:05 The nurse starts the infusion ------------------------------------------------------------
        traveller.move_to(at(MONDAY, 9, 5))
        page.goto(record_url)
        expect(page.get_by_test_id("dose-order")).to_contain_text("mL/h")
        page.get_by_role("button", name="Start the infusion").click()
        expect(page.get_by_test_id("stage")).to_have_text("In chair")
        record = InfusionRecord.objects.get(appointment=visit)
        started = record.started_at
        rows = page.get_by_test_id("reading-row")

        # Readings every 10 minutes of the 40-minute infusion.
        traveller.move_to(started + timedelta(minutes=10))
        page.goto(record_url)
        record_reading(page, systolic=138, diastolic=86, moaas=4, dissociation="mild")
        expect(rows).to_have_count(1)

        # The next one falls overdue: the room shows it, and stops showing it once it is recorded.
        traveller.move_to(started + timedelta(minutes=22))
        lovelace = room_entry(page)
        due = record.readings.get().taken_at + timedelta(minutes=10)
        since = f"Reading overdue since {due.astimezone(LA):%H:%M}"
        expect(lovelace.get_by_test_id("overdue")).to_have_text(since)
        lovelace.get_by_test_id("record-link").click()
        expect(page.get_by_test_id("next-due")).to_have_text(since)
        record_reading(page, systolic=150, diastolic=94, moaas=4, dissociation="moderate")
        expect(rows).to_have_count(2)
        lovelace = room_entry(page)
        expect(lovelace.get_by_test_id("stage")).to_have_text("In chair")
        expect(lovelace.get_by_test_id("overdue")).to_have_count(0)

        # A high blood pressure: the action note is asked for next to its field, then the row is marked.
        traveller.move_to(started + timedelta(minutes=30))
        page.goto(record_url)
        record_reading(page, systolic=186, diastolic=112, moaas=3, dissociation="moderate")
        note = field(page, "reading-action_note")
        expect(note).to_contain_text("Systolic 186 is above 180.")
        expect(note).to_contain_text("Write the action taken.")
        expect(page.get_by_test_id("reading-form").get_by_label("Systolic")).to_have_value("186")
        expect(rows).to_have_count(2)
        record_reading(
            page, systolic=186, diastolic=112, moaas=3, dissociation="moderate", note="Rate halved, prescriber told."
        )
        expect(rows).to_have_count(3)
        high = rows.nth(2)
        expect(high).to_have_class(re.compile(r"\btable-danger\b"))
        expect(high).to_contain_text("186/112 (out of range)")
        expect(high).to_contain_text("Rate halved, prescriber told.")

        # Nausea, treated: the medication's name, dose and route are asked for first.
        traveller.move_to(started + timedelta(minutes=35))
        page.goto(record_url)
        page.get_by_text("Record an adverse event").click()
        event = page.locator("#event form")
        event.get_by_label("Event").select_option(label="Nausea")
        event.get_by_label("Severity").select_option(label="Mild")
        event.get_by_label("Action").select_option("medication_given")
        event.get_by_label("Outcome").select_option("resolved")
        event.get_by_role("button", name="Record the event").click()
        expect(field(page, "event-medication")).to_contain_text("Name the medication given.")
        expect(field(page, "event-medication_dose")).to_contain_text("Give its dose.")
        expect(field(page, "event-route")).to_contain_text("Give its route.")
        expect(event.get_by_label("Event")).to_have_value("nausea")
        event.get_by_label("Medication given").fill("Ondansetron")
        event.get_by_label("Its dose").fill("4 mg")
        event.get_by_label("Route").select_option("IV")
        event.get_by_role("button", name="Record the event").click()
        events = page.get_by_test_id("adverse-events")
        expect(events).to_contain_text("Nausea")
        expect(events).to_contain_text("mild")
        expect(events).to_contain_text("Ondansetron 4 mg")
        expect(events).to_contain_text("outcome: resolved")

        traveller.move_to(started + timedelta(minutes=40))
        page.goto(record_url)
        record_reading(page, systolic=146, diastolic=92, moaas=5, dissociation="mild")
        expect(rows).to_have_count(4)

        # --- End of the infusion, the whole ordered dose given: observation -----------------------------------
        record.refresh_from_db()
        expect(page.get_by_label("Dose given (mg)")).to_have_value(str(record.dose_mg))
        page.get_by_role("button", name="End the infusion: observation").click()
        expect(page.get_by_test_id("stage")).to_have_text("Observation")
        record.refresh_from_db()
        ended = record.ended_at
        assert record.dose_given_mg == record.dose_mg

        # Readings every 15 minutes of observation; a glance at the room between them.
        for minutes, (systolic, diastolic) in ((15, (136, 86)), (30, (128, 82))):
            traveller.move_to(ended + timedelta(minutes=minutes - 7))
            expect(room_entry(page).get_by_test_id("stage")).to_have_text("Observation")
            traveller.move_to(ended + timedelta(minutes=minutes, seconds=5))
            page.goto(record_url)
            record_reading(page, systolic=systolic, diastolic=diastolic, moaas=5, dissociation="none")
        expect(rows).to_have_count(6)
        expect(rows.nth(5)).to_contain_text("observation")

        # --- Ready for pickup, the checklist, discharge and sign -------------------------------------------------
        page.get_by_role("button", name=re.compile(r"^Ready for pickup")).click()
        expect(page.get_by_test_id("stage")).to_have_text("Ready for pickup")
        checklist = page.get_by_test_id("discharge-form")
        boxes = checklist.get_by_role("checkbox")
        expect(boxes).to_have_count(6)
        # One item left unticked: refused next to the checklist, the other ticks kept.
        for n in range(5):
            boxes.nth(n).check()
        checklist.get_by_role("button", name="Discharge and sign").click()
        checklist = page.get_by_test_id("discharge-form")
        boxes = checklist.get_by_role("checkbox")
        expect(checklist.locator(".invalid-feedback")).to_be_visible()
        expect(checklist.locator(".invalid-feedback")).to_contain_text("Written instructions given")
        for n in range(5):
            expect(boxes.nth(n)).to_be_checked()
        expect(boxes.nth(5)).not_to_be_checked()
        expect(page.get_by_test_id("stage")).to_have_text("Ready for pickup")
        boxes.nth(5).check()
        checklist.get_by_role("button", name="Discharge and sign").click()
        expect(page.get_by_test_id("stage")).to_have_text("Discharged")
        expect(page.get_by_test_id("signed")).to_contain_text("Signed at discharge by nurse")
        expect(page.get_by_test_id("discharge-checklist").locator("li")).to_have_count(6)
        expect(page.get_by_test_id("discharge-checklist")).not_to_contain_text("✘")
        visit.refresh_from_db()
        assert visit.status == Appointment.Status.COMPLETED

        page.goto(f"/infusions/series/{series.pk}/")
        first_row = page.get_by_test_id("series-visit").first
        expect(first_row.get_by_test_id("visit-status")).to_have_text("Completed")

        # --- The printable record ---------------------------------------------------------------------------
        page.goto(f"{record_url}print/")
        printed = page.get_by_test_id("print-record")
        expect(printed).to_contain_text("Signed at discharge by nurse")
        expect(printed).to_contain_text(f"= {record.dose_mg} mg")
        expect(printed).to_contain_text("mL/h")
        expect(printed).to_contain_text(f"dose given {record.dose_mg} mg")
        expect(printed.locator("tbody tr")).to_have_count(6)
        expect(printed).to_contain_text("Out of range (systolic, diastolic): Rate halved, prescriber told.")
        expect(printed).to_contain_text("Nausea")
        expect(printed).to_contain_text("Ondansetron 4 mg")
        expect(printed).to_contain_text("Discharge")
        expect(printed).to_contain_text("Yes: Written instructions given")
        page.emulate_media(media="print")
        page.screenshot(path="/tmp/print_record.png", full_page=True)

    assert violations == [], violations
