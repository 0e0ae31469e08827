"""Reads for the intake pages. Each uses a fixed number of queries, whatever the data."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from intake.models import Flag, Intake, Patient, Screening


def review_queue() -> QuerySet[Screening]:
    """Flagged cases waiting for a decision, in queue order, with patient and flags (2 queries)."""
    return (
        Screening.objects.awaiting_review()
        .select_related("patient")
        .prefetch_related(Prefetch("flags", queryset=Flag.objects.order_by("position")))
    )


def screening_get(screening_id: int) -> Screening:
    """One screening with everything its page shows, or 404."""
    return get_object_or_404(
        Screening.objects.select_related("patient", "intake", "intake__taken_by", "screened_by", "decision")
        .select_related("decision__decided_by")
        .prefetch_related(Prefetch("flags", queryset=Flag.objects.order_by("position"))),
        pk=screening_id,
    )


def patient_screenings(patient_id: int) -> list[Screening]:
    """Every screening of a patient, newest first, with flags and decisions; each but the newest is
    marked `superseded` (a newer screening replaced it, so it is no longer waiting for review)."""
    screenings = list(
        Screening.objects.filter(patient_id=patient_id)
        .select_related("decision", "decision__decided_by", "screened_by")
        .prefetch_related(Prefetch("flags", queryset=Flag.objects.order_by("position")))
        .order_by("-id")
    )
    for position, screening in enumerate(screenings):
        screening.superseded = position > 0
    return screenings


def patient_intakes(patient_id: int) -> list[Intake]:
    return list(Intake.objects.filter(patient_id=patient_id).select_related("taken_by").order_by("-id"))


def patient_get(patient_id: int) -> Patient:
    return get_object_or_404(Patient, pk=patient_id)


def intake_newest_screening_id(intake_id: int) -> int | None:
    return Screening.objects.filter(intake_id=intake_id).order_by("-id").values_list("id", flat=True).first()
