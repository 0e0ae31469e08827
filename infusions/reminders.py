"""Appointment reminders: the outbox rows a booking change writes, and their dispatch.

The booking services call `sync_for(appointments)` inside the transaction that creates, moves or
cancels appointments, so reminder rows always match the schedule that was committed.
"""


def sync_for(appointments) -> None:
    """Bring each appointment's Reminder rows in line with its current time and status."""
    # Filled in by the reminders work (issue 5); the booking services already call it.
    return None
