"""What a reminder says: its context and its texts (e-mail subject and body, SMS); `Rendered`, any message's texts.
The loop (`sending`) sends them, the e-mail with the visit's .ics (`dispatch.ReminderKind.attachments`).

A reminder says the minimum necessary, because a message can be read by whoever shares the
patient's phone or inbox: first name, date, time (with the zone's abbreviation), the name it is signed
with, the address and phone of the visit's location, the preparation instructions (an organisation
setting), the confirmation link and, in the reminder sent 24 hours ahead only, the link to the
questions asked before the visit (the link only, never the questions). Never a diagnosis, a
medication, a score or a screening result; nothing clinical is ever put into the context.

The visit's place and time are its location's (`appointment.chair.location`: load it with
`select_related("chair__location")`): the time on that location's wall clock in the clinic's one format
("Tue 1 Dec 2026 at 14:30 PST", clinic/when.py), its address and phone,
and `location.signed_name(organisation)`. The preparation text is the organisation's.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string

from clinic import when as fmt
from infusions.reminders.tokens import QUESTIONS_OFFSET_HOURS, confirm_url, questions_url


def context_for(appointment, organisation, *, offset_hours: int | None = None) -> dict:
    """Everything a reminder may say (see the module docstring), with the visit's time in its location's zone.

    `offset_hours` is the reminder's (Reminder.offset_hours): the 24-hour one carries the questions link."""
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
