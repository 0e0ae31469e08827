"""Maintenance orders: a clinician orders booster visits for a patient, or cancels an open order.

Front desk sees open orders only.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clinic.feedback import attempt
from clinic.roles import may, require
from infusions.access import load_order, load_patient
from infusions.booking import services
from infusions.booking.forms import MaintenanceOrderForm


@require("infusions.view_maintenanceorder")
def maintenance_order(request, patient_id):
    """GET: the patient's open order, or (for a clinician) the form. POST: order maintenance."""
    patient = load_patient(request, patient_id)
    form = MaintenanceOrderForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may(request.user, "infusions.add_maintenanceorder"):
            raise PermissionDenied
        if form.is_valid():
            note, ordered = form.cleaned_data["note"], "Maintenance ordered: front desk can now book it."
            done = attempt(request, services.maintenance_order, form=form, patient=patient, note=note, success=ordered)
            if not done.bound:  # a refusal about the note is shown next to it, with what was typed
                return redirect("infusions:maintenance_order", patient_id=patient.pk)
    context = {"patient": patient, "form": form, **services.maintenance_order_page(patient=patient)}
    return render(request, "infusions/booking/maintenance_order.html", context, status=400 if form.errors else 200)


@require_POST
@require("infusions.change_maintenanceorder")
def maintenance_order_cancel(request, pk):
    order = load_order(request, pk)
    attempt(request, services.maintenance_order_cancel, order=order, success="Maintenance order cancelled.")
    return redirect("infusions:maintenance_order", patient_id=order.patient_id)
