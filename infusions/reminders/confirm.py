"""The patient's "I will come" link from a reminder: public on purpose, guarded by a signed token.

The token (django.core.signing) names the visit and its start and expires after 15 days, so a
forwarded or old link cannot confirm a visit that has since moved. Opening the link only shows a
button (mail scanners follow links); confirming is a POST. The page shows the date, time and
clinic only: whoever holds the link learns nothing else about the patient.
"""

import logging

from django.core import signing
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from clinic.context import clinic_context
from infusions.models import Appointment
from infusions.reminders.tokens import read_confirm_token

logger = logging.getLogger(__name__)


def scheduled_at(appointments, *, appointment_id: int, start) -> Appointment | None:
    """The visit if it is still scheduled at `start` (the time its link was sent for), else None."""
    appointment = appointments.filter(pk=appointment_id).first()
    if appointment is None or appointment.status != Appointment.Status.SCHEDULED or appointment.start != start:
        return None
    return appointment


def appointment_confirm(*, appointment_id: int, start) -> Appointment | None:
    """Record the patient's confirmation; None when the visit is no longer scheduled at `start`."""
    with transaction.atomic():
        appointment = scheduled_at(Appointment.objects.select_for_update(), appointment_id=appointment_id, start=start)
        if appointment is None:
            return None
        if appointment.confirmed_at is None:
            appointment.confirmed_at = timezone.now()
            appointment.save(update_fields=["confirmed_at", "updated_at"])
            logger.info("appointment %s confirmed by the patient", appointment.pk)
    return appointment


@never_cache
def reminder_confirm(request, token):
    clinic = clinic_context().clinic
    try:
        appointment_id, start = read_confirm_token(token)
    except signing.SignatureExpired:
        return render(request, "infusions/confirm_invalid.html", {"clinic": clinic, "expired": True}, status=410)
    except signing.BadSignature:
        return render(request, "infusions/confirm_invalid.html", {"clinic": clinic}, status=404)
    appointment = scheduled_at(Appointment.objects, appointment_id=appointment_id, start=start)
    if appointment is None:
        return render(request, "infusions/confirm_invalid.html", {"clinic": clinic, "changed": True}, status=410)
    if request.method == "POST":
        appointment = appointment_confirm(appointment_id=appointment_id, start=start)
        if appointment is None:
            return render(request, "infusions/confirm_invalid.html", {"clinic": clinic, "changed": True}, status=410)
        return render(request, "infusions/confirm_done.html", {"clinic": clinic, "start": appointment.start})
    return render(
        request,
        "infusions/confirm.html",
        {"clinic": clinic, "start": appointment.start, "confirmed": appointment.confirmed_at is not None},
    )
