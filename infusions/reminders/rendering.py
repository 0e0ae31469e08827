"""What a reminder says: its context and its texts (e-mail subject and body, SMS); `Rendered`, any message's texts.

Only the first name, the visit's time and place, the preparation text and the patient's links go into the
context, never anything clinical: whoever shares the patient's phone or inbox may read a message. The loop
(`sending`) sends the texts, the e-mail with the visit's .ics. What a reminder carries: docs/reminders.md#text.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string

from clinic import when as fmt
from infusions.reminders.tokens import QUESTIONS_OFFSET_HOURS, confirm_url, questions_url


def context_for(appointment, organisation, *, offset_hours: int | None = None) -> dict:
    """Everything a reminder may say, and nothing clinical: the first name; the visit's date and time on its
    location's wall clock, in the clinic's one format (clinic/when.py); the location's signed name, address and
    phone; the organisation's preparation text; the confirmation link. Load the visit with
    `select_related("chair__location")`.

    `offset_hours` is the reminder's (Reminder.offset_hours): the 24-hour one also carries the link to the
    questions (the link only, never the questions)."""
    location = appointment.chair.location
    local = appointment.start.astimezone(location.tz)
    return {
        "first_name": appointment.patient.first_name,
        "date": fmt.day(local),
        "time": fmt.clock(local),
        "zone": fmt.zone(local),
        "clinic_name": location.signed_name(organisation),
        "clinic_address": location.address,
        "clinic_phone": location.phone,
        "preparation": organisation.preparation_text,
        "confirm_url": confirm_url(appointment),
        "questions_url": questions_url(appointment) if offset_hours == QUESTIONS_OFFSET_HOURS else "",
    }


@dataclass
class Rendered:
    subject: str
    body: str
    sms: str


def render(appointment, organisation, *, offset_hours: int | None = None) -> Rendered:
    """The texts of a reminder of `appointment` sent `offset_hours` ahead; `organisation` is the shared settings
    row (clinic.models.Clinic)."""
    values = context_for(appointment, organisation, offset_hours=offset_hours)
    return Rendered(
        subject=" ".join(render_to_string("infusions/reminders/email/reminder_subject.txt", values).split()),
        body=render_to_string("infusions/reminders/email/reminder_body.txt", values),
        sms=" ".join(render_to_string("infusions/reminders/email/reminder_sms.txt", values).split()),
    )
