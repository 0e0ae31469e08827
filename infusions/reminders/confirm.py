"""The patient's "I will come" link from a reminder: public on purpose, guarded by a signed token.

The token (django.core.signing) names the visit and its start and expires after 15 days, so a
forwarded or old link cannot confirm a visit that has since moved. Opening the link only shows a
button (mail scanners follow links); confirming is a POST. The page shows the date and time on the
wall clock of the visit's location, the name it is signed with and its phone only: whoever holds the
link learns nothing else about the patient.
"""

import logging

from django.core import signing
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from clinic.context import clinic_context
from clinic.models import Location
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


def _place(appointment, organisation) -> dict:
    """What a confirm page says about where: the visit's location's signed name, phone and time zone."""
    location = appointment.chair.location
    return {"clinic_name": location.signed_name(organisation), "phone": location.phone, "tz": location.tz}


def _unknown_visit(organisation, token) -> dict:
    """Where to call when a link can no longer confirm: the visit's location when the link still names
    a visit (signed, even if expired), else every active location's phone."""
    try:
        appointment_id, _ = read_confirm_token(token, max_age=None)
    except signing.BadSignature:
        appointment_id = None
    appointment = (
        Appointment.objects.select_related("chair__location").filter(pk=appointment_id).first()
        if appointment_id is not None
        else None
    )
    if appointment is not None:
        return _place(appointment, organisation)
    locations = list(Location.objects.active().exclude(phone=""))
    if len(locations) == 1:
        return {"clinic_name": locations[0].signed_name(organisation), "phone": locations[0].phone}
    return {"clinic_name": organisation.name, "phones": [(location.name, location.phone) for location in locations]}


def _invalid(request, organisation, token, status, **flags):
    context = {**_unknown_visit(organisation, token), **flags}
    return render(request, "infusions/reminders/confirm_invalid.html", context, status=status)


@never_cache
def reminder_confirm(request, token):
    organisation = clinic_context().clinic
    try:
        appointment_id, start = read_confirm_token(token)
    except signing.SignatureExpired:
        return _invalid(request, organisation, token, 410, expired=True)
    except signing.BadSignature:
        return _invalid(request, organisation, token, 404)
    visits = Appointment.objects.select_related("chair__location")
    appointment = scheduled_at(visits, appointment_id=appointment_id, start=start)
    if appointment is None:
        return _invalid(request, organisation, token, 410, changed=True)
    if request.method == "POST":
        confirmed = appointment_confirm(appointment_id=appointment_id, start=start)
        if confirmed is None:
            return _invalid(request, organisation, token, 410, changed=True)
        return render(
            request,
            "infusions/reminders/confirm_done.html",
            {**_place(appointment, organisation), "start": confirmed.start},
        )
    return render(
        request,
        "infusions/reminders/confirm.html",
        {
            **_place(appointment, organisation),
            "start": appointment.start,
            "confirmed": appointment.confirmed_at is not None,
        },
    )
