"""The clinicians' course page: a patient's scores across the series and maintenance, the end-of-series
evaluation, and the reviews the outcome rules raised (with a booster suggestion turned into an order)."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clinic.feedback import attempt
from clinic.locations import user_locations
from clinic.roles import require
from infusions.access import load_patient, load_review, load_series
from infusions.outcomes import course
from intake.services import record_access_log

VIEW = ("intake.view_screening", "infusions.view_infusionseries")
DECIDE = (*VIEW, "infusions.order_dose", "infusions.add_maintenanceorder")


@require(*VIEW)
def course_view(request, patient_id):
    patient = load_patient(request, patient_id)
    record_access_log(by=request.user, patient_id=patient.pk, view="course")
    context = course.course_page(patient)
    context["outcomes"] = course.SeriesEvaluation.Outcome.choices
    context["plans"] = course.SeriesEvaluation.Plan.choices
    context["my_location_ids"] = {location.pk for location in user_locations(request.user)}  # evaluate there only
    return render(request, "infusions/outcomes/course.html", context)


@require_POST
@require(*DECIDE)
def evaluate(request, series_id):
    series = load_series(request, series_id)
    attempt(
        request,
        course.series_evaluate,
        series=series,
        outcome=request.POST.get("outcome", ""),
        plan=request.POST.get("plan", ""),
        note=request.POST.get("note", ""),
        success="Evaluation recorded.",
    )
    return redirect("infusions:course", patient_id=series.patient_id)


@require_POST
@require(*DECIDE)
def review_booster(request, pk):
    """A refusal (an order open already, the review resolved meanwhile) is shown as it is; anything else is an
    error, not a message."""
    review = load_review(request, pk)
    attempt(request, course.review_order_booster, review=review, success="Booster ordered: the front desk books it.")
    return redirect("infusions:course", patient_id=review.patient_id)


@require_POST
@require(*DECIDE)
def review_resolve(request, pk):
    review = load_review(request, pk)
    resolution = request.POST.get("resolution", "")
    attempt(request, course.review_resolve, review=review, resolution=resolution, success="Review resolved.")
    return redirect("infusions:course", patient_id=review.patient_id)
