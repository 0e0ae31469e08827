"""Outcome reports: every figure of one location and date range, for clinicians and the staff admin.

The database does the counting (conditional `Count`s over correlated subqueries), so a report takes three queries
whatever the number of patients. `DEFINITIONS` says what each figure means and the page shows it under the table,
so the words and the code that counts sit side by side.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate

from clinic.context import clinic_context
from infusions.models import Appointment, InfusionSeries, SeriesEvaluation
from intake.models import OutcomeReview

# Drop-out is counted after 0, 1, ... DROP_OUT_BUCKETS - 1 completed infusions, then "or more".
DROP_OUT_BUCKETS = 6

DEFINITIONS = (
    (
        "Dates",
        "The location's local calendar dates, first and last included. A series belongs to the range of its first "
        "visit (the earliest visit not cancelled).",
    ),
    ("Series started", "Initial series at this location whose first visit falls in the range."),
    ("Completed", "Of the series started, those marked completed."),
    ("In progress", "Of the series started, those still active: not counted as drop-outs."),
    (
        "Drop-out after N infusions",
        "Of the series started, those stopped (cancelled) before completion, by how many of their infusions "
        "were completed.",
    ),
    (
        "Response, remission",
        "From the prescriber's end-of-series evaluation: a remitter counts as a response and as a remission, a "
        "responder as a response. A series without an evaluation is counted as not evaluated.",
    ),
    (
        "Median days to loss of response",
        "For each patient with a loss-of-response review raised in the range (their first one in the range): "
        "calendar days from their last completed infusion of an initial series before it to the review. Counted "
        "at the location of that series; the median is the middle value, or the mean of the middle two.",
    ),
    (
        "Boosters per patient",
        "Completed maintenance visits at this location in the range, divided by the number of patients who had any.",
    ),
)


@dataclass(frozen=True)
class Figure:
    """One line of the report: what, how many, and its share of the series started when that means something."""

    label: str
    value: int | float | None
    percent_of_started: int | None = None

    @property
    def shown(self) -> str:
        if self.value is None:
            return "–"
        if isinstance(self.value, float):
            return f"{round(self.value, 1):g}"  # 26, 26.5, 1.3
        return str(self.value)


@dataclass(frozen=True)
class OutcomeReport:
    location: object  # clinic.models.Location
    first: date
    last: date
    started: int
    completed: int
    in_progress: int
    dropped_out_after: tuple[int, ...]  # index n: stopped after n completed infusions; the last: that many or more
    remitters: int
    responders: int  # responders who did not remit
    non_responders: int
    not_evaluated: int
    loss_of_response_days: tuple[int, ...]  # one per patient, in ascending order
    booster_visits: int
    booster_patients: int

    @property
    def dropped_out(self) -> int:
        return sum(self.dropped_out_after)

    @property
    def response(self) -> int:
        return self.remitters + self.responders

    @property
    def remission(self) -> int:
        return self.remitters

    @property
    def loss_of_response_patients(self) -> int:
        return len(self.loss_of_response_days)

    @property
    def median_days_to_loss_of_response(self) -> float | None:
        return float(statistics.median(self.loss_of_response_days)) if self.loss_of_response_days else None

    @property
    def boosters_per_patient(self) -> float | None:
        return self.booster_visits / self.booster_patients if self.booster_patients else None

    def _percent(self, count: int) -> int | None:
        return round(100 * count / self.started) if self.started else None

    def figures(self) -> list[Figure]:
        """The report's lines in order: what the page's table and the CSV both show."""
        share = self._percent
        lines = [
            Figure("Series started", self.started),
            Figure("Completed", self.completed, share(self.completed)),
            Figure("In progress", self.in_progress, share(self.in_progress)),
            Figure("Dropped out", self.dropped_out, share(self.dropped_out)),
        ]
        for number, count in enumerate(self.dropped_out_after):
            more = " or more" if number == DROP_OUT_BUCKETS else ""
            noun = "infusion" if number == 1 and not more else "infusions"
            lines.append(Figure(f"Dropped out after {number}{more} {noun}", count, share(count)))
        lines += [
            Figure("Response at the end of the series", self.response, share(self.response)),
            Figure("Remission at the end of the series", self.remission, share(self.remission)),
            Figure("Non-response at the end of the series", self.non_responders, share(self.non_responders)),
            Figure("Not evaluated", self.not_evaluated, share(self.not_evaluated)),
            Figure("Patients with a loss of response", self.loss_of_response_patients),
            Figure("Median days to loss of response", self.median_days_to_loss_of_response),
            Figure("Completed booster visits", self.booster_visits),
            Figure("Patients with a booster", self.booster_patients),
            Figure("Boosters per patient", self.boosters_per_patient),
        ]
        return lines


def _series_figures(location, start, end) -> dict[str, int]:
    """The initial series whose first visit is in [start, end), counted in one query."""
    visits = Appointment.objects.filter(series=OuterRef("pk")).order_by()
    first_visit = visits.exclude(status=Appointment.Status.CANCELLED).order_by("start").values("start")[:1]
    completed_visits = (
        visits.filter(status=Appointment.Status.COMPLETED).values("series").annotate(n=Count("pk")).values("n")
    )
    started = (
        InfusionSeries.objects.filter(location=location, kind=InfusionSeries.Kind.INITIAL)
        .annotate(
            first_visit=Subquery(first_visit),
            done=Coalesce(Subquery(completed_visits, output_field=IntegerField()), 0),
        )
        .filter(first_visit__gte=start, first_visit__lt=end)
        .order_by()
    )
    stopped = Q(status=InfusionSeries.Status.CANCELLED)
    outcome = "evaluation__outcome"
    buckets = {f"after_{n}": Count("pk", filter=stopped & Q(done=n)) for n in range(DROP_OUT_BUCKETS)}
    buckets[f"after_{DROP_OUT_BUCKETS}"] = Count("pk", filter=stopped & Q(done__gte=DROP_OUT_BUCKETS))
    return started.aggregate(
        started=Count("pk"),
        completed=Count("pk", filter=Q(status=InfusionSeries.Status.COMPLETED)),
        in_progress=Count("pk", filter=Q(status=InfusionSeries.Status.ACTIVE)),
        remitters=Count("pk", filter=Q(**{outcome: SeriesEvaluation.Outcome.REMITTER})),
        responders=Count("pk", filter=Q(**{outcome: SeriesEvaluation.Outcome.RESPONDER})),
        non_responders=Count("pk", filter=Q(**{outcome: SeriesEvaluation.Outcome.NON_RESPONDER})),
        not_evaluated=Count("pk", filter=Q(evaluation__isnull=True)),
        **buckets,
    )


def _loss_of_response_days(location, start, end) -> tuple[int, ...]:
    """Per patient, local days from the last completed initial-series infusion to the first loss-of-response
    review raised in [start, end); computed by the database, returned in one query. A patient counts at the
    location of that infusion's series, and not at all without one. The median is taken in Python
    (`OutcomeReport.median_days_to_loss_of_response`): neither SQLite nor Django has a portable MEDIAN."""
    tz = location.tz
    reviews = OutcomeReview.objects.filter(
        code=OutcomeReview.Code.LOSS_OF_RESPONSE, raised_at__gte=start, raised_at__lt=end
    )
    earlier = reviews.filter(patient=OuterRef("patient")).filter(
        Q(raised_at__lt=OuterRef("raised_at")) | Q(raised_at=OuterRef("raised_at"), pk__lt=OuterRef("pk"))
    )
    last_infusion = Appointment.objects.filter(
        patient=OuterRef("patient"),
        series__kind=InfusionSeries.Kind.INITIAL,
        status=Appointment.Status.COMPLETED,
        start__lt=OuterRef("raised_at"),
    ).order_by("-start", "-pk")[:1]
    rows = (
        reviews.filter(~Exists(earlier))
        .annotate(
            last_start=Subquery(last_infusion.values("start")),
            last_location=Subquery(last_infusion.values("series__location")),
        )
        .filter(last_location=location.pk)
        .annotate(
            days=ExpressionWrapper(
                TruncDate("raised_at", tzinfo=tz) - TruncDate("last_start", tzinfo=tz), output_field=DurationField()
            )
        )
        .order_by("days")
        .values_list("days", flat=True)
    )
    return tuple(days.days for days in rows)


def _booster_figures(location, start, end) -> dict[str, int]:
    return (
        Appointment.objects.filter(
            series__location=location,
            series__kind=InfusionSeries.Kind.MAINTENANCE,
            status=Appointment.Status.COMPLETED,
            start__gte=start,
            start__lt=end,
        )
        .order_by()
        .aggregate(booster_visits=Count("pk"), booster_patients=Count("patient", distinct=True))
    )


def outcome_report(location, first: date, last: date) -> OutcomeReport:
    """The report of one location for its local dates first..last (three queries)."""
    start, end = clinic_context(location).day_bounds(first, last)
    series = _series_figures(location, start, end)
    dropped = tuple(series.pop(f"after_{n}") for n in range(DROP_OUT_BUCKETS + 1))
    return OutcomeReport(
        location=location,
        first=first,
        last=last,
        dropped_out_after=dropped,
        loss_of_response_days=_loss_of_response_days(location, start, end),
        **series,
        **_booster_figures(location, start, end),
    )
