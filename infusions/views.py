"""Front desk pages: booking, the schedule, series and visits. Views parse, call one service, render."""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from clinic.models import Clinic
from clinic.roles import require
from infusions import ics, reminders, selectors, services
from infusions.forms import DayForm, MaintenanceForm, PatientSearchForm, PreferencesForm
from infusions.models import Appointment, Chair, InfusionSeries, MaintenanceOrder
from infusions.planner import Plan, Visit, booster_date, validate_plan
from intake.eligibility import booking_eligibility, booking_eligibility_for
from intake.models import Patient

BOOK = ("infusions.add_appointment", "infusions.add_infusionseries", "intake.view_patient_contact")
CHANGE = ("infusions.change_appointment",)
VIALS_MG_PER_ML = (10, 50, 100)
SERIES, MAINTENANCE = "series", "maintenance"


@require("infusions.view_appointment")
def home(request):
    """The front desk's home: today's visits."""
    today = timezone.localdate()
    start = selectors.local_midnight(today)
    visits = (
        Appointment.objects.filter(start__gte=start, start__lt=start + timedelta(days=1))
        .select_related("chair", "patient")
        .order_by("start", "chair__position")
    )
    return render(request, "infusions/home.html", {"visits": visits, "today": today})


# --- Picking a patient -----------------------------------------------------------------------


@require(*BOOK)
def book_search(request):
    form = PatientSearchForm(request.GET or None)
    results = []
    if form.is_valid() and form.cleaned_data["q"]:
        patients = list(Patient.objects.search(form.cleaned_data["q"])[:20])
        eligibility = booking_eligibility_for(patients)
        results = [(p, eligibility[p.pk]) for p in patients]
    ordered = set(
        MaintenanceOrder.objects.open().filter(patient__in=[p.pk for p, _ in results]).values_list("patient", flat=True)
    )
    return render(request, "infusions/book_search.html", {"form": form, "results": results, "ordered": ordered})


# --- Proposing, editing and confirming a plan (initial series or maintenance) ----------------


def _encode(visits) -> list[str]:
    return [f"{v.chair_id}@{int(v.start.timestamp())}" for v in visits]


def _decode(values, block_minutes) -> list[Visit]:
    visits = []
    for value in values:
        chair, _, stamp = value.partition("@")
        start = datetime.fromtimestamp(int(stamp), tz=UTC)
        visits.append(Visit(start=start, end=start + timedelta(minutes=block_minutes), chair_id=int(chair)))
    return sorted(visits, key=lambda v: v.start)


def _prefs_params(request, kind) -> list[tuple[str, str]]:
    names = ["earliest", "weekday", "part"] + (["count", "every_weeks", "first"] if kind == MAINTENANCE else [])
    return [(name, value) for name in names for value in request.GET.getlist(name) if value]


def _plan_url(kind, patient, params, visits=None, **extra) -> str:
    query = list(params) + [("v", v) for v in _encode(visits or [])] + list(extra.items())
    name = "infusions:book_plan" if kind == SERIES else "infusions:maintenance_plan"
    return reverse(name, args=[patient.pk]) + ("?" + urlencode(query) if query else "")


def _eligibility(kind, patient):
    if kind == SERIES:
        return booking_eligibility(patient)
    return booking_eligibility(patient, max_screening_age_days=Clinic.get().screening_valid_days)


def _plan_context(request, kind, patient_id):
    patient = get_object_or_404(Patient, pk=patient_id)
    eligibility = _eligibility(kind, patient)
    context = {"patient": patient, "eligibility": eligibility, "kind": kind, "problems": [], "visits": []}
    if not eligibility.bookable:
        return context, None
    try:
        context["protocol"] = services.protocol_for(eligibility.indication)
    except services.BookingError as exc:
        context["refusal"] = str(exc)
        return context, None
    return context, context["protocol"]


def _maintenance_defaults(form, patient, protocol) -> dict:
    clinic = Clinic.get()
    data = form.cleaned_data if form.is_valid() else {}
    last = services.last_infusion(patient)
    suggested = booster_date(timezone.localtime(last).date(), weeks=clinic.maintenance_interval_weeks) if last else None
    first = data.get("first") or suggested or timezone.localdate()
    return {
        "count": data.get("count") or 1,
        "every_weeks": data.get("every_weeks") or clinic.maintenance_interval_weeks,
        "first": max(first, timezone.localdate()),
        "suggested": suggested,
    }


def _plan_page(request, kind, patient_id):
    context, protocol = _plan_context(request, kind, patient_id)
    form = (MaintenanceForm if kind == MAINTENANCE else PreferencesForm)(request.GET or None)
    context["form"] = form
    if protocol is None:
        status = 409 if not context["eligibility"].bookable or context.get("refusal") else 200
        return render(request, "infusions/plan.html", context, status=status)
    patient = context["patient"]
    now = timezone.now()
    params = _prefs_params(request, kind)
    if kind == MAINTENANCE:
        context["maintenance"] = _maintenance_defaults(form, patient, protocol)
        context["order"] = MaintenanceOrder.objects.open().filter(patient=patient).first()
        if context["order"] is None and not services.maintenance_allowed(patient):
            context["refusal"] = services.MAINTENANCE_NOT_YET
            return render(request, "infusions/plan.html", context, status=409)
    try:
        visits = _decode(request.GET.getlist("v"), protocol.chair_minutes)
    except ValueError:
        return HttpResponseBadRequest("Bad visit in the plan.")
    if not visits:
        if kind == SERIES:
            plan = selectors.propose_series(
                patient, protocol, earliest=form.earliest_date(), preferences=form.preferences(), now=now
            )
        else:
            m = context["maintenance"]
            plan = selectors.propose_maintenance(
                patient,
                protocol,
                first_date=m["first"],
                count=m["count"],
                every_weeks=m["every_weeks"],
                preferences=form.preferences(),
                now=now,
            )
        if not isinstance(plan, Plan):
            context["no_plan"] = plan.reason
            return render(request, "infusions/plan.html", context)
        visits = list(plan.visits)
    else:
        tz = selectors.clinic_tz()
        first, last = (v.start.astimezone(tz).date() for v in (visits[0], visits[-1]))
        schedule = selectors.clinic_schedule(first, last)
        context["problems"] = validate_plan(
            visits,
            schedule,
            rules=selectors.rules_for(protocol) if kind == SERIES else None,
            patient_busy=selectors.patient_busy(patient, first, last),
            block_minutes=protocol.chair_minutes,
        )
    chairs = dict(Chair.objects.values_list("id", "name"))
    pick = "infusions:book_pick" if kind == SERIES else "infusions:maintenance_pick"
    encoded = _encode(visits)
    context["visits"] = [
        {
            "number": n,
            "visit": visit,
            "chair": chairs.get(visit.chair_id, "?"),
            "change_url": reverse(pick, args=[patient.pk])
            + "?"
            + urlencode([*params, *(("v", v) for v in encoded), ("i", n - 1)]),
        }
        for n, visit in enumerate(visits, start=1)
    ]
    context["encoded"] = encoded
    context["params"] = params
    context["fresh_url"] = _plan_url(kind, patient, params)
    return render(request, "infusions/plan.html", context)


def _pick_page(request, kind, patient_id):
    """Other free times on one day for visit i of the plan being edited."""
    context, protocol = _plan_context(request, kind, patient_id)
    if protocol is None:
        return render(request, "infusions/plan.html", context, status=409)
    patient = context["patient"]
    try:
        visits = _decode(request.GET.getlist("v"), protocol.chair_minutes)
        index = int(request.GET.get("i", ""))
        current = visits[index]
    except (ValueError, IndexError):
        return HttpResponseBadRequest("Bad visit in the plan.")
    tz = selectors.clinic_tz()
    day_form = DayForm(request.GET)
    day = day_form.cleaned_data.get("date") if day_form.is_valid() else None
    day = day or current.start.astimezone(tz).date()
    others = [v for k, v in enumerate(visits) if k != index]
    free = selectors.free_times(
        patient, protocol, day, extra_busy=[(v.start, v.end) for v in others], now=timezone.now()
    )
    params = _prefs_params(request, kind)
    chairs = dict(Chair.objects.values_list("id", "name"))
    seen, options = set(), []
    for slot in free:  # first free chair (in chair order) for each start time
        if slot.start in seen:
            continue
        seen.add(slot.start)
        replaced = sorted([*others, Visit(slot.start, slot.end, slot.chair_id)], key=lambda v: v.start)
        options.append(
            {"slot": slot, "chair": chairs.get(slot.chair_id), "url": _plan_url(kind, patient, params, replaced)}
        )
    context.update(
        {
            "day": day,
            "number": index + 1,
            "current": current,
            "options": options,
            "day_form": DayForm(initial={"date": day}),
            "hidden": [*params, *(("v", v) for v in _encode(visits)), ("i", index)],
            "back_url": _plan_url(kind, patient, params, visits),
        }
    )
    return render(request, "infusions/pick.html", context)


def _confirm(request, kind, patient_id):
    patient = get_object_or_404(Patient, pk=patient_id)
    params = [
        (k, v)
        for k in ("earliest", "weekday", "part", "count", "every_weeks", "first")
        for v in request.POST.getlist(k)
        if v
    ]
    try:
        requests = [(v.start, v.chair_id) for v in _decode(request.POST.getlist("v"), 15)]
    except ValueError:
        return HttpResponseBadRequest("Bad visit in the plan.")
    try:
        if kind == SERIES:
            eligibility = booking_eligibility(patient)
            if not eligibility.bookable:
                raise services.NotBookable(eligibility.reason)
            protocol = services.protocol_for(eligibility.indication)
            series = services.series_book(patient=patient, protocol=protocol, visits=requests, by=request.user)
        else:
            series = services.maintenance_book(patient=patient, visits=requests, by=request.user)
    except services.SlotTaken:
        messages.error(request, "That time was just taken. Here is a fresh proposal.")
        return redirect(_plan_url(kind, patient, params))
    except services.BookingError as exc:
        messages.error(request, str(exc))
        query = urlencode([*params, *(("v", v) for v in request.POST.getlist("v"))])
        name = "infusions:book_plan" if kind == SERIES else "infusions:maintenance_plan"
        return redirect(reverse(name, args=[patient.pk]) + "?" + query)
    count = series.appointments.count()
    messages.success(request, f"Booked {count} visit{'s' if count != 1 else ''}.")
    return redirect("infusions:series", pk=series.pk)


@require(*BOOK)
def book_plan(request, patient_id):
    return _plan_page(request, SERIES, patient_id)


@require(*BOOK)
def book_pick(request, patient_id):
    return _pick_page(request, SERIES, patient_id)


@require_POST
@require(*BOOK)
def book_confirm(request, patient_id):
    return _confirm(request, SERIES, patient_id)


@require(*BOOK)
def maintenance_plan(request, patient_id):
    return _plan_page(request, MAINTENANCE, patient_id)


@require(*BOOK)
def maintenance_pick(request, patient_id):
    return _pick_page(request, MAINTENANCE, patient_id)


@require_POST
@require(*BOOK)
def maintenance_confirm(request, patient_id):
    return _confirm(request, MAINTENANCE, patient_id)


# --- The schedule ------------------------------------------------------------------------------


@require("infusions.view_appointment")
def day_view(request):
    form = DayForm(request.GET or None)
    day = form.day()
    context = selectors.day_schedule(day)
    context.update(
        {
            "day": day,
            "form": DayForm(initial={"date": day}),
            "prev": day - timedelta(days=1),
            "next": day + timedelta(days=1),
        }
    )
    return render(request, "infusions/day.html", context)


@require("infusions.view_appointment")
def week_view(request):
    day = DayForm(request.GET or None).day()
    monday = day - timedelta(days=day.weekday())
    context = selectors.week_schedule(monday)
    context.update(
        {
            "monday": monday,
            "form": DayForm(initial={"date": monday}),
            "prev": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
        }
    )
    return render(request, "infusions/week.html", context)


# --- A series and its visits ------------------------------------------------------------------


@require("infusions.view_infusionseries", "infusions.view_appointment")
def series_detail(request, pk):
    series = get_object_or_404(InfusionSeries.objects.select_related("patient", "protocol"), pk=pk)
    visits = reminders.with_reminders(series.appointments.select_related("chair").order_by("start", "id"))
    others = series.patient.series.exclude(pk=series.pk).order_by("-created_at")
    order = MaintenanceOrder.objects.open().filter(patient=series.patient).first()
    context = {"series": series, "visits": visits, "others": others, "order": order}
    return render(request, "infusions/series.html", context)


def _back_to_series(appointment):
    return redirect("infusions:series", pk=appointment.series_id)


@require_POST
@require(*CHANGE)
def visit_cancel(request, pk):
    appointment = get_object_or_404(Appointment, pk=pk)
    try:
        services.appointment_cancel(appointment=appointment, by=request.user)
        messages.success(request, "Visit cancelled.")
    except services.BookingError as exc:
        messages.error(request, str(exc))
    return _back_to_series(appointment)


@require_POST
@require(*CHANGE)
def visit_mark(request, pk):
    appointment = get_object_or_404(Appointment, pk=pk)
    try:
        services.appointment_mark(appointment=appointment, status=request.POST.get("status", ""), by=request.user)
        messages.success(request, "Visit updated.")
    except services.BookingError as exc:
        messages.error(request, str(exc))
    if request.POST.get("next") == "day":
        day = timezone.localtime(appointment.start).date()
        return redirect(reverse("infusions:day") + f"?date={day:%Y-%m-%d}")
    return redirect("infusions:series", pk=appointment.series_id)


@require_POST
@require(*CHANGE, "infusions.change_infusionseries")
def series_cancel_rest(request, pk):
    series = get_object_or_404(InfusionSeries, pk=pk)
    try:
        count = services.series_cancel_rest(series=series, by=request.user)
        messages.success(request, f"Cancelled the rest of the series ({count} visits).")
    except services.BookingError as exc:
        messages.error(request, str(exc))
    return redirect("infusions:series", pk=series.pk)


@require_POST
@require(*CHANGE, "infusions.change_infusionseries")
def series_complete(request, pk):
    series = get_object_or_404(InfusionSeries, pk=pk)
    try:
        services.series_complete(series=series, by=request.user)
        messages.success(request, "Series marked completed.")
    except services.BookingError as exc:
        messages.error(request, str(exc))
    return redirect("infusions:series", pk=series.pk)


@require(*CHANGE)
def visit_move(request, pk):
    """GET: free times on a day for this visit. POST: move it there (past the window needs a confirm)."""
    appointment = get_object_or_404(Appointment.objects.select_related("series__protocol", "patient", "chair"), pk=pk)
    protocol = appointment.series.protocol
    tz = selectors.clinic_tz()
    context = {"appointment": appointment}
    if request.method == "POST":
        try:
            start = datetime.fromtimestamp(int(request.POST.get("start", "")), tz=UTC)
            chair_id = int(request.POST.get("chair", ""))
        except ValueError:
            return HttpResponseBadRequest("Bad time or chair.")
        try:
            services.appointment_move(
                appointment=appointment,
                start=start,
                chair_id=chair_id,
                by=request.user,
                confirm_past_window=request.POST.get("confirm") == "1",
            )
        except services.NeedsConfirmation as exc:
            context["confirm"] = {"message": str(exc), "start": int(start.timestamp()), "chair": chair_id}
            context["confirm_when"] = start.astimezone(tz)
        except services.BookingError as exc:
            messages.error(request, str(exc))
            day = start.astimezone(tz).date()
            return redirect(reverse("infusions:visit_move", args=[pk]) + f"?date={day:%Y-%m-%d}")
        else:
            messages.success(request, "Visit moved.")
            return redirect("infusions:series", pk=appointment.series_id)
    form = DayForm(request.GET or None)
    day = (form.cleaned_data.get("date") if form.is_valid() else None) or appointment.start.astimezone(tz).date()
    free = selectors.free_times(appointment.patient, protocol, day, exclude_ids=[appointment.pk], now=timezone.now())
    chairs = dict(Chair.objects.values_list("id", "name"))
    seen, options = set(), []
    for slot in free:
        if slot.start not in seen:
            seen.add(slot.start)
            options.append({"slot": slot, "chair": chairs.get(slot.chair_id), "stamp": int(slot.start.timestamp())})
    context.update({"day": day, "options": options, "day_form": DayForm(initial={"date": day})})
    return render(request, "infusions/move.html", context)


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


@require("infusions.view_dose_sheet", "infusions.view_appointment")
def day_sheet(request, pk):
    appointment = get_object_or_404(Appointment.objects.select_related("series__protocol", "patient", "chair"), pk=pk)
    protocol, patient = appointment.series.protocol, appointment.patient
    dose_mg = _round(protocol.dose_mg_per_kg * patient.weight_kg, "0.1")
    volumes = [(mg_per_ml, _round(dose_mg / mg_per_ml, "0.01")) for mg_per_ml in VIALS_MG_PER_ML]
    context = {
        "appointment": appointment,
        "protocol": protocol,
        "patient": patient,
        "dose_mg": dose_mg,
        "volumes": volumes,
    }
    return render(request, "infusions/day_sheet.html", context)


@require("infusions.view_appointment", "intake.view_patient_contact")
def patient_calendar(request, patient_id):
    patient = get_object_or_404(Patient, pk=patient_id)
    visits = Appointment.objects.filter(patient=patient, status=Appointment.Status.SCHEDULED).order_by("start")
    response = HttpResponse(ics.calendar(visits, Clinic.get()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visits-{patient.pk}.ics"'
    return response


# --- A clinician's maintenance order ----------------------------------------------------------


class MaintenanceOrderForm(forms.Form):
    note = forms.CharField(
        label="Note for the front desk (optional)",
        max_length=200,
        required=False,
        help_text=MaintenanceOrder._meta.get_field("note").help_text,
    )


@require("infusions.view_maintenanceorder")
def maintenance_order(request, patient_id):
    """GET: the patient's open order, or (for a clinician) the form. POST: order maintenance."""
    patient = get_object_or_404(Patient, pk=patient_id)
    form = MaintenanceOrderForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not request.user.has_perm("infusions.add_maintenanceorder"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.maintenance_order(patient=patient, by=request.user, note=form.cleaned_data["note"])
            except services.BookingError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Maintenance ordered: front desk can now book it.")
            return redirect("infusions:maintenance_order", patient_id=patient.pk)
    orders = patient.maintenance_orders.select_related("ordered_by", "fulfilled_series")
    context = {
        "patient": patient,
        "form": form,
        "order": next((o for o in orders if o.is_open), None),
        "past": [o for o in orders if not o.is_open][:10],
        "eligibility": _eligibility(MAINTENANCE, patient),
    }
    return render(request, "infusions/maintenance_order.html", context, status=400 if form.errors else 200)


@require_POST
@require("infusions.change_maintenanceorder")
def maintenance_order_cancel(request, pk):
    order = get_object_or_404(MaintenanceOrder, pk=pk)
    try:
        services.maintenance_order_cancel(order=order, by=request.user)
        messages.success(request, "Maintenance order cancelled.")
    except services.BookingError as exc:
        messages.error(request, str(exc))
    return redirect("infusions:maintenance_order", patient_id=order.patient_id)
