"""Reads for the intake pages. Each uses a fixed number of queries, whatever the data."""

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clinic.models import Location
from intake.models import Flag, Intake, Patient, SafetyAlert, Screening


def _visits_on_hold(patient_ids) -> dict[int, int]:
    """Each patient's booked future visits, which wait on a decision (1 query; the patients with none left out).

    intake does not import infusions; the visits are read through the reverse relation infusions declares
    (Appointment.patient, related_name "appointments"), its "scheduled" status by value.
    """
    visits = Patient._meta.get_field("appointments").related_model.objects
    booked = visits.filter(patient_id__in=patient_ids, status="scheduled", start__gte=timezone.now())
    counts: dict[int, int] = {}
    for patient_id in booked.values_list("patient_id", flat=True):
        counts[patient_id] = counts.get(patient_id, 0) + 1
    return counts


def _compiled_awaiting(name: str, shape, location=None) -> tuple[str, list]:
    """The queue's rule (`_awaiting`, at `location` or everywhere) shaped by `shape` (a queryset -> queryset),
    as SQL compiled once per process, and this call's parameters: building the rule through the ORM (newest
    screening, flagged, no decision, ranked) cost about ten times running it."""
    from clinic.compiled import bind, compiled_query

    def build(location_id=None):
        return shape(_awaiting(None if location_id is None else Location(pk=location_id)))

    if location is None:
        sql, slots = compiled_query(name, build)
        return sql, bind(slots, {})
    sql, slots = compiled_query(f"{name}_at", build, location_id=-730_004)
    return sql, bind(slots, {"location_id": location.pk})


def urgent_count() -> int:
    """Urgent screenings waiting for a decision and open safety alerts (item 9 at a check-in): one number,
    the one the navigation and the queue show (1 query, counted afresh on every call: the navigation's badge
    on every page a clinician opens)."""
    from django.db import connection

    from clinic.compiled import bind, compiled_query

    cases, case_params = _compiled_awaiting("urgent_cases", lambda q: q.filter(urgent=True).order_by().values("pk"))
    alerts, alert_slots = compiled_query("open_alerts", lambda: SafetyAlert.objects.open().order_by().values("pk"))
    sql = f"SELECT (SELECT COUNT(*) FROM ({cases}) AS cases), (SELECT COUNT(*) FROM ({alerts}) AS alerts)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*case_params, *bind(alert_slots, {})])
        cases_count, alerts_count = cursor.fetchone()
    return int(cases_count) + int(alerts_count)


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


def _for_the_queue(screenings: QuerySet[Screening]) -> QuerySet[Screening]:
    """The cases with patient and flags (2 queries). Only what the queue shows: not the answers and scores (JSON
    decoded row by row), nor the flags' reasons and sources (the case page has those)."""
    flags = Flag.objects.only("id", "screening_id", "position", "code", "severity").order_by("position")
    return (
        screenings.defer("answers", "scores")
        .select_related("patient")
        .prefetch_related(Prefetch("flags", queryset=flags))
    )


# A clinician works the queue from the top; 25 rows keep each page as light as the other lists.
QUEUE_PAGE_SIZE = 25


def review_queue_counts(location=None) -> dict[str, int]:
    """How many cases wait for a decision, and how many of them are urgent (1 query, compiled once per process
    like the navigation's: building the queue's query through the ORM cost more than running it)."""
    from django.db import connection

    inner, params = _compiled_awaiting("queue_counts", lambda q: q.order_by().values("urgent"), location)
    urgent = connection.ops.quote_name("urgent")
    sql = f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {urgent} THEN 1 ELSE 0 END), 0) FROM ({inner}) AS waiting"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        total, urgent_cases = cursor.fetchone()
    return {"total": int(total), "urgent": int(urgent_cases)}


def review_queue_page(number, *, counts: dict[str, int], location=None) -> Page:
    """One page of the review queue, in queue order, each case with `visits_on_hold`, the patient's booked
    future visits now waiting on the decision (4 queries: the page's case ids in queue order, the cases with
    their patients, their flags, and the visits on hold of the page's patients only: counting those for the
    whole queue before picking a page cost more than the page).

    The ids' query, the queue's whole rule (newest screening, flagged, no decision, urgent first, then by
    outcome), is compiled once per process like the counts; the cases are then read by id.

    `counts` is `review_queue_counts()`: its total sizes the paginator, so the page links cost no
    second COUNT. An out-of-range or malformed page number gives the nearest page, as
    `Paginator.get_page` does.
    """
    from django.db import connection

    # The paginator only numbers the pages: sized from the one counting query, its rows chosen below.
    page = Paginator(range(counts["total"]), QUEUE_PAGE_SIZE).get_page(number)
    ordered, params = _compiled_awaiting("queue_ids", lambda q: q.values("pk"), location)
    offset = page.start_index() - 1 if counts["total"] else 0
    with connection.cursor() as cursor:
        cursor.execute(f"{ordered} LIMIT %s OFFSET %s", [*params, QUEUE_PAGE_SIZE, offset])
        ids = [row[0] for row in cursor.fetchall()]
    by_id = {case.pk: case for case in _for_the_queue(Screening.objects.filter(pk__in=ids))} if ids else {}
    page.object_list = cases = [by_id[pk] for pk in ids if pk in by_id]
    on_hold = _visits_on_hold({case.patient_id for case in cases}) if cases else {}
    for case in cases:
        case.visits_on_hold = on_hold.get(case.patient_id, 0)
    return page


# The intake pages' loaders (an id in an address -> the row, or 404). Organisation-wide on purpose: patients
# belong to the organisation, and coordinators and clinicians find and review them across it, whatever
# location they work at. The pages about a location's visits load through infusions.access instead.


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


def intake_get(intake_id: int) -> Intake:
    return get_object_or_404(Intake.objects.select_related("patient"), pk=intake_id)


def alert_get(alert_id: int) -> SafetyAlert:
    return get_object_or_404(SafetyAlert, pk=alert_id)


def intake_newest_screening_id(intake_id: int) -> int | None:
    return Screening.objects.filter(intake_id=intake_id).order_by("-id").values_list("id", flat=True).first()
