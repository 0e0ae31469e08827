"""Outcomes across the course: recording the scores, the rules that act on them, the evaluation, the course page.

Scores come from the check-in (inside its transaction) and from the patient's own link; after each, `rules_apply`
runs the pure rules (`infusions.outcomes.rules`), so a score puts the patient in the clinicians' queue however it
arrives. The clinicians' acts check who acts (`@acts(*DECIDE)`); the patient's link acts with no `by`.
"""

import logging
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic import when as fmt
from clinic.context import clinic_context
from clinic.locations import check_works_at
from clinic.refusals import Refused
from clinic.roles import acts
from infusions.models import Appointment, InfusionSeries, OutcomeScore, SeriesEvaluation
from infusions.outcomes import rules as outcomes
from intake.models import OutcomeReview, SafetyAlert, Screening
from intake.questionnaires import QUESTIONNAIRES, score
from intake.services import safety_alert_from_patient

# What the course page's forms require (infusions.outcomes.views.course; a test keeps them equal); the check-in's
# scores what the check-in requires (infusions.infusion_day.services.KEEP).
DECIDE = (
    "intake.view_screening",
    "infusions.view_infusionseries",
    "infusions.order_dose",
    "infusions.add_maintenanceorder",
)
KEEP = ("infusions.view_infusionrecord", "infusions.view_appointment", "infusions.keep_infusion_record")

logger = logging.getLogger(__name__)


# --- Recording scores ------------------------------------------------------------------------------


def _total(measure: str, items) -> int:
    result = score(QUESTIONNAIRES[measure], items)
    if result is None:
        raise Refused(fields={measure: f"Answer every {QUESTIONNAIRES[measure].title} item."})
    return result.total


@acts(*KEEP)
def scores_from_check_in(record, *, by) -> list[OutcomeScore]:
    """The check-in's questionnaires as scores of its visit (inside the check-in's transaction)."""
    appointment = record.appointment
    check_works_at(by, appointment.chair.location_id)
    rows = [
        OutcomeScore(
            patient_id=appointment.patient_id,
            appointment=appointment,
            measure=measure,
            items=list(items),
            total=_total(measure, items),
            source=OutcomeScore.Source.CHECK_IN,
            taken_at=record.checked_in_at,
            recorded_by=by,
        )
        for measure, items in record.questionnaires.items()
        if items is not None and measure in QUESTIONNAIRES
    ]
    for row in rows:
        row._history_user = by
        row.save()
    return rows


def link_answers(appointment) -> dict[str, list[int]]:
    """What the patient answered by their link for this visit, by measure (for the check-in to confirm)."""
    rows = OutcomeScore.objects.filter(appointment=appointment, source=OutcomeScore.Source.PATIENT_LINK)
    return {row.measure: row.items for row in rows}


def score_from_link(*, appointment: Appointment, answers: dict[str, list[int]]) -> list[OutcomeScore]:
    """The patient's answers by their link, once per visit: a positive item 9 raises the clinicians' alert."""
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",)).select_related("chair__location").get(pk=appointment.pk)
        )
        if OutcomeScore.objects.filter(appointment=appointment, source=OutcomeScore.Source.PATIENT_LINK).exists():
            raise Refused("These questions were answered already. Thank you.")
        if appointment.status != Appointment.Status.SCHEDULED:  # cancelled or moved on meanwhile
            raise Refused("This link can no longer be used.")
        now = clinic_context(appointment.chair.location).now()
        rows = []
        try:
            for measure, items in answers.items():
                row = OutcomeScore(
                    patient_id=appointment.patient_id,
                    appointment=appointment,
                    measure=measure,
                    items=list(items),
                    total=_total(measure, items),
                    source=OutcomeScore.Source.PATIENT_LINK,
                    taken_at=now,
                )
                row.save()
                rows.append(row)
        except IntegrityError:
            raise Refused("These questions were answered already. Thank you.") from None
        phq9 = answers.get("phq9")
        if phq9 and int(phq9[8]) > 0:
            safety_alert_from_patient(
                patient=appointment.patient,
                source=SafetyAlert.Source.PATIENT_LINK,
                detail=f"PHQ-9 item 9 answered {int(phq9[8])} of 3 by the patient's link before visit "
                f"{appointment.sequence}.",
            )
        transaction.on_commit(lambda: rules_apply(patient_id=appointment.patient_id))
    logger.info("appointment %s: the patient answered by their link", appointment.pk)  # which measures is clinical
    return rows


# --- The course: points per measure -----------------------------------------------------------------


@dataclass(frozen=True)
class Course:
    """One measure across the patient's course: its baseline and its points in time order."""

    measure: str
    baseline: int | None
    points: list  # infusions.outcomes.rules.Point


def _baseline_screening(patient_id: int) -> Screening | None:
    """The screening the course is measured from: the newest one before the first infusion series."""
    first = InfusionSeries.objects.filter(patient_id=patient_id).order_by("created_at").values("created_at").first()
    screenings = Screening.objects.filter(patient_id=patient_id)
    if first:
        earlier = screenings.filter(screened_at__lte=first["created_at"]).order_by("-screened_at").first()
        if earlier:
            return earlier
    return screenings.order_by("screened_at").first()


def _baseline_total(screening: Screening | None, measure: str) -> int | None:
    if screening is None:
        return None
    entry = (screening.scores or {}).get(measure)
    return entry.get("total") if isinstance(entry, dict) else None


def courses(patient_id: int) -> dict[str, Course]:
    """Every measure the patient has scores for, with baseline and points (2 queries)."""
    screening = _baseline_screening(patient_id)
    rows = list(
        OutcomeScore.objects.filter(patient_id=patient_id)
        .select_related("appointment__series")
        .order_by("taken_at", "id")
    )
    measures = list(dict.fromkeys([*(m for m in ("phq9", "gad7") if _baseline_total(screening, m) is not None)]))
    measures += [row.measure for row in rows if row.measure not in measures]
    result = {}
    for measure in measures:
        points = []
        if screening is not None and _baseline_total(screening, measure) is not None:
            points.append(
                outcomes.Point(
                    at=screening.screened_at,
                    total=_baseline_total(screening, measure),
                    infusion_number=None,
                    phase="baseline",
                )
            )
        for row in rows:
            if row.measure != measure:
                continue
            appointment = row.appointment
            if row.source == OutcomeScore.Source.EVALUATION:
                phase, number = "evaluation", None
            elif appointment is None or appointment.series.kind == InfusionSeries.Kind.MAINTENANCE:
                # A maintenance booster, or the patient's two-weekly check-in by link (no visit).
                phase, number = "maintenance", None
            else:
                phase, number = "series", appointment.sequence if appointment else None
            points.append(outcomes.Point(at=row.taken_at, total=row.total, infusion_number=number, phase=phase))
        result[measure] = Course(measure, _baseline_total(screening, measure), points)
    return result


# --- Rules that act -----------------------------------------------------------------------------------


def _last_infusion(patient_id: int) -> date | None:
    last = (
        Appointment.objects.filter(patient_id=patient_id, status=Appointment.Status.COMPLETED)
        .select_related("chair__location")
        .order_by("-start")
        .first()
    )
    return clinic_context(last.chair.location).local_date(last.start) if last else None


def rules_apply(*, patient_id: int) -> list[OutcomeReview]:
    """Run the rules on the patient's course; open a review for each finding that has none open."""
    raised = []
    organisation = clinic_context().clinic
    for measure, course in courses(patient_id).items():
        if course.baseline is None:
            continue
        findings = [
            outcomes.early_non_response(QUESTIONNAIRES[measure], course.baseline, course.points),
            outcomes.loss_of_response(QUESTIONNAIRES[measure], course.baseline, course.points),
        ]
        for finding in findings:
            if (
                finding is None
                or OutcomeReview.objects.open().filter(patient_id=patient_id, code=finding.code).exists()
            ):
                continue
            review = OutcomeReview(
                patient_id=patient_id, code=finding.code, measure=measure, reason=finding.reason[:250]
            )
            if finding.code == OutcomeReview.Code.LOSS_OF_RESPONSE:
                last = _last_infusion(patient_id)
                if last is not None:
                    own = _own_interval(course, patient_id)
                    suggestion = outcomes.booster_suggestion(
                        last_infusion=last, own_interval_days=own, default_weeks=organisation.maintenance_interval_weeks
                    )
                    review.suggested_booster, review.suggestion_reason = suggestion.date, suggestion.reason[:200]
            try:
                with transaction.atomic():
                    review.save()
            except IntegrityError:  # another request raised the same review a moment ago
                continue
            raised.append(review)
            logger.info("outcome review %s raised", review.pk)  # ids only: what the rule found is clinical
    return raised


def _own_interval(course: Course, patient_id: int) -> int | None:
    """The patient's relapse interval from an earlier loss of response: only points before the last infusion
    count, so the loss being reviewed now is not its own precedent (the first loss gets the clinic's default).
    Days are counted in the clinic's time zone, not the database's UTC."""
    completed = Appointment.objects.filter(patient_id=patient_id, status=Appointment.Status.COMPLETED).select_related(
        "chair__location", "series"
    )
    last_series = completed.filter(series__kind=InfusionSeries.Kind.INITIAL).order_by("-start").first()
    last_any = completed.order_by("-start").first()
    if last_series is None or last_any is None:
        return None
    earlier = [point for point in course.points if point.at < last_any.start]
    return outcomes.relapse_interval_days(
        earlier,
        last_series_infusion=clinic_context(last_series.chair.location).local(last_series.start),
        measure=QUESTIONNAIRES[course.measure],
        baseline=course.baseline,
    )


@acts(*DECIDE)
def review_resolve(*, review: OutcomeReview, by, resolution: str) -> OutcomeReview:
    resolution = resolution.strip()
    if not resolution:
        raise Refused(fields={"resolution": "Say what was decided."})
    with transaction.atomic():
        review = OutcomeReview.objects.select_for_update().get(pk=review.pk)
        if review.resolved_at is not None:
            raise Refused("This review was already resolved.")
        review.resolved_at, review.resolved_by, review.resolution = clinic_context().now(), by, resolution[:250]
        review._history_user = by
        review.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return review


@acts(*DECIDE)
def review_order_booster(*, review: OutcomeReview, by):
    """The clinician's one step from a booster suggestion to a maintenance order the front desk books."""
    from infusions.booking import services

    with transaction.atomic():
        when = f" from {fmt.day(review.suggested_booster)}" if review.suggested_booster else ""
        order = services.maintenance_order(patient=review.patient, by=by, note=f"Booster{when}.")
        review_resolve(review=review, by=by, resolution=f"Booster ordered{when}.")
    return order


# --- The end-of-series evaluation -------------------------------------------------------------------


@acts(*DECIDE)
def series_evaluate(*, series: InfusionSeries, outcome: str, plan: str, note: str = "", by) -> SeriesEvaluation:
    """A prescriber records the series' outcome and the plan; maintenance opens the order the desk books."""
    from infusions.booking import services

    if outcome not in SeriesEvaluation.Outcome.values:
        raise Refused(fields={"outcome": "Choose the outcome."})
    if plan not in SeriesEvaluation.Plan.values:
        raise Refused(fields={"plan": "Choose the plan."})
    with transaction.atomic():
        series = InfusionSeries.objects.select_for_update().get(pk=series.pk)
        check_works_at(by, series.location_id)
        if series.kind != InfusionSeries.Kind.INITIAL:
            raise Refused("Only an initial series is evaluated.")
        if SeriesEvaluation.objects.filter(series=series).exists():
            raise Refused("This series was evaluated already.")
        evaluation = SeriesEvaluation(series=series, outcome=outcome, plan=plan, note=note.strip(), decided_by=by)
        evaluation._history_user = by
        evaluation.save()
        if plan == SeriesEvaluation.Plan.MAINTENANCE:
            try:
                services.maintenance_order(patient=series.patient, by=by, note="Maintenance after the series.")
            except Refused:
                pass  # an order is open already: the desk books from that one
    logger.info("series %s evaluated by user %s", series.pk, by.pk)
    return evaluation


# --- The course page ----------------------------------------------------------------------------------


def _label(point) -> str:
    """A chart point's label; a date is the page's (the current location's) local date."""
    if point.phase == "baseline":
        return "Baseline"
    if point.phase == "evaluation":
        return "Evaluation"
    shown = fmt.day_short(point.at, timezone.get_current_timezone())
    if point.phase == "maintenance":
        return f"Maintenance {shown}"
    return f"Inf {point.infusion_number}" if point.infusion_number else shown


def course_page(patient) -> dict:
    """Each measure's chart (with response and remission lines) and table, the series with their evaluation,
    and the open reviews (a fixed number of queries whatever the number of scores)."""
    from infusions.outcomes import charts

    measures = []
    for measure, course in courses(patient.pk).items():
        questionnaire = QUESTIONNAIRES[measure]
        points = [charts.ChartPoint(label=_label(p), total=p.total, kind=p.phase) for p in course.points]
        response_line = None
        if course.baseline:
            if questionnaire.response_fraction is not None:
                response_line = float(course.baseline * (1 - questionnaire.response_fraction))
            else:
                response_line = float(max(course.baseline - questionnaire.response_points, 0))
        latest = course.points[-1].total if course.points else None
        measures.append(
            {
                "measure": measure,
                "title": questionnaire.title,
                "chart": charts.course_chart(
                    title=questionnaire.title,
                    points=points,
                    max_total=questionnaire.max_total,
                    response_line=response_line,
                    remission_line=questionnaire.remission_below,
                    chart_id=f"chart-{measure}",
                ),
                "rows": charts.chart_rows(points),
                "baseline": course.baseline,
                "latest": latest,
                "change": outcomes.percent_change(course.baseline, latest)
                if course.baseline is not None and latest is not None
                else None,
                "responded": course.baseline is not None
                and latest is not None
                and outcomes.responded(questionnaire, course.baseline, latest),
                "remitted": latest is not None
                and questionnaire.remission_below is not None
                and outcomes.remitted(questionnaire, latest),
            }
        )
    series = list(
        InfusionSeries.objects.filter(patient=patient, kind=InfusionSeries.Kind.INITIAL)
        .select_related("location", "evaluation__decided_by")
        .order_by("-created_at")
    )
    reviews = list(OutcomeReview.objects.open().filter(patient=patient))
    return {"patient": patient, "measures": measures, "series": series, "reviews": reviews}
