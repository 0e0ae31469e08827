"""A patient's booked visits as an iCalendar file: when and where only, never anything clinical.

Each visit is at its own location (`appointment.chair.location`: load the visits with
`select_related("chair__location")`): its start and end on that location's wall clock (TZID, with
the VTIMEZONE it names), that location's address and phone, and the name it signs with.
"""

from icalendar import Calendar, Event


def calendar(appointments, organisation) -> bytes:
    """The visits as one calendar; `organisation` is the shared settings row (clinic.models.Clinic)."""
    cal = Calendar()
    cal.add("prodid", "-//Infusion clinic//Visits//EN")
    cal.add("version", "2.0")
    for appointment in appointments:
        location = appointment.chair.location
        event = Event()
        event.add("uid", f"appointment-{appointment.pk}@infusion-clinic")
        event.add("dtstamp", appointment.updated_at)
        event.add("dtstart", appointment.start.astimezone(location.tz))
        event.add("dtend", appointment.end.astimezone(location.tz))
        event.add("summary", f"Appointment at {location.signed_name(organisation)}")
        if location.address:
            event.add("location", location.address)
        if location.phone:
            event.add("description", f"Questions or changes: call {location.phone}.")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
