"""Which reminder rows a visit should have, and `sync_for`, which writes them with the booking.

The booking services call `sync_for(appointments)` inside the transaction that creates, moves or
cancels appointments, so reminder rows always match the schedule that was committed: a rolled-back
booking leaves no row behind. Offsets are the organisation's; SMS quiet hours are each visit's
location's (its override or the organisation's default, on its wall clock): a visit's location is
its chair's, so a visit moved to another location is planned again there.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.utils import timezone

from clinic.context import clinic_context
from infusions.models import Appointment, Chair, Reminder
from infusions.reminders.quiet_hours import QuietHours
from intake.models import Patient

# A visit booked after its last reminder time still gets one reminder at once when it is at least
# this far away; closer than that the front desk has just spoken with the patient. Dispatch applies
# the same lead to an SMS held back by quiet hours.
LATE_BOOKING_LEAD = timedelta(hours=2)


def worth_sending(start: datetime, at: datetime) -> bool:
    """Whether a reminder going out `at` still comes early enough before a visit at `start`."""
    return start - at >= LATE_BOOKING_LEAD


def channels_for(patient) -> list[str]:
    """The channels the patient consented to and can be reached on."""
    channels = []
    if patient.consent_email and patient.email:
        channels.append(Reminder.Channel.EMAIL)
    if patient.consent_sms and patient.phone:
        channels.append(Reminder.Channel.SMS)
    return channels


def missing_channels(appointment, patient) -> list[str]:
    """Channels the patient consented to that have no reminder for the visit's current time.

    A visit booked too late for any reminder (less than LATE_BOOKING_LEAD ahead, or an SMS that
    quiet hours would push too close to the visit) has none: the front desk is told, so it can give
    the preparation instructions itself. Reads `appointment.reminders.all()` (prefetch it).
    """
    if appointment.status != Appointment.Status.SCHEDULED:
        return []
    have = {
        r.channel
        for r in appointment.reminders.all()
        if r.visit_start == appointment.start and r.status != Reminder.Status.CANCELLED
    }
    return [channel for channel in channels_for(patient) if channel not in have]


def plan(start: datetime, offsets, channel: str, *, now: datetime, quiet: QuietHours) -> list[tuple[int, datetime]]:
    """(offset hours, due time) for one channel of a visit starting at `start`.

    Offsets whose time has passed at booking are dropped. When all have passed, one reminder goes
    out at once (under the smallest offset) if the visit is at least LATE_BOOKING_LEAD away, so a
    patient booked tomorrow still gets the preparation instructions; an SMS that would go out in
    quiet hours waits for their end, or is dropped when that is too close to the visit.
    """
    sms = channel == Reminder.Channel.SMS
    planned = []
    for offset in sorted(offsets, reverse=True):
        due = start - timedelta(hours=offset)
        if sms:
            due = quiet.send_before(due)
        if due > now:
            planned.append((offset, due))
    if planned:
        return planned
    if not worth_sending(start, now):
        return []
    due = quiet.send_after(now) if sms else now
    if not worth_sending(start, due):
        return []
    return [(min(offsets), due)]


def locations_of(appointments) -> dict:
    """Each visit's location, by chair id: the loaded chair's when it came with its location, the others
    in one query whatever the number of locations."""
    chair_field = Appointment._meta.get_field("chair")
    location_field = Chair._meta.get_field("location")
    found, missing = {}, set()
    for appointment in appointments:
        if chair_field.is_cached(appointment) and location_field.is_cached(appointment.chair):
            found[appointment.chair_id] = appointment.chair.location
        else:
            missing.add(appointment.chair_id)
    if missing:
        for chair in Chair.objects.filter(pk__in=missing).select_related("location"):
            found[chair.pk] = chair.location
    return found


def sync_for(appointments, *, now: datetime | None = None) -> None:
    """Bring each appointment's Reminder rows in line with its current time and status.

    Runs inside the caller's transaction. Pending rows for another start, or for a visit that is no
    longer scheduled, are cancelled; rows are written for the current start. A row already sent
    for this start is never written again (unique constraint); one cancelled earlier for this very
    start (the visit moved away and back) becomes pending again. A pending row never tried yet takes
    the due time planned now: a visit moved to another location at the same instant has its SMS
    planned again by that location's quiet hours.

    Each visit is planned at its chair's location (its zone and quiet hours); the locations of all
    the visits are read in one query at most, whatever their number.
    """
    appointments = [a for a in appointments if a.pk]
    if not appointments:
        return
    now = now or timezone.now()
    organisation = clinic_context().clinic
    offsets = organisation.reminder_offsets
    locations = locations_of(appointments)
    quiet = {pk: QuietHours.at(location, organisation) for pk, location in locations.items()}
    patients = Patient.objects.only("email", "phone", "consent_email", "consent_sms").in_bulk(
        {a.patient_id for a in appointments}
    )
    existing = defaultdict(dict)
    for row in Reminder.objects.filter(appointment__in=appointments):
        existing[row.appointment_id][(row.offset_hours, row.channel, row.visit_start)] = row

    to_cancel, to_revive, to_replan, to_create = [], [], [], []
    for appointment in appointments:
        rows = existing[appointment.pk]
        scheduled = appointment.status == Appointment.Status.SCHEDULED
        for key, row in rows.items():
            if row.status == Reminder.Status.PENDING and (not scheduled or key[2] != appointment.start):
                to_cancel.append(row.pk)
        if not scheduled:
            continue
        for channel in channels_for(patients[appointment.patient_id]):
            at = quiet[appointment.chair_id]
            for offset, due in plan(appointment.start, offsets, channel, now=now, quiet=at):
                row = rows.get((offset, channel, appointment.start))
                if row is None:
                    to_create.append(
                        Reminder(
                            appointment=appointment,
                            channel=channel,
                            offset_hours=offset,
                            visit_start=appointment.start,
                            due_at=due,
                        )
                    )
                elif row.status in (Reminder.Status.CANCELLED, Reminder.Status.SKIPPED):
                    to_revive.append((row.pk, due))
                elif row.status == Reminder.Status.PENDING and row.attempts == 0 and row.due_at != due:
                    to_replan.append((row.pk, due))
    if to_cancel:
        # Conditional: a row a worker has just claimed is left to its send-time re-check.
        Reminder.objects.filter(pk__in=to_cancel, status=Reminder.Status.PENDING).update(
            status=Reminder.Status.CANCELLED, updated_at=now
        )
    for pk, due in to_revive:
        Reminder.objects.filter(pk=pk, status__in=[Reminder.Status.CANCELLED, Reminder.Status.SKIPPED]).update(
            status=Reminder.Status.PENDING, due_at=due, attempts=0, last_error="", claim_token=None, updated_at=now
        )
    for pk, due in to_replan:
        # Conditional like the cancel: a row claimed meanwhile is left to its send-time re-check.
        Reminder.objects.filter(pk=pk, status=Reminder.Status.PENDING, attempts=0).update(due_at=due, updated_at=now)
    if to_create:
        Reminder.objects.bulk_create(to_create)
