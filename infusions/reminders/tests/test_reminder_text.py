"""Reminder texts say the minimum necessary (first name, date, time, the clinic, the preparation, the
confirm link) and never anything clinical: no diagnosis, medication, score or screening result."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from clinic.context import clinic_context
from clinic.models import Location
from clinic.tests.factories import CLEAN_ANSWERS, IntakeFactory, ScreeningFactory, clinic_settings, main_location
from infusions.reminders import rendering, sms
from infusions.tests.reminder_helpers import dispatch_due, local, visit

pytestmark = pytest.mark.django_db

START = local(2026, 2, 10, 9, 30)

RICH_ANSWERS = {
    **CLEAN_ANSWERS,
    "indication": "ptsd",
    "hypertension": "controlled",
    "substance_use": "history_or_moderate",
    "medications": ["Zoloft 50 mg", "Xanax", "Lamictal", "oxycodone"],
    "phq9": [3, 3, 3, 3, 3, 3, 3, 3, 2],
    "gad7": [3, 3, 3, 3, 3, 3, 3],
}
FORBIDDEN = [
    "ptsd",
    "PTSD",
    "depression",
    "Zoloft",
    "Xanax",
    "Lamictal",
    "oxycodone",
    "ketamine",
    "Ketamine",
    "hypertension",
    "PHQ",
    "GAD",
    "26",  # the PHQ-9 total
    "21",  # the GAD-7 total
    "INTERACTION",
    "SUICIDE",
    "review",
    "1980",  # date of birth
    "Quinn",  # last name
]


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.SMS_BACKEND = "infusions.reminders.sms.LocmemBackend"
    sms.outbox.clear()


def test_texts_carry_the_visit_the_clinic_and_the_preparation_and_nothing_clinical():
    clinic_settings(name="Harbour Infusion Clinic")
    Location.objects.filter(pk=main_location().pk).update(address="1 Pier Street, Oakland", phone="+1 510 555 0199")
    with time_machine.travel(local(2026, 2, 2, 10), tick=False):
        appointment = visit(START, first_name="Sam", last_name="Quinn")
        intake = IntakeFactory(patient=appointment.patient, answers=RICH_ANSWERS, indication="ptsd")
        ScreeningFactory(
            intake=intake,
            outcome="review",
            urgent=True,
            scores={"phq9": {"total": 26, "band": "severe"}, "gad7": {"total": 21, "band": "severe"}},
        )
    with time_machine.travel(START - timedelta(hours=24), tick=False):
        assert dispatch_due().sent == 4
    texts = [m.subject for m in mail.outbox] + [m.body for m in mail.outbox] + [m["body"] for m in sms.outbox]
    texts += [str(a[1]) for m in mail.outbox for a in m.attachments]
    for text in texts:
        for word in FORBIDDEN:
            assert not re.search(rf"\b{word}\b", text), word
    for text in [m.body for m in mail.outbox] + [m["body"] for m in sms.outbox]:
        assert "Sam" in text
        assert "Tue 10 Feb 2026 at 09:30 PST" in text
        assert "Harbour Infusion Clinic" in text and "1 Pier Street, Oakland" in text and "+1 510 555 0199" in text
        assert "do not drive until the next day" in text
        assert re.search(r"http://[^ ]+/infusions/confirm/[^ /]+/", text)


def test_a_clinic_name_with_an_ampersand_is_not_html_escaped():
    clinic_settings(name="Mind & Body Clinic")
    with time_machine.travel(local(2026, 2, 2, 10), tick=False):
        appointment = visit(START)
        text = rendering.render(appointment, clinic_context().clinic)
    assert "Mind & Body Clinic" in text.subject and "Mind & Body Clinic" in text.sms
    assert "&amp;" not in text.body
