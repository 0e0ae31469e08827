"""A patient's booked visits as an iCalendar file: when and where only, never anything clinical."""

from icalendar import Calendar, Event


def calendar(appointments, clinic) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Infusion clinic//Visits//EN")
    cal.add("version", "2.0")
    for appointment in appointments:
        event = Event()
        event.add("uid", f"appointment-{appointment.pk}@infusion-clinic")
        event.add("dtstamp", appointment.updated_at)
        event.add("dtstart", appointment.start)
        event.add("dtend", appointment.end)
        event.add("summary", f"Appointment at {clinic.name}")
        if clinic.address:
            event.add("location", clinic.address)
        if clinic.phone:
            event.add("description", f"Questions or changes: call {clinic.phone}.")
        cal.add_component(event)
    return cal.to_ical()
