"""The infusion day: a visit's chair-side record (nurses and prescribers) and the infusion room of a location.

Each step is a POST that parses its form and calls one `infusions.infusion_day.services` service; a refusal about a
value is shown next to its field on the record page with everything typed kept (status 400).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.feedback import attempt
from clinic.locations import current_location
from clinic.roles import may, require
from infusions.access import load_visit
from infusions.booking.forms import ScheduleDayForm
from infusions.infusion_day import forms as record_forms
from infusions.infusion_day import selectors as record_selectors
from infusions.infusion_day import services as visit_record
from infusions.models import InfusionRecord
from infusions.outcomes import course
from intake.models import Screening
from intake.questionnaire_forms import QuestionnaireFields
from intake.questionnaires import QUESTIONNAIRES, measures_for
from intake.services import record_access_log

VIEW = ("infusions.view_infusionrecord", "infusions.view_appointment")
KEEP = (*VIEW, "infusions.keep_infusion_record")
ORDER = (*VIEW, "infusions.order_dose")


def check_in_measures(appointment) -> tuple[str, ...]:
    """PHQ-9 and the measure that fits the indication of the patient's newest screening (1 query)."""
    indication = (
        Screening.objects.filter(patient_id=appointment.patient_id)
        .order_by("-screened_at", "-id")
        .values_list("intake__indication", flat=True)
        .first()
    )
    try:
        return measures_for(indication) if indication else ("phq9",)
    except ValueError:
        return ("phq9",)


def _forms(page: dict) -> dict:
    record, protocol = page.get("record"), page["protocol"]
    measures = check_in_measures(page["appointment"])
    check_in = {"weight_kg": page["appointment"].patient.weight_kg}
    from_link = course.link_answers(page["appointment"]) if record is None else {}
    for measure, items in from_link.items():  # the patient's answers by their link, for the nurse to confirm
        if measure in measures:  # the questionnaires the check-in asks
            check_in.update(QuestionnaireFields(QUESTIONNAIRES[measure]).initial(items))
    return {
        "prefilled_from_link": bool(from_link),
        "checkin_form": record_forms.CheckInForm(initial=check_in, prefix="checkin", measures=measures),
        "gate_form": record_forms.GateForm(prefix="gate"),
        "recheck_form": record_forms.RecheckForm(
            initial={
                "fasting_kept": getattr(record, "fasting_kept", False),
                "escort_name": getattr(record, "escort_name", ""),
                "escort_phone": getattr(record, "escort_phone", ""),
            },
            prefix="recheck",
        ),
        "defer_form": record_forms.DeferForm(prefix="defer"),
        "order_form": record_forms.DoseOrderForm(
            initial={"mg_per_kg": protocol.dose_mg_per_kg, "vial_mg_per_ml": 50, "bag_ml": 100}, prefix="order"
        ),
        "reading_form": record_forms.ReadingForm(prefix="reading"),
        "event_form": record_forms.AdverseEventForm(prefix="event"),
        "end_form": record_forms.EndInfusionForm(
            initial={"dose_given_mg": record.dose_mg if record else None}, prefix="end"
        ),
        "discharge_form": record_forms.DischargeForm(
            prefix="discharge", aftercare_url=_aftercare_url(page["appointment"])
        ),
        "decision_form": record_forms.DischargeDecisionForm(prefix="decision"),
        "amend_form": record_forms.AmendmentForm(prefix="amend"),
    }


def _aftercare_url(appointment) -> str:
    return reverse("infusions:record_aftercare", args=[appointment.pk])


def _render(request, appointment, *, bound: dict | None = None, status: int = 200):
    page = record_selectors.record_page(appointment)
    page.update(_forms(page))
    page.update(bound or {})
    page["may_keep"] = may(request.user, *KEEP)
    page["may_order"] = may(request.user, *ORDER)
    record_access_log(by=request.user, patient_id=appointment.patient_id, view="infusion record")
    return render(request, "infusions/infusion_day/record.html", page, status=status)


@require(*VIEW)
def record(request, pk):
    appointment = load_visit(request, pk, "series__protocol", "patient")
    return _render(request, appointment)


@require(*VIEW)
def record_print(request, pk):
    """The signed record as a referring provider reads it (the browser's print view)."""
    appointment = load_visit(request, pk, "series__protocol", "patient")
    page = record_selectors.record_page(appointment)
    if page["record"] is None:
        raise Http404("No record for this visit yet.")
    record_access_log(by=request.user, patient_id=appointment.patient_id, view="infusion record (print)")
    return render(request, "infusions/infusion_day/record_print.html", page)


def _step(request, pk, *, form_class, prefix, service, arguments, success, needs_record=True, form_kwargs=None):
    """Parse the step's form and call its service (`clinic.feedback.attempt`) with `arguments(appointment, record,
    form)`: a refusal about a value is shown next to its field, everything typed kept (400); any other refusal,
    and success, as a message on the record page."""
    appointment = load_visit(request, pk, "series__protocol", "patient")
    record = InfusionRecord.objects.filter(appointment=appointment).first()
    if needs_record and record is None:
        messages.error(request, "Check the patient in first.")
        return redirect("infusions:record", pk=pk)
    kwargs = form_kwargs(appointment) if form_kwargs else {}
    form = form_class(request.POST, prefix=prefix, **kwargs) if form_class else None
    if form is None or form.is_valid():
        done = attempt(request, service, form=form, success=success, **arguments(appointment, record, form))
        if not done.bound:
            return redirect(reverse("infusions:record", args=[pk]) + f"#{prefix}")
    return _render(request, appointment, bound={f"{prefix}_form": form}, status=400)


@require_POST
@require(*KEEP)
def check_in(request, pk):
    return _step(
        request,
        pk,
        form_class=record_forms.CheckInForm,
        prefix="checkin",
        needs_record=False,
        form_kwargs=lambda appointment: {"measures": check_in_measures(appointment)},
        service=visit_record.record_check_in,
        arguments=lambda a, r, f: {"appointment": a, "values": f.values()},
        success="Checked in.",
    )


@require_POST
@require(*ORDER)
def release_gate(request, pk):
    return _step(
        request,
        pk,
        form_class=record_forms.GateForm,
        prefix="gate",
        service=visit_record.record_release_gate,
        arguments=lambda a, r, f: {"record": r, "gate": f.cleaned_data["gate"], "note": f.cleaned_data["note"]},
        success="Decision recorded.",
    )


@require_POST
@require(*KEEP)
def recheck(request, pk):
    return _step(
        request,
        pk,
        form_class=record_forms.RecheckForm,
        prefix="recheck",
        service=visit_record.record_recheck,
        arguments=lambda a, r, f: {"record": r, **f.cleaned_data},
        success="Re-check recorded beside the check-in.",
    )


@require_POST
@require(*KEEP)
def defer(request, pk):
    return _step(
        request,
        pk,
        form_class=record_forms.DeferForm,
        prefix="defer",
        service=visit_record.record_defer,
        arguments=lambda a, r, f: {"record": r, "reason": f.cleaned_data["reason"]},
        success="Deferred: the front desk rebooks this visit.",
    )


@require_POST
@require(*ORDER)
def order_dose(request, pk):
    return _step(
        request,
        pk,
        form_class=record_forms.DoseOrderForm,
        prefix="order",
        service=visit_record.record_order_dose,
        arguments=lambda a, r, f: {"record": r, **f.cleaned_data},
        success="Dose ordered.",
    )


@require_POST
@require(*KEEP)
def start(request, pk):
    return _step(
        request,
        pk,
        form_class=None,
        prefix="start",
        service=visit_record.record_start,
        arguments=lambda a, r, f: {"record": r},
        success="Infusion started.",
    )


@require_POST
@require(*KEEP)
def add_reading(request, pk):
    return _step(
        request,
        pk,
        form_class=record_forms.ReadingForm,
        prefix="reading",
        service=visit_record.record_add_reading,
        arguments=lambda a, r, f: {"record": r, "values": f.values()},
        success="Reading recorded.",
    )


@require_POST
@require(*KEEP)
def add_event(request, pk):
    return _step(
        request,
        pk,
        form_class=record_forms.AdverseEventForm,
        prefix="event",
        service=visit_record.record_add_adverse_event,
        arguments=lambda a, r, f: {"record": r, "values": f.values()},
        success="Adverse event recorded.",
    )


@require_POST
@require(*KEEP)
def end_infusion(request, pk):
    return _step(
        request,
        pk,
        form_class=record_forms.EndInfusionForm,
        prefix="end",
        service=visit_record.record_end_infusion,
        arguments=lambda a, r, f: {"record": r, **f.cleaned_data},
        success="Infusion ended: observation.",
    )


@require_POST
@require(*KEEP)
def ready_for_pickup(request, pk):
    return _step(
        request,
        pk,
        form_class=None,
        prefix="ready",
        service=visit_record.record_ready_for_pickup,
        arguments=lambda a, r, f: {"record": r},
        success="Ready for pickup.",
    )


@require_POST
@require(*ORDER)
def discharge_decision(request, pk):
    return _step(
        request,
        pk,
        form_class=record_forms.DischargeDecisionForm,
        prefix="decision",
        service=visit_record.record_discharge_decision,
        arguments=lambda a, r, f: {"record": r, "note": f.cleaned_data["note"]},
        success="Discharge decision recorded.",
    )


@require_POST
@require(*KEEP)
def discharge(request, pk):
    """Discharge by the checklist; a refusal (observation, an unticked item, the readings) is shown next to the
    checklist with its ticks kept (400)."""
    return _step(
        request,
        pk,
        form_class=record_forms.DischargeForm,
        prefix="discharge",
        form_kwargs=lambda appointment: {"aftercare_url": _aftercare_url(appointment)},
        service=visit_record.record_discharge,
        arguments=lambda a, r, f: {"record": r, "checklist": f.cleaned_data["checklist"]},
        success="Discharged: the visit is completed and the record signed.",
    )


@require(*VIEW)
def aftercare(request, pk):
    """The written after-care instructions, printed and handed to the patient at discharge (the same words the
    patient is sent as they consented: `infusions.reminders.aftercare`)."""
    appointment = load_visit(request, pk, "series__protocol", "patient")
    if not InfusionRecord.objects.filter(appointment=appointment).exists():
        raise Http404("No record for this visit yet.")
    record_access_log(by=request.user, patient_id=appointment.patient_id, view="after-care instructions")
    return render(request, "infusions/infusion_day/aftercare.html", record_selectors.aftercare_page(appointment))


@require_POST
@require(*KEEP)
def amend(request, pk):
    return _step(
        request,
        pk,
        form_class=record_forms.AmendmentForm,
        prefix="amend",
        service=visit_record.record_amend,
        arguments=lambda a, r, f: {"record": r, **f.cleaned_data},
        success="Amendment added.",
    )


# --- The infusion room --------------------------------------------------------------------------


def _room_context(request):
    form = ScheduleDayForm(request.GET or None)
    context = record_selectors.room(current_location(request), form.day())
    context["show_readings"] = may(request.user, "infusions.view_infusionrecord")
    return context


@require("infusions.view_infusion_stage", "infusions.view_appointment")
def room(request):
    """Every chair of the current location with its patient, stage and timer; refreshes itself (htmx)."""
    return render(request, "infusions/infusion_day/room.html", _room_context(request))


@require("infusions.view_infusion_stage", "infusions.view_appointment")
def room_board(request):
    """The room's board alone: what the page fetches every 30 seconds."""
    return render(request, "infusions/infusion_day/_room_board.html", _room_context(request))


# --- The prescriber's list ----------------------------------------------------------------------


@require(*ORDER)
def prescriber_list(request):
    """Today's patients at the current location waiting for a prescriber: a BP decision, an item-9 follow-up, a
    dose order; each links to the visit's record, where the prescriber acts."""
    location = current_location(request)
    context = record_selectors.prescriber_list(location)
    request.prescriber_count = len(context["rows"])  # the navigation's badge: counted here already
    return render(request, "infusions/infusion_day/prescriber_list.html", context)


@require("infusions.view_dose_sheet", "infusions.view_appointment")
def day_sheet(request, pk):
    appointment = load_visit(request, pk, "series__protocol", "patient")
    return render(request, "infusions/infusion_day/day_sheet.html", record_selectors.day_sheet(appointment))
