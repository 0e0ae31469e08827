"""A series and its visits: the series page, moving, cancelling and marking visits, the patient's calendar."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clinic.context import clinic_context
from clinic.locations import check_location, user_locations
from clinic.roles import require
from infusions.booking import selectors, services
from infusions.booking.forms import DayForm, decode_visit
from infusions.booking.views.feedback import attempt
from infusions.models import Appointment, InfusionSeries
from infusions.reminders import ics
from intake.models import Patient

CHANGE = ("infusions.change_appointment",)


def load_visit(request, pk, *related) -> Appointment:
    """The visit, 404 if there is none, 403 unless the user works at its location; its page in that zone."""
    appointment = get_object_or_404(Appointment.objects.select_related("chair__location", *related), pk=pk)
    timezone.activate(check_location(request, appointment.chair.location_id).tz)
    return appointment


def _series(request, pk, *related) -> InfusionSeries:
    series = get_object_or_404(InfusionSeries.objects.select_related("location", *related), pk=pk)
    timezone.activate(check_location(request, series.location_id).tz)
    return series


@require("infusions.view_infusionseries", "infusions.view_appointment")
def series_detail(request, pk):
    series = _series(request, pk, "patient", "protocol")
    return render(request, "infusions/booking/series.html", selectors.series_page(series))


def _day_url(name, day, *args) -> str:
    return reverse(name, args=args) + f"?date={day.isoformat()}"


class CancelForm(forms.Form):
    """Why a visit (or, with `what="rest of the series"`, the rest of a series) is cancelled."""

    reason = forms.ChoiceField(
        choices=Appointment.CancelReason.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a reason."},
    )

    def __init__(self, *args, what: str = "visit", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.label = f"Why is the {what} cancelled?"
        field.error_messages["required"] = f"Choose why the {what} is cancelled."


@require_http_methods(["GET", "POST"])
@require(*CHANGE)
def visit_cancel(request, pk):
    """GET: the confirmation page (the reason, and the late-cancel warning). POST: cancel for that reason."""
    appointment = load_visit(request, pk, "series", "patient")
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_cancel(appointment=appointment, by=request.user, reason=form.cleaned_data["reason"])
        except services.BookingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Visit cancelled.")
            return redirect("infusions:series", pk=appointment.series_id)
    organisation = clinic_context(appointment.chair.location).clinic
    hours = organisation.late_cancel_hours
    context = {
        "appointment": appointment,
        "form": form,
        "late_cancel_hours": hours,
        "late": appointment.start - timezone.now() < timedelta(hours=hours),
    }
    return render(request, "infusions/booking/cancel.html", context, status=400 if request.method == "POST" else 200)


@require_POST
@require(*CHANGE)
def visit_undo_cancel(request, pk):
    appointment = load_visit(request, pk)
    attempt(request, services.appointment_undo_cancel, appointment=appointment, success="Cancel undone.")
    return redirect("infusions:series", pk=appointment.series_id)


@require_POST
@require(*CHANGE)
def visit_mark(request, pk):
    appointment = load_visit(request, pk)
    status = request.POST.get("status", "")
    attempt(request, services.appointment_mark, appointment=appointment, status=status, success="Visit updated.")
    if request.POST.get("next") == "day":
        local_day = clinic_context(appointment.chair.location).local_date(appointment.start)
        return redirect(_day_url("infusions:day", local_day))
    return redirect("infusions:series", pk=appointment.series_id)


@require_POST
@require(*CHANGE)
def visit_undo_mark(request, pk):
    appointment = load_visit(request, pk)
    attempt(request, services.appointment_undo_mark, appointment=appointment, success="Mark undone.")
    return redirect("infusions:series", pk=appointment.series_id)


@require_http_methods(["GET", "POST"])
@require(*CHANGE, "infusions.change_infusionseries")
def series_cancel_rest(request, pk):
    """GET: the confirmation page (the visits that will be cancelled, which are late cancels, the reason).
    POST: cancel them and the series for that reason; the patient is told once."""
    series = _series(request, pk, "patient")
    form = CancelForm(request.POST if request.method == "POST" else None, what="rest of the series")
    if request.method == "POST" and form.is_valid():
        try:
            count = services.series_cancel_rest(series=series, by=request.user, reason=form.cleaned_data["reason"])
        except services.BookingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Cancelled the rest of the series ({count} visits).")
            return redirect("infusions:series", pk=series.pk)
    hours = clinic_context(series.location).clinic.late_cancel_hours
    now = timezone.now()
    rest = list(
        series.appointments.filter(status=Appointment.Status.SCHEDULED).select_related("chair").order_by("start")
    )
    context = {
        "series": series,
        "form": form,
        "rest": [(a, a.start - now < timedelta(hours=hours)) for a in rest],
        "late_cancel_hours": hours,
    }
    return render(
        request, "infusions/booking/cancel_rest.html", context, status=400 if request.method == "POST" else 200
    )


@require_POST
@require(*CHANGE, "infusions.change_infusionseries")
def series_complete(request, pk):
    series = _series(request, pk)
    attempt(request, services.series_complete, series=series, success="Series marked completed.")
    return redirect("infusions:series", pk=series.pk)


@require(*CHANGE)
def visit_move(request, pk):
    """GET: free times on a day for this visit, at its location or (chosen explicitly) another of the user's.
    POST: move it there (past the window needs a confirm; another location needs `other_location`)."""
    appointment = load_visit(request, pk, "series__protocol", "patient")
    context = {"appointment": appointment, "locations": user_locations(request.user)}
    if request.method == "POST":
        try:
            start, chair_id = decode_visit(request.POST.get("chair", ""), request.POST.get("start", ""))
        except ValueError:
            return HttpResponseBadRequest("Bad time or chair.")
        try:
            services.appointment_move(
                appointment=appointment,
                start=start,
                chair_id=chair_id,
                by=request.user,
                confirm_past_window=request.POST.get("confirm") == "1",
                to_other_location=request.POST.get("other_location") == "1",
            )
        except services.NeedsConfirmation as exc:
            # The page shows the time in the visit's zone (the template localises aware datetimes).
            context["confirm"] = {"message": str(exc), "start": int(start.timestamp()), "chair": chair_id}
            context["confirm_when"] = start
            context["other_location"] = request.POST.get("other_location") == "1"
        except services.BookingError as exc:
            messages.error(request, str(exc))
            return redirect(
                _day_url("infusions:visit_move", clinic_context(appointment.chair.location).local_date(start), pk)
            )
        else:
            messages.success(request, "Visit moved.")
            return redirect("infusions:series", pk=appointment.series_id)
    day_form = DayForm(request.GET or None)
    location = appointment.chair.location
    if request.GET.get("location"):
        try:
            location = check_location(request, int(request.GET["location"]))
        except ValueError:
            return HttpResponseBadRequest("Bad location.")
        timezone.activate(location.tz)
    context.update(selectors.move_options(appointment, day_form.day(), location=location))
    context["other_location"] = location.pk != appointment.chair.location_id
    context["location_hidden"] = [("location", location.pk)] if context["other_location"] else []
    context["day_form"] = day_form.shown(context["day"])
    return render(request, "infusions/booking/move.html", context)


@require(*CHANGE, "infusions.add_appointment")
def visit_replace(request, pk):
    """GET: free times on a day at the series' location for booking a cancelled, no-show or deferred visit
    again. POST: book it there (past the window needs a confirm). The move's page, with `replace` set."""
    appointment = load_visit(request, pk, "series__protocol", "series__location", "patient")
    context = {"appointment": appointment, "locations": [], "replace": True}
    clinic = clinic_context(check_location(request, appointment.series.location_id))  # 403 unless the user works there
    timezone.activate(clinic.tz)
    if request.method == "POST":
        try:
            start, chair_id = decode_visit(request.POST.get("chair", ""), request.POST.get("start", ""))
        except ValueError:
            return HttpResponseBadRequest("Bad time or chair.")
        try:
            services.appointment_replace(
                appointment=appointment,
                start=start,
                chair_id=chair_id,
                by=request.user,
                confirm_past_window=request.POST.get("confirm") == "1",
            )
        except services.NeedsConfirmation as exc:
            context["confirm"] = {"message": str(exc), "start": int(start.timestamp()), "chair": chair_id}
            context["confirm_when"] = start
        except services.BookingError as exc:
            messages.error(request, str(exc))
            return redirect(_day_url("infusions:visit_replace", clinic.local_date(start), pk))
        else:
            messages.success(request, f"Visit {appointment.sequence} replaced.")
            return redirect("infusions:series", pk=appointment.series_id)
    elif not appointment.can_replace:
        messages.error(request, appointment.replace_refusal())
        return redirect("infusions:series", pk=appointment.series_id)
    day_form = DayForm(request.GET or None)
    day = day_form.day() or max(clinic.today(), clinic.local_date(appointment.start))
    context.update(selectors.move_options(appointment, day, location=clinic.location))
    context["location_hidden"] = []
    context["day_form"] = day_form.shown(context["day"])
    return render(request, "infusions/booking/move.html", context)


@require("infusions.view_appointment", "intake.view_patient_contact")
def patient_calendar(request, patient_id):
    patient = get_object_or_404(Patient, pk=patient_id)
    calendar = ics.calendar(selectors.booked_visits(patient), clinic_context().clinic)
    response = HttpResponse(calendar, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visits-{patient.pk}.ics"'
    return response


@require_POST
@require(*CHANGE)
def visit_confirm_by_phone(request, pk):
    """From the call list: the patient said on the phone they will come."""
    appointment = load_visit(request, pk, "patient")
    patient = appointment.patient
    success = f"{patient.last_name}, {patient.first_name}: visit confirmed."
    attempt(request, services.appointment_confirm_by_phone, appointment=appointment, success=success)
    return redirect(reverse("infusions:worklists") + "#tomorrow")
