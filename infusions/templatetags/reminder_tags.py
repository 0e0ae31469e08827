from django import template

from clinic import when as fmt
from clinic.context import clinic_context
from infusions.models import Reminder
from infusions.reminders.outbox import LATE_BOOKING_LEAD, missing_channels

register = template.Library()


@register.simple_tag
def missing_reminders(appointment, patient=None) -> list[str]:
    """Why a consented channel has no reminder for this visit, in the front desk's words.

    The quiet hours named are those of the visit's location (`appointment.chair.location`: load the
    visits with `select_related("chair__location")`), its override or the organisation's default."""
    channels = missing_channels(appointment, patient or appointment.patient)
    if not channels:
        return []
    hours = int(LATE_BOOKING_LEAD.total_seconds() // 3600)
    why = {
        Reminder.Channel.EMAIL: f"No e-mail reminder: the visit was booked less than {hours} hours ahead.",
        Reminder.Channel.SMS: None,
    }
    if Reminder.Channel.SMS in channels:
        location = appointment.chair.location
        start, end = location.quiet_hours(clinic_context().clinic)
        why[Reminder.Channel.SMS] = (
            f"No SMS reminder: none could go out outside quiet hours ({fmt.clock(start)}–{fmt.clock(end)}, "
            f"{fmt.zone_name(location.tz)}) at least {hours} hours before the visit."
        )
    return [why[channel] + " Give the patient the preparation instructions now." for channel in channels]
