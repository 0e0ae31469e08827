"""What a reminder says: its context, its texts (e-mail subject and body, SMS) and the e-mail with its .ics.

A reminder says the minimum necessary, because a message can be read by whoever shares the
patient's phone or inbox: first name, date, time, the clinic's name, address and phone, the
preparation instructions (a clinic setting) and the confirmation link. Never a diagnosis, a
medication, a score or a screening result; nothing clinical is ever put into the context.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from clinic.context import ClinicContext
from infusions import ics
from infusions.reminders.tokens import confirm_url


def context_for(appointment, context: ClinicContext) -> dict:
    """Everything a reminder may say (see the module docstring), with the visit's time in clinic time."""
    clinic = context.clinic
    local = context.local(appointment.start)
    return {
        "first_name": appointment.patient.first_name,
        "date": local.strftime("%A %-d %B %Y"),
        "time": local.strftime("%-I:%M %p"),
        "clinic_name": clinic.name,
        "clinic_address": clinic.address,
        "clinic_phone": clinic.phone,
        "preparation": clinic.preparation_text,
        "confirm_url": confirm_url(appointment),
    }


@dataclass
class Rendered:
    subject: str
    body: str
    sms: str


def render(appointment, context: ClinicContext) -> Rendered:
    values = context_for(appointment, context)
    return Rendered(
        subject=" ".join(render_to_string("infusions/email/reminder_subject.txt", values).split()),
        body=render_to_string("infusions/email/reminder_body.txt", values),
        sms=" ".join(render_to_string("infusions/email/reminder_sms.txt", values).split()),
    )


def email_message(reminder, context: ClinicContext, *, connection) -> EmailMessage:
    """The e-mail for one reminder row, with the visit as an .ics attachment (time and place only)."""
    appointment = reminder.appointment
    text = render(appointment, context)
    message = EmailMessage(
        subject=text.subject,
        body=text.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[appointment.patient.email],
        # The row's id (never patient data) lets a bounce or a provider log be matched to its row.
        headers={"X-Clinic-Reminder": str(reminder.pk), "Auto-Submitted": "auto-generated"},
        connection=connection,
    )
    message.attach("visit.ics", ics.calendar([appointment], context.clinic), "text/calendar")
    return message
