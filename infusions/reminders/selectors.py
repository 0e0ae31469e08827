"""Reads for the reminder pages and for the booking pages that show a visit's reminders."""

from django.db.models import Prefetch

from infusions.models import Reminder


def with_reminders(appointments):
    """Appointments with their reminders in one extra query, and their patients' consents (for
    `_reminders_for_visit.html`, which says when a consented channel has no reminder)."""
    return appointments.select_related("patient").prefetch_related(
        Prefetch("reminders", queryset=Reminder.objects.order_by("due_at", "channel", "id"))
    )


def failed_reminders(location):
    """Reminders of the location's visits that failed after every retry, soonest visit first (the front desk's
    list)."""
    return (
        Reminder.objects.failed()
        .filter(appointment__chair__location=location)
        .select_related("appointment__patient", "appointment__chair")
        .order_by("appointment__start", "id")
    )
