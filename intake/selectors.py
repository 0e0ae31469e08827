"""Reads for the intake pages. Each uses a fixed number of queries, whatever the data."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from intake.models import Flag, Intake, Patient, SafetyAlert, Screening


def _with_visits_on_hold(screenings: QuerySet[Screening]) -> QuerySet[Screening]:
    """Annotate `visits_on_hold`: the patient's booked future visits, which wait on this decision.

    intake does not import infusions; the count is read through the reverse relation infusions
    declares (Appointment.patient, related_name "appointments"), its "scheduled" status by value.
    """
    booked = Q(patient__appointments__status="scheduled", patient__appointments__start__gte=timezone.now())
    return screenings.annotate(visits_on_hold=Count("patient__appointments", filter=booked, distinct=True))


def urgent_count() -> int:
    """Urgent screenings waiting for a decision and open safety alerts (item 9 at a check-in): one number,
    the one the navigation and the queue show (2 queries)."""
    return Screening.objects.awaiting_review().filter(urgent=True).count() + SafetyAlert.objects.open().count()


def open_alerts() -> list[SafetyAlert]:
    """Open safety alerts, oldest first, with their patients (1 query)."""
    return list(SafetyAlert.objects.open().select_related("patient"))


def _awaiting(location=None) -> QuerySet[Screening]:
    """Cases waiting for a decision; with `location`, those whose intake was taken there."""
    cases = Screening.objects.awaiting_review()
    return cases if location is None else cases.filter(intake__location=location)


def open_outcome_reviews() -> list:
    """Patients the outcome rules put in the queue (early non-response, loss of response), oldest first (1 query)."""
    from intake.models import OutcomeReview

    return list(OutcomeReview.objects.open().select_related("patient"))


def review_queue(location=None) -> QuerySet[Screening]:
    """Flagged cases waiting for a decision, in queue order, with patient, flags and the patient's
    booked visits now on hold (2 queries). Only what the queue shows: not the answers and scores
    (JSON decoded row by row), nor the flags' reasons and sources (the case page has those)."""
    flags = Flag.objects.only("id", "screening_id", "position", "code", "severity").order_by("position")
    return _with_visits_on_hold(
        _awaiting(location)
        .defer("answers", "scores")
        .select_related("patient")
        .prefetch_related(Prefetch("flags", queryset=flags))
    )


# A clinician works the queue from the top; 25 rows keep each page as light as the other lists.
QUEUE_PAGE_SIZE = 25


def review_queue_counts(location=None) -> dict[str, int]:
    """How many cases wait for a decision, and how many of them are urgent (1 query)."""
    return _awaiting(location).aggregate(total=Count("pk"), urgent=Count("pk", filter=Q(urgent=True)))


def review_queue_page(number, *, counts: dict[str, int], location=None) -> Page:
    """One page of the review queue, in queue order (2 queries: the cases, their flags).

    `counts` is `review_queue_counts()`: its total sizes the paginator, so the page links cost no
    second COUNT. An out-of-range or malformed page number gives the nearest page, as
    `Paginator.get_page` does.
    """
    paginator = Paginator(review_queue(location), QUEUE_PAGE_SIZE)
    paginator.count = counts["total"]  # the cached_property, filled from the one counting query
    return paginator.get_page(number)


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
