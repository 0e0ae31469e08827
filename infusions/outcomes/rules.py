"""Outcomes across a course: the rules that turn a patient's scores into the next action.

Pure (no Django, no database; aware datetimes and the measure passed in), so each rule is tested on both sides of
every threshold. Response and remission are the questionnaires' own definitions; this module adds what happens
over time. Percentages are compared in whole numbers, so "exactly 20%" is never lost to floating point.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from intake import questionnaires as q
from intake.questionnaires import PHQ9, Questionnaire

# Less than 20% improvement by the 4th infusion is early non-response: the prescriber is asked to
# review the plan (DOMAIN §8; seed 000: most patients notice improvement by the 3rd or 4th infusion).
EARLY_REVIEW_INFUSION = 4
EARLY_IMPROVEMENT = Fraction(20, 100)

# Response is a fall of at least 50% from baseline (DOMAIN §8; seed 002). Each questionnaire carries its
# own criterion (the pain rating's 30%, the PCL-5's 10 points); this one judges a course whose measure
# the caller did not name.
RESPONSE_FALL = Fraction(1, 2)

# In maintenance a PHQ-9 of 10 or more is loss of response whatever the fall from baseline: 10 is where
# the PHQ-9's "moderate" band starts, i.e. the patient is no longer in the mild range (DOMAIN §8).
PHQ9_LOSS_OF_RESPONSE_TOTAL = 10

# A booster is never suggested sooner than a week after the last infusion, even when the patient's own
# relapse interval was shorter. A clinic choice, not from a source: a booster within days of an infusion
# is a prescriber's decision to make, not a date for the front desk to offer (series infusions are at
# most 7 days apart, DOMAIN §5, so a week is the series' own rhythm).
MIN_BOOSTER_INTERVAL_DAYS = 7

PHASES = ("baseline", "series", "evaluation", "maintenance")

SERIES_OUTCOMES = ("remitter", "responder", "non_responder")

Measure = Questionnaire | str  # a questionnaire, or its code in `intake.questionnaires.QUESTIONNAIRES`


@dataclass(frozen=True, slots=True)
class Point:
    """One score on the patient's course.

    `infusion_number` is set when the score was taken before an infusion (1-6 in the series, then the
    boosters' numbers): the score's time is then the infusion's time. `phase` is one of PHASES.
    """

    at: datetime
    total: int
    infusion_number: int | None
    phase: str

    def __post_init__(self):
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError("a point's time must be an aware datetime")
        if type(self.total) is not int or self.total < 0:
            raise ValueError("a point's total must be a whole number of 0 or more")
        if self.phase not in PHASES:
            raise ValueError(f"phase must be one of {PHASES}, got {self.phase!r}")
        if self.infusion_number is not None and (type(self.infusion_number) is not int or self.infusion_number < 1):
            raise ValueError("infusion_number must be a whole number from 1, or None")


@dataclass(frozen=True, slots=True)
class Finding:
    """Something about the course a clinician should act on; `code` is stable, `reason` is in words."""

    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    date: date
    reason: str


def _measure(measure: Measure) -> Questionnaire:
    if isinstance(measure, Questionnaire):
        return measure
    try:
        return q.QUESTIONNAIRES[measure]
    except (KeyError, TypeError):
        raise ValueError(f"unknown measure: {measure!r}") from None


def _check(questionnaire: Questionnaire, *totals: int) -> None:
    for total in totals:
        q.band(questionnaire, total)  # raises ValueError for a total the scale cannot have


def _fall_is_less_than(baseline: int, current: int, fraction: Fraction) -> bool:
    """True when the fall from baseline is less than `fraction` of it (a rise is a negative fall)."""
    return (baseline - current) * fraction.denominator < fraction.numerator * baseline


def _percent_words(baseline: int, current: int) -> str:
    """ "fell 12%", "rose 5%", "did not change": truncated towards zero, so 19.9% reads 19%, never 20%."""
    change = percent_change(baseline, current)
    if change is None or current == baseline:
        return "did not change"
    whole = int(abs(change))
    return f"fell {whole}%" if current < baseline else f"rose {whole}%"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _chronological(points: Iterable[Point]) -> list[Point]:
    return sorted(points, key=lambda point: point.at)


def percent_change(baseline: int, current: int) -> float | None:
    """The change from baseline in percent: negative for a fall (20 → 15 is -25.0). None when the
    baseline is 0: there is nothing to measure a change against."""
    if baseline == 0:
        return None
    return (current - baseline) * 100 / baseline


def responded(measure: Measure, baseline: int, current: int) -> bool:
    """The measure's response criterion (PHQ-9, GAD-7: a fall of at least 50%; pain: at least 30%;
    PCL-5: at least 10 points). A baseline of 0 is never a response."""
    return q.responded(_measure(measure), baseline, current)


def remitted(measure: Measure, current: int) -> bool:
    """Below the measure's remission cutoff (PHQ-9, GAD-7: below 5). Raises ValueError for a measure
    that defines none (PCL-5, pain): "not in remission" would be a claim the scale cannot make."""
    return q.in_remission(_measure(measure), current)


def series_outcome(measure: Measure, baseline: int, end_total: int) -> str:
    """How the series ended, one of SERIES_OUTCOMES.

    "remitter" when the end total is below the remission cutoff and the baseline was not (a patient who
    started below it had nothing to remit from: they are read by response, as a baseline of 0 is never a
    response); "responder" when the measure's response criterion is met; else "non_responder". A measure
    with no remission cutoff (PCL-5, pain) ends in "responder" or "non_responder".
    """
    questionnaire = _measure(measure)
    _check(questionnaire, baseline, end_total)
    cutoff = questionnaire.remission_below
    if cutoff is not None and end_total < cutoff <= baseline:
        return "remitter"
    if q.responded(questionnaire, baseline, end_total):
        return "responder"
    return "non_responder"


def early_non_response(measure: Measure, baseline: int, points: Sequence[Point]) -> Finding | None:
    """EARLY_NON_RESPONSE when the score by the 4th infusion is less than 20% below baseline.

    The score read is the series point taken at the 4th infusion; when that one is missing but a later
    infusion was scored, the latest series point stands in for it. Before the 4th infusion there is no
    finding, and exactly 20% is not non-response. A baseline of 0 has nothing to improve on: no finding.

    The same 20% applies to every measure, the PCL-5 included: its 10-point criterion is for response at
    the end of the series, and 10 points by the 4th infusion would be a stricter bar than the other
    scales get (a clinic choice, not from a source).
    """
    questionnaire = _measure(measure)
    _check(questionnaire, baseline, *(point.total for point in points))
    series = [
        point for point in _chronological(points) if point.phase == "series" and point.infusion_number is not None
    ]
    at_review = [point for point in series if point.infusion_number == EARLY_REVIEW_INFUSION]
    if at_review:
        point = at_review[-1]
    elif any(point.infusion_number > EARLY_REVIEW_INFUSION for point in series):
        point = series[-1]
    else:
        return None
    if baseline == 0 or not _fall_is_less_than(baseline, point.total, EARLY_IMPROVEMENT):
        return None
    threshold = int(EARLY_IMPROVEMENT * 100)
    return Finding(
        code="EARLY_NON_RESPONSE",
        reason=(
            f"{questionnaire.title} {_percent_words(baseline, point.total)} from baseline by infusion"
            f" {point.infusion_number} (less than {threshold}%): review the plan."
        ),
    )


def _responds(questionnaire: Questionnaire | None, baseline: int, total: int) -> bool:
    """The measure's response criterion; with no measure known, DOMAIN §8's fall of at least 50%."""
    if questionnaire is None:
        return baseline > 0 and not _fall_is_less_than(baseline, total, RESPONSE_FALL)
    return q.responded(questionnaire, baseline, total)


def _responded_at_end_of_series(questionnaire: Questionnaire | None, baseline: int, points: list[Point]) -> bool:
    """A responder at the evaluation after the series, or, with no evaluation, at the last series point."""
    ends = [point for point in points if point.phase == "evaluation"] or [
        point for point in points if point.phase == "series"
    ]
    return bool(ends) and _responds(questionnaire, baseline, ends[-1].total)


def _lost(questionnaire: Questionnaire | None, baseline: int, total: int) -> bool:
    """Loss of response: the fall from baseline no longer meets the measure's response criterion (50% for
    the PHQ-9 and GAD-7, DOMAIN §8; the pain rating's 30% and the PCL-5's 10 points likewise, so a patient
    still meeting their scale's response is not flagged), or a PHQ-9 of 10 or more."""
    if questionnaire is not None and questionnaire.code == PHQ9.code and total >= PHQ9_LOSS_OF_RESPONSE_TOTAL:
        return True
    return not _responds(questionnaire, baseline, total)


def loss_of_response(measure: Measure, baseline: int, points: Sequence[Point]) -> Finding | None:
    """LOSS_OF_RESPONSE when the patient's latest score, taken in maintenance, shows the response lost.

    Only for a patient who responded by the end of the series (at the evaluation, or at the last series
    point when there was none): a non-responder has no response to lose. No finding unless the latest
    point is a maintenance point.
    """
    questionnaire = _measure(measure)
    _check(questionnaire, baseline, *(point.total for point in points))
    ordered = _chronological(points)
    if not ordered or ordered[-1].phase != "maintenance":
        return None
    if not _responded_at_end_of_series(questionnaire, baseline, ordered):
        return None
    latest = ordered[-1].total
    if not _lost(questionnaire, baseline, latest):
        return None
    why = []
    if not q.responded(questionnaire, baseline, latest):
        if questionnaire.response_points is not None:
            why.append(f"less than {questionnaire.response_points} points below baseline {baseline}")
        else:
            why.append(
                f"{_percent_words(baseline, latest)} from baseline {baseline}"
                f" (less than {int(questionnaire.response_fraction * 100)}%)"
            )
    if questionnaire.code == PHQ9.code and latest >= PHQ9_LOSS_OF_RESPONSE_TOTAL:
        why.append(f"{PHQ9_LOSS_OF_RESPONSE_TOTAL} or more")
    return Finding(
        code="LOSS_OF_RESPONSE",
        reason=f"{questionnaire.title} is {latest} in maintenance, {' and '.join(why)}: a booster is suggested.",
    )


def relapse_interval_days(
    points: Sequence[Point],
    *,
    last_series_infusion: datetime,
    measure: Measure | None = None,
    baseline: int | None = None,
) -> int | None:
    """The patient's own relapse interval: calendar days from the last infusion before a loss of response
    to the first maintenance point showing it, the most recent time it happened; None when it has not.

    Walks the maintenance points after the series in time order. An infusion (a point with an
    infusion_number: a booster, scored before it was given) starts a new interval; the first point of an
    interval showing the loss ends it. Days are counted in the time zone of `last_series_infusion`: pass
    it in the clinic's zone. None for a patient who did not respond by the end of the series (there was
    no response to lose), and when there is no baseline.

    `baseline` defaults to the latest baseline point's total. Pass `measure` so the loss is judged exactly
    as `loss_of_response` judges it (the measure's own response criterion, and a PHQ-9 of 10 or more);
    without it, only DOMAIN §8's generic rule applies: a fall from baseline below 50%.
    """
    if last_series_infusion.tzinfo is None or last_series_infusion.utcoffset() is None:
        raise ValueError("last_series_infusion must be an aware datetime")
    ordered = _chronological(points)
    if baseline is None:
        baselines = [point for point in ordered if point.phase == "baseline"]
        if not baselines:
            return None
        baseline = baselines[-1].total
    questionnaire = None if measure is None else _measure(measure)
    if questionnaire is not None:
        _check(questionnaire, baseline, *(point.total for point in points))
    elif type(baseline) is not int or baseline < 0:
        raise ValueError("baseline must be a whole number of 0 or more")
    if not _responded_at_end_of_series(questionnaire, baseline, ordered):
        return None
    zone = last_series_infusion.tzinfo

    def day(moment: datetime) -> date:
        return moment.astimezone(zone).date()

    last_infusion = last_series_infusion
    lost_since_last_infusion = False
    interval = None
    for point in ordered:
        if point.phase != "maintenance" or point.at <= last_series_infusion:
            continue
        if not lost_since_last_infusion and _lost(questionnaire, baseline, point.total):
            interval = (day(point.at) - day(last_infusion)).days
            lost_since_last_infusion = True
        if point.infusion_number is not None:
            last_infusion = point.at
            lost_since_last_infusion = False
    return interval


def booster_suggestion(*, last_infusion: date, own_interval_days: int | None, default_weeks: int) -> Suggestion:
    """When to offer the next booster: at the patient's own relapse interval when known (it beats the
    default: relapse is typically about 19 days after a course but some stay well over 3 months, DOMAIN
    §5 and §8), never sooner than MIN_BOOSTER_INTERVAL_DAYS; else the clinic's default in weeks."""
    if type(default_weeks) is not int or default_weeks < 1:
        raise ValueError("default_weeks must be a whole number of 1 or more")
    if own_interval_days is None:
        weeks = "1 week" if default_weeks == 1 else f"{default_weeks} weeks"
        return Suggestion(
            last_infusion + timedelta(weeks=default_weeks), f"{weeks} after the last infusion: the clinic's default"
        )
    if type(own_interval_days) is not int or own_interval_days < 0:
        raise ValueError("own_interval_days must be a whole number of 0 or more, or None")
    if own_interval_days < MIN_BOOSTER_INTERVAL_DAYS:
        return Suggestion(
            last_infusion + timedelta(days=MIN_BOOSTER_INTERVAL_DAYS),
            f"{MIN_BOOSTER_INTERVAL_DAYS} days after the last infusion: the patient's own interval last time"
            f" ({_days(own_interval_days)}) raised to the clinic's shortest, {MIN_BOOSTER_INTERVAL_DAYS} days",
        )
    return Suggestion(
        last_infusion + timedelta(days=own_interval_days),
        f"{own_interval_days} days after the last infusion: the patient's own interval last time",
    )
