"""Telling the patient a visit was moved or cancelled (the rest of a series: one message listing its visits),
or that a cancel they may have been told of was undone: a small outbox with the reminders' guarantees.

1. `write` runs inside the move or cancel transaction: one `PatientNotice` row per channel the patient
   consented to and can be reached on, and (on commit only) a Celery task queued to send them. A change
   that rolls back leaves no row and queues nothing.
2. `send` claims each pending row with a conditional UPDATE (`WHERE status = 'pending'`: exactly one caller
   changes the row), re-checks it (consent; the change still stands: a move superseded by a later change,
   a cancel undone before the send, or an undo cancelled again, is skipped), sends it and records the
   outcome. Beat runs `send` for rows left pending (a lost task, SMS quiet hours, a retry after a failed send).
3. A row left in "sending" longer than the reminders' lease (its worker died) goes back to pending: the one
   gap, as for reminders, is a provider that accepted a message whose worker died before recording it.

The words are the minimum necessary (DOMAIN §6): first name, the old and new date and time, the place
(signed name and address of the visit's location) or its phone; nothing clinical.
"""

import logging
from datetime import datetime

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clinic import when as fmt
from clinic.context import clinic_context
from infusions.models import Appointment, PatientNotice, Reminder
from infusions.reminders import sms
from infusions.reminders.dispatch import lease
from infusions.reminders.outbox import channels_for
from infusions.reminders.quiet_hours import QuietHours
from infusions.reminders.rendering import Rendered, send_text

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


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
    from infusions.tasks import send_patient_notices  # the tasks import this module

    try:
        send_patient_notices.delay(ids)
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
    else:
        line = f"your visit on {before} was cancelled; call {location.phone} to book again."
        subject = f"Your visit was cancelled - {signed}"
    return Rendered(
        subject=subject,
        body=f"Hello {first_name},\n\n{line[0].upper()}{line[1:]}\n\n{signed}\n",
        sms=f"{first_name}, {line} {signed}",
    )


def _still_stands(notice) -> bool:
    appointment = notice.appointment
    if notice.kind in (PatientNotice.Kind.MOVED, PatientNotice.Kind.REINSTATED):
        return appointment.status == Appointment.Status.SCHEDULED and appointment.start == notice.visit_start
    return appointment.status == Appointment.Status.CANCELLED


def _record(notice, **fields) -> None:
    PatientNotice.objects.filter(pk=notice.pk, status=PatientNotice.Status.SENDING).update(
        updated_at=timezone.now(), **fields
    )


def reclaim_stuck(now: datetime) -> int:
    return PatientNotice.objects.filter(status=PatientNotice.Status.SENDING, claimed_at__lt=now - lease()).update(
        status=PatientNotice.Status.PENDING, last_error="LeaseExpired", updated_at=now
    )


def send(ids=None, *, email_connection=None, sms_backend=None) -> dict:
    """Send the pending notices (`ids`: only those), each once; counts by outcome."""
    now = timezone.now()
    reclaim_stuck(now)
    counts = {"sent": 0, "skipped": 0, "held": 0, "failed": 0, "retried": 0, "lost": 0}
    pending = PatientNotice.objects.filter(status=PatientNotice.Status.PENDING)
    if ids is not None:
        pending = pending.filter(pk__in=list(ids))
    notices = list(pending.select_related("appointment__patient", "appointment__chair__location").order_by("id"))
    if not notices:
        return counts
    organisation = clinic_context().clinic
    sms_backend = sms_backend or sms.get_backend()
    connection = email_connection or get_connection()
    for notice in notices:
        location = notice.appointment.chair.location
        if notice.channel == Reminder.Channel.SMS and QuietHours.at(location, organisation).contains(now):
            counts["held"] += 1  # beat sends it after the quiet hours
            continue
        claimed = PatientNotice.objects.filter(pk=notice.pk, status=PatientNotice.Status.PENDING).update(
            status=PatientNotice.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
        )
        if claimed != 1:
            counts["lost"] += 1  # another worker holds it, or has sent it
            continue
        patient = notice.appointment.patient
        if notice.channel not in channels_for(patient) or not _still_stands(notice):
            error = "NoConsent" if notice.channel not in channels_for(patient) else "VisitChanged"
            _record(notice, status=PatientNotice.Status.SKIPPED, last_error=error)
            counts["skipped"] += 1
            continue
        text = texts(notice, organisation)
        try:
            send_text(
                text,
                email=notice.channel == Reminder.Channel.EMAIL,
                patient=patient,
                header="X-Clinic-Notice",
                row_id=notice.pk,
                email_connection=connection,
                sms_backend=sms_backend,
            )
        except Exception as exc:  # noqa: BLE001 - the type only: provider messages carry addresses
            error = type(exc).__name__[:80]
            logger.warning("patient notice %s: send failed (%s)", notice.pk, error)
            failed = notice.attempts + 1 >= MAX_ATTEMPTS
            status = PatientNotice.Status.FAILED if failed else PatientNotice.Status.PENDING
            _record(notice, status=status, last_error=error)
            counts["failed" if failed else "retried"] += 1
            continue
        _record(notice, status=PatientNotice.Status.SENT, sent_at=timezone.now(), last_error="")
        counts["sent"] += 1
    if email_connection is None:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - the messages are recorded already
            logger.warning("closing the e-mail connection failed")
    return counts
