"""What a reminder says: its context, its texts (e-mail subject and body, SMS) and the e-mail with its .ics.

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

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from clinic import when as fmt
from infusions.reminders import ics
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


def send_text(text: Rendered, *, email: bool, patient, header: str, row_id: int, email_connection, sms_backend):
    """Send a rendered text (a notice, a check-in invitation) to the patient by e-mail or SMS. The row's id
    (never patient data) goes into the e-mail header `header`, and into the SMS reference as
    "<what>-<id>", so a bounce or a provider's report can be matched to its row."""
    if email:
        EmailMessage(
            subject=text.subject,
            body=text.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[patient.email],
            headers={header: str(row_id), "Auto-Submitted": "auto-generated"},
            connection=email_connection,
        ).send()
    else:
        what = header.removeprefix("X-Clinic-").lower()
        sms_backend.send(to=patient.phone, body=text.sms, reference=f"{what}-{row_id}")


def email_message(reminder, organisation, *, connection) -> EmailMessage:
    """The e-mail for one reminder row, with the visit as an .ics attachment (time and place only)."""
    appointment = reminder.appointment
    text = render(appointment, organisation, offset_hours=reminder.offset_hours)
    message = EmailMessage(
        subject=text.subject,
        body=text.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[appointment.patient.email],
        # The row's id (never patient data) lets a bounce or a provider log be matched to its row.
        headers={"X-Clinic-Reminder": str(reminder.pk), "Auto-Submitted": "auto-generated"},
        connection=connection,
    )
    message.attach("visit.ics", ics.calendar([appointment], organisation), "text/calendar")
    return message
