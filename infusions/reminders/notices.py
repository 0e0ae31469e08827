"""Telling the patient a visit was moved or cancelled, that a cancel they may have heard of was undone, or, at
discharge, the written after-care instructions (`aftercare`).

A small outbox: `write` adds the rows inside the change's transaction (a change rolled back tells no one), and
`send` sends them through the reminders' loop (`sending`) with `NOTICE`, re-checked at send time. The words are
the minimum necessary: first name, the old and new time, the place or its phone; nothing clinical.
"""

import logging
from datetime import datetime

from celery import current_app
from django.db import transaction

from clinic import when as fmt
from infusions.models import Appointment, PatientNotice, Reminder
from infusions.reminders import aftercare, sending
from infusions.reminders.outbox import channels_for
from infusions.reminders.rendering import Rendered

logger = logging.getLogger(__name__)

# The task that sends them (infusions.tasks), queued by its name: nothing below the tasks imports them.
SEND_TASK = "infusions.tasks.send_patient_notices"


def write(appointment, kind: str, *, previous_start: datetime) -> list[PatientNotice]:
    """The notice rows of a change just saved (call inside its transaction); the send is queued on commit."""
    rows = PatientNotice.objects.bulk_create(
        PatientNotice(
            appointment=appointment,
            kind=kind,
            channel=channel,
            previous_start=previous_start,
            visit_start=appointment.start,
        )
        for channel in channels_for(appointment.patient)
    )
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: _queue(ids))
    return rows


def cancel_may_have_reached(appointment) -> bool:
    """Whether the patient may have been told this visit was cancelled: a cancel notice of it (or of the rest
    of its series, on it) was sent or is being sent. One still pending is skipped at its send instead."""
    return PatientNotice.objects.filter(
        appointment=appointment,
        kind__in=[PatientNotice.Kind.CANCELLED, PatientNotice.Kind.SERIES_CANCELLED],
        status__in=[PatientNotice.Status.SENT, PatientNotice.Status.SENDING],
    ).exists()


def _series_cancelled(notice) -> list[datetime]:
    """The starts of the visits cancelled with the rest of the series (same series, same moment), in order."""
    appointment = notice.appointment
    return list(
        Appointment.objects.filter(
            series_id=appointment.series_id,
            status=Appointment.Status.CANCELLED,
            cancelled_at=appointment.cancelled_at,
            start__gte=notice.visit_start,
        )
        .order_by("start")
        .values_list("start", flat=True)
    )


def _queue(ids) -> None:
    try:
        current_app.send_task(SEND_TASK, args=[ids])
    except Exception:  # noqa: BLE001 - the broker is down: beat sends the rows later
        logger.warning("patient notices %s: could not queue the send; beat will", ids)


def _when(moment: datetime, tz) -> str:
    """'Tue 1 Dec 2026 at 14:30 PST': as the reminders write a visit's time (clinic/when.py)."""
    return f"{fmt.day(moment, tz)} at {fmt.clock(moment, tz)} {fmt.zone(moment, tz)}"


def texts(notice, organisation) -> Rendered:
    """What a notice says: first name, times and place only (the visit's location: its zone, name, address)."""
    appointment = notice.appointment
    location = appointment.chair.location
    first_name = appointment.patient.first_name
    signed = location.signed_name(organisation)
    before = _when(notice.previous_start, location.tz)
    if notice.kind == PatientNotice.Kind.MOVED:
        after = _when(notice.visit_start, location.tz)
        line = f"your visit on {before} was moved to {after} at {signed}, {location.address}."
        subject = f"Your visit was moved - {signed}"
    elif notice.kind == PatientNotice.Kind.REINSTATED:
        line = (
            f"please disregard our message that your visit on {before} was cancelled: "
            f"the visit stands, at {signed}, {location.address}."
        )
        subject = f"Your visit stands - {signed}"
    elif notice.kind == PatientNotice.Kind.SERIES_CANCELLED:
        starts = _series_cancelled(notice) or [notice.visit_start]
        listed = "; ".join(_when(start, location.tz) for start in starts)
        visits = "visit" if len(starts) == 1 else f"{len(starts)} visits"
        line = f"your {visits} on {listed} were cancelled; call {location.phone} to book again."
        if len(starts) == 1:
            line = line.replace(" were cancelled", " was cancelled")
        subject = f"Your visits were cancelled - {signed}"
    elif notice.kind == PatientNotice.Kind.AFTERCARE:
        return _aftercare(notice, organisation)
    else:
        line = f"your visit on {before} was cancelled; call {location.phone} to book again."
        subject = f"Your visit was cancelled - {signed}"
    return Rendered(
        subject=subject,
        body=f"Hello {first_name},\n\n{line[0].upper()}{line[1:]}\n\n{signed}\n",
        sms=f"{first_name}, {line} {signed}",
    )


def _aftercare(notice, organisation) -> Rendered:
    """The written after-care instructions of a visit just discharged (`aftercare`): first name, the visit's
    day, the place and its phone, the fixed instructions and the numbers to call; nothing clinical."""
    location = notice.appointment.chair.location
    first_name = notice.appointment.patient.first_name
    signed = location.signed_name(organisation)
    day = fmt.day(notice.visit_start, location.tz)
    lines = "\n".join(f"- {line}" for line in aftercare.body_lines(location, organisation))
    calls = aftercare.who_to_call(location, organisation)
    questions = f" Questions: {calls.phone}." if calls.phone else ""
    return Rendered(
        subject=f"After your visit - {signed}",
        body=f"Hello {first_name},\n\nAfter your visit on {day} at {signed}:\n\n{lines}\n\n{signed}\n",
        sms=(
            f"{first_name}, after your visit on {day} at {signed}: no driving until the next day, after a night's "
            f"sleep; go home with your escort and rest.{questions} Support: call or text 988. Emergency: 911."
        ),
    )


class NoticeKind(sending.OutboxKind):
    """A notice row: one channel of one change to a visit, due as soon as it is written."""

    name = "notice"
    model = PatientNotice
    header = "X-Clinic-Notice"
    related = ("appointment__patient", "appointment__chair__location")

    def due(self, now):
        return PatientNotice.objects.filter(status=PatientNotice.Status.PENDING).order_by("id")

    def check(self, row, now, ctx):
        if row.channel not in channels_for(row.appointment.patient):
            return self.skip("NoConsent")
        if not _still_stands(row):
            return self.skip("VisitChanged")
        if row.channel == Reminder.Channel.SMS and ctx.quiet_hours(row.appointment.chair.location).contains(now):
            return self.hold(last_error="QuietHours")  # beat sends it after the quiet hours
        return None

    def render(self, row, ctx):
        return texts(row, ctx.organisation)


NOTICE = NoticeKind()


def _still_stands(notice) -> bool:
    """The change the notice tells of still stands: not a move superseded by a later change, a cancel undone before
    the send, or an undo cancelled again."""
    appointment = notice.appointment
    if notice.kind == PatientNotice.Kind.AFTERCARE:
        return appointment.status == Appointment.Status.COMPLETED  # discharged (a signed record stays so)
    if notice.kind in (PatientNotice.Kind.MOVED, PatientNotice.Kind.REINSTATED):
        return appointment.status == Appointment.Status.SCHEDULED and appointment.start == notice.visit_start
    return appointment.status == Appointment.Status.CANCELLED


def send(ids=None, *, email_connection=None, sms_backend=None) -> dict:
    """Send the pending notices (`ids`: only those), each once; counts by outcome."""
    outcome = sending.run(NOTICE, only=ids, email_connection=email_connection, sms_backend=sms_backend)
    return {
        "sent": outcome.sent,
        "skipped": outcome.skipped,
        "held": outcome.held,
        "failed": outcome.failed,
        "retried": outcome.retried,
        "lost": outcome.lost,
    }
