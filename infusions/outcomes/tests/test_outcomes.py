"""Scores over a course turned into the next action: response, early non-response, loss of response,
the patient's own relapse interval and the booster date (pure: no database)."""

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infusions.outcomes.rules import (
    MIN_BOOSTER_INTERVAL_DAYS,
    Finding,
    Point,
    Suggestion,
    booster_suggestion,
    early_non_response,
    loss_of_response,
    percent_change,
    relapse_interval_days,
    remitted,
    responded,
    series_outcome,
)
from intake.questionnaires import GAD7, PAIN, PCL5, PHQ9

CLINIC = ZoneInfo("America/New_York")
START = datetime(2026, 3, 2, 9, 0, tzinfo=CLINIC)


def at(days: float) -> datetime:
    return START + timedelta(days=days)


def series(*totals: int, every_days: int = 3) -> list[Point]:
    """Series points, one before each infusion, `every_days` apart from START."""
    return [Point(at(index * every_days), total, index + 1, "series") for index, total in enumerate(totals)]


def course(baseline: int, series_totals: tuple[int, ...], evaluation: int | None, *maintenance: int) -> list[Point]:
    """Baseline, the series, the evaluation a week after it, then maintenance scores every 2 weeks."""
    points = [Point(at(-7), baseline, None, "baseline"), *series(*series_totals)]
    end = points[-1].at
    if evaluation is not None:
        points.append(Point(end + timedelta(days=7), evaluation, None, "evaluation"))
    for number, total in enumerate(maintenance, start=1):
        points.append(Point(end + timedelta(days=7 + 14 * number), total, None, "maintenance"))
    return points


# --- Point -----------------------------------------------------------------------------------


def test_a_point_refuses_a_naive_time_an_unknown_phase_and_a_bad_infusion_number():
    with pytest.raises(ValueError, match="aware"):
        Point(datetime(2026, 3, 2, 9, 0), 10, 1, "series")  # noqa: DTZ001
    with pytest.raises(ValueError, match="phase"):
        Point(START, 10, 1, "induction")
    for number in (0, -1, 1.0, True):
        with pytest.raises(ValueError, match="infusion_number"):
            Point(START, 10, number, "series")
    for total in (-1, 10.0, True, None):
        with pytest.raises(ValueError, match="total"):
            Point(START, total, None, "baseline")
    assert Point(START, 10, None, "baseline").infusion_number is None


# --- percent change, response, remission, series outcome ------------------------------------


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [(20, 15, -25.0), (20, 20, 0.0), (20, 30, 50.0), (20, 0, -100.0), (3, 2, -100 / 3), (0, 0, None), (0, 5, None)],
)
def test_percent_change_is_negative_for_a_fall_and_none_from_a_zero_baseline(baseline, current, expected):
    assert percent_change(baseline, current) == expected


def test_response_and_remission_are_the_questionnaires_own_by_object_or_by_code():
    assert responded(PHQ9, 20, 10) is responded("phq9", 20, 10) is True
    assert responded("phq9", 20, 11) is False
    assert responded("pcl5", 50, 40) is True
    assert responded("pain", 10, 7) is True
    assert remitted(PHQ9, 4) is remitted("gad7", 4) is True
    assert remitted("phq9", 5) is False
    with pytest.raises(ValueError, match="no remission cutoff"):
        remitted("pcl5", 10)
    for unknown in ("madrs", None, 3):
        with pytest.raises(ValueError, match="unknown measure"):
            responded(unknown, 20, 10)


@pytest.mark.parametrize(
    ("measure", "baseline", "end", "expected"),
    [
        (PHQ9, 20, 4, "remitter"),
        (PHQ9, 20, 5, "responder"),  # 75% fall, but 5 is not below 5
        (PHQ9, 20, 10, "responder"),  # exactly 50%
        (PHQ9, 20, 11, "non_responder"),  # 45%
        (PHQ9, 5, 4, "remitter"),  # from the cutoff to below it
        (PHQ9, 4, 3, "non_responder"),  # started below the cutoff: read by response, 25%
        (PHQ9, 4, 2, "responder"),
        (PHQ9, 0, 0, "non_responder"),
        (GAD7, 15, 4, "remitter"),
        (GAD7, 15, 7, "responder"),  # 53%
        (GAD7, 15, 8, "non_responder"),  # 47%
        (PCL5, 50, 40, "responder"),  # no remission cutoff: never "remitter"
        (PCL5, 50, 0, "responder"),
        (PCL5, 50, 41, "non_responder"),
        (PAIN, 10, 0, "responder"),
        (PAIN, 10, 7, "responder"),
        (PAIN, 10, 8, "non_responder"),
    ],
)
def test_the_series_ends_in_remission_response_or_neither(measure, baseline, end, expected):
    assert series_outcome(measure, baseline, end) == expected
    assert series_outcome(measure.code, baseline, end) == expected


def test_series_outcome_refuses_totals_off_the_scale():
    with pytest.raises(ValueError):
        series_outcome(PHQ9, 28, 4)
    with pytest.raises(ValueError):
        series_outcome(PHQ9, 20, -1)


# --- early non-response ----------------------------------------------------------------------


def test_less_than_20_percent_by_the_4th_infusion_asks_for_a_review():
    finding = early_non_response(PHQ9, 25, series(25, 24, 23, 22))
    assert finding == Finding(
        code="EARLY_NON_RESPONSE",
        reason="PHQ-9 fell 12% from baseline by infusion 4 (less than 20%): review the plan.",
    )


@pytest.mark.parametrize(
    ("measure", "baseline", "at_4th", "expected"),
    [
        (PHQ9, 20, 16, False),  # exactly 20%
        (PHQ9, 21, 17, True),  # 19.05%
        (PHQ9, 10, 8, False),  # exactly 20%
        (PHQ9, 10, 9, True),
        (PHQ9, 20, 20, True),  # no change
        (PHQ9, 20, 22, True),  # worse
        (PHQ9, 0, 0, False),  # nothing to improve on
        (PHQ9, 0, 3, False),  # a rise from 0 has no percentage: no finding either
        (GAD7, 15, 12, False),  # exactly 20%
        (GAD7, 15, 13, True),
        (PCL5, 50, 40, False),  # exactly 20%: the same rule for the PCL-5
        (PCL5, 50, 41, True),  # 18%
        (PAIN, 10, 8, False),  # exactly 20%
        (PAIN, 10, 9, True),
    ],
)
def test_exactly_20_percent_is_not_early_non_response(measure, baseline, at_4th, expected):
    finding = early_non_response(measure, baseline, series(baseline, baseline, baseline, at_4th))
    assert (finding is not None) is expected


def test_the_reason_truncates_so_19_point_9_percent_never_reads_20():
    # 21 -> 17 is 19.05%; 26 -> 21 is 19.2%
    assert "fell 19% from baseline" in early_non_response(PHQ9, 21, series(21, 20, 19, 17)).reason
    assert "fell 19% from baseline" in early_non_response(PHQ9, 26, series(26, 24, 22, 21)).reason


def test_the_reason_says_when_the_score_rose_or_did_not_change():
    assert early_non_response(PHQ9, 25, series(25, 26, 26, 27)).reason == (
        "PHQ-9 rose 8% from baseline by infusion 4 (less than 20%): review the plan."
    )
    assert early_non_response(GAD7, 15, series(15, 15, 15, 15)).reason == (
        "GAD-7 did not change from baseline by infusion 4 (less than 20%): review the plan."
    )
    assert early_non_response(PCL5, 50, series(50, 48, 45, 41)).reason.startswith("PCL-5 fell 18% from baseline")


def test_there_is_no_finding_before_the_4th_infusion():
    assert early_non_response(PHQ9, 25, []) is None
    assert early_non_response(PHQ9, 25, series(25)) is None
    assert early_non_response(PHQ9, 25, series(25, 25, 25)) is None


def test_the_4th_infusion_is_read_even_when_later_ones_improved():
    points = series(25, 25, 25, 24, 10, 5)
    assert early_non_response(PHQ9, 25, points).reason.endswith("by infusion 4 (less than 20%): review the plan.")


def test_with_the_4th_missing_the_latest_infusion_after_it_stands_in():
    missing_4th = [point for point in series(25, 25, 25, 25, 24, 23) if point.infusion_number != 4]
    assert "fell 8% from baseline by infusion 6" in early_non_response(PHQ9, 25, missing_4th).reason
    improved = [point for point in series(25, 25, 25, 25, 20) if point.infusion_number != 4]
    assert early_non_response(PHQ9, 25, improved) is None  # infusion 5: exactly 20%


def test_points_may_come_in_any_order():
    assert early_non_response(PHQ9, 25, list(reversed(series(25, 24, 23, 22)))).reason.startswith("PHQ-9 fell 12%")


def test_only_series_infusions_count_towards_the_4th():
    points = [*series(25, 25, 25), Point(at(60), 25, 7, "maintenance"), Point(at(20), 25, None, "evaluation")]
    assert early_non_response(PHQ9, 25, points) is None


def test_early_non_response_refuses_totals_off_the_scale():
    with pytest.raises(ValueError):
        early_non_response(PHQ9, 25, series(25, 25, 25, 28))


@given(baseline=st.integers(min_value=1, max_value=27), total=st.integers(min_value=0, max_value=27))
def test_early_non_response_is_exactly_a_fall_below_a_fifth(baseline, total):
    finding = early_non_response(PHQ9, baseline, series(baseline, baseline, baseline, total))
    assert (finding is not None) is (Fraction(baseline - total, baseline) < Fraction(1, 5))


# --- loss of response ------------------------------------------------------------------------


def test_a_responder_whose_phq9_climbs_back_to_10_or_more_in_maintenance_is_offered_a_booster():
    points = course(20, (20, 16, 12, 9, 7, 6), 6, 7, 11)
    assert loss_of_response(PHQ9, 20, points) == Finding(
        code="LOSS_OF_RESPONSE",
        reason=(
            "PHQ-9 is 11 in maintenance, fell 45% from baseline 20 (less than 50%) and 10 or more:"
            " a booster is suggested."
        ),
    )


@pytest.mark.parametrize(
    ("baseline", "latest", "reason"),
    [
        (20, 9, None),  # 55% below baseline and below 10
        (20, 10, "PHQ-9 is 10 in maintenance, 10 or more: a booster is suggested."),  # exactly 50%, but 10
        (16, 8, None),  # exactly 50%, below 10
        (16, 9, "PHQ-9 is 9 in maintenance, fell 43% from baseline 16 (less than 50%): a booster is suggested."),
    ],
)
def test_phq9_loss_of_response_on_both_sides_of_50_percent_and_of_10(baseline, latest, reason):
    points = course(baseline, (baseline, baseline, 8, 6, 5, 4), 4, 5, latest)
    finding = loss_of_response(PHQ9, baseline, points)
    assert (finding and finding.reason) == reason


def test_phq9_of_10_or_more_is_loss_even_when_the_fall_is_still_over_half():
    finding = loss_of_response(PHQ9, 27, course(27, (27, 20, 10, 6, 5, 4), 4, 13))  # 51.9% below baseline
    assert finding.reason == "PHQ-9 is 13 in maintenance, 10 or more: a booster is suggested."


def test_the_10_or_more_rule_is_the_phq9s_alone():
    assert loss_of_response(GAD7, 21, course(21, (21, 15, 10, 6, 4, 3), 3, 10)) is None  # 52% below baseline
    assert loss_of_response(GAD7, 21, course(21, (21, 15, 10, 6, 4, 3), 3, 11)).reason == (
        "GAD-7 is 11 in maintenance, fell 47% from baseline 21 (less than 50%): a booster is suggested."
    )


def test_pcl5_and_pain_lose_response_by_their_own_criterion():
    pcl5 = course(50, (50, 45, 40, 38, 36, 35), 35, 36)
    assert loss_of_response(PCL5, 50, [*pcl5, Point(at(200), 40, None, "maintenance")]) is None  # 10 points
    assert loss_of_response(PCL5, 50, [*pcl5, Point(at(200), 41, None, "maintenance")]).reason == (
        "PCL-5 is 41 in maintenance, less than 10 points below baseline 50: a booster is suggested."
    )
    pain = course(8, (8, 7, 6, 5, 4, 4), 4)
    assert loss_of_response(PAIN, 8, [*pain, Point(at(200), 5, None, "maintenance")]) is None  # 37.5%
    assert loss_of_response(PAIN, 8, [*pain, Point(at(200), 6, None, "maintenance")]).reason == (
        "Pain rating is 6 in maintenance, fell 25% from baseline 8 (less than 30%): a booster is suggested."
    )


def test_a_non_responder_has_no_response_to_lose():
    assert loss_of_response(PHQ9, 20, course(20, (20, 18, 16, 14, 12, 11), 11, 18)) is None  # 45% at evaluation


def test_the_evaluation_decides_whether_the_patient_responded():
    # Responder at the last infusion (8), not a week later at the evaluation (12): no response to lose.
    assert loss_of_response(PHQ9, 20, course(20, (20, 16, 12, 10, 9, 8), 12, 15)) is None
    # Not a responder at the last infusion (11), a responder at the evaluation (9): the loss counts.
    assert loss_of_response(PHQ9, 20, course(20, (20, 16, 14, 12, 11, 11), 9, 15)) is not None


def test_without_an_evaluation_the_last_series_point_decides():
    assert loss_of_response(PHQ9, 20, course(20, (20, 16, 12, 10, 9, 8), None, 15)) is not None
    assert loss_of_response(PHQ9, 20, course(20, (20, 16, 12, 10, 11, 11), None, 15)) is None
    assert loss_of_response(PHQ9, 20, [Point(at(60), 15, None, "maintenance")]) is None  # no series at all


def test_only_the_latest_score_in_maintenance_counts():
    recovered = course(20, (20, 16, 12, 9, 7, 6), 6, 15, 6)  # lost, then a booster brought it back
    assert loss_of_response(PHQ9, 20, recovered) is None
    assert loss_of_response(PHQ9, 20, course(20, (20, 16, 12, 9, 7, 6), 6)) is None  # not in maintenance yet
    assert loss_of_response(PHQ9, 20, []) is None


# --- the patient's own relapse interval --------------------------------------------------------


def test_the_own_interval_runs_from_the_last_infusion_to_the_first_score_showing_the_loss():
    last = at(15)  # the 6th infusion
    points = [
        *series(20, 16, 12, 9, 7, 6, every_days=3),
        Point(last + timedelta(days=7), 5, None, "evaluation"),
        Point(last + timedelta(days=14), 8, None, "maintenance"),
        Point(last + timedelta(days=21), 11, None, "maintenance"),  # lost: 21 days after the 6th infusion
        Point(last + timedelta(days=23), 12, 7, "maintenance"),  # scored before booster 7, still the same loss
    ]
    assert relapse_interval_days(points, last_series_infusion=last, measure=PHQ9, baseline=20) == 21
    later = [
        *points,
        Point(last + timedelta(days=30), 6, None, "maintenance"),
        Point(last + timedelta(days=42), 10, None, "maintenance"),  # lost again: 19 days after booster 7
        Point(last + timedelta(days=50), 14, None, "maintenance"),
    ]
    assert (
        relapse_interval_days(later, last_series_infusion=last, measure=PHQ9, baseline=20) == 19
    )  # the most recent time


def test_there_is_no_own_interval_until_a_loss_has_happened():
    last = at(15)
    points = [*series(20, 16, 12, 9, 7, 6), Point(last + timedelta(days=14), 9, None, "maintenance")]
    assert relapse_interval_days(points, last_series_infusion=last, measure=PHQ9, baseline=20) is None
    assert (
        relapse_interval_days(series(20, 16, 12, 9, 7, 6), last_series_infusion=last, measure=PHQ9, baseline=20) is None
    )


def test_a_non_responder_has_no_own_interval():
    last = at(15)
    points = [*series(20, 18, 16, 14, 12, 11), Point(last + timedelta(days=14), 15, None, "maintenance")]
    assert relapse_interval_days(points, last_series_infusion=last, measure=PHQ9, baseline=20) is None


def test_the_own_interval_counts_calendar_days_in_the_clinics_time_zone():
    last = datetime(2026, 3, 2, 23, 30, tzinfo=CLINIC)  # 04:30 UTC on 3 March
    lost = datetime(2026, 3, 21, 4, 0, tzinfo=UTC)  # midnight on 21 March in New York (after the DST change)
    points = [*series(20, 9), Point(lost, 15, None, "maintenance")]
    assert relapse_interval_days(points, last_series_infusion=last, measure=PHQ9, baseline=20) == 19


def test_maintenance_scores_from_before_the_last_series_infusion_are_ignored():
    last = at(15)
    points = [*series(20, 9), Point(last - timedelta(days=1), 15, None, "maintenance")]
    assert relapse_interval_days(points, last_series_infusion=last, measure=PHQ9, baseline=20) is None


def test_the_own_interval_needs_an_aware_time():
    with pytest.raises(ValueError, match="aware"):
        relapse_interval_days([], last_series_infusion=datetime(2026, 3, 2, 9, 0), measure=PHQ9)  # noqa: DTZ001


def test_the_baseline_defaults_to_the_baseline_point_and_without_one_there_is_no_interval():
    last = at(15)
    points = [*series(20, 16, 12, 9, 7, 6), Point(last + timedelta(days=20), 12, None, "maintenance")]
    assert relapse_interval_days(points, last_series_infusion=last, measure=PHQ9) is None  # no baseline
    with_baseline = [Point(at(-7), 20, None, "baseline"), *points]
    assert relapse_interval_days(with_baseline, last_series_infusion=last, measure=PHQ9) == 20
    assert relapse_interval_days(with_baseline, last_series_infusion=last, measure="phq9", baseline=7) is None


def test_without_the_measure_only_the_generic_50_percent_rule_applies():
    last = at(15)
    points = [
        Point(at(-7), 20, None, "baseline"),
        *series(20, 16, 12, 9, 7, 6),
        Point(last + timedelta(days=14), 10, None, "maintenance"),  # exactly 50% below baseline, but 10
        Point(last + timedelta(days=28), 11, None, "maintenance"),  # 45%
    ]
    assert relapse_interval_days(points, last_series_infusion=last, measure=PHQ9) == 14
    assert relapse_interval_days(points, last_series_infusion=last) == 28
    pcl5 = [
        Point(at(-7), 50, None, "baseline"),
        *series(50, 45, 40, 30, 25, 20),
        Point(last + timedelta(days=14), 30, None, "maintenance"),  # 20 points, 40%: lost by 50%, not by 10 points
        Point(last + timedelta(days=28), 41, None, "maintenance"),
    ]
    assert relapse_interval_days(pcl5, last_series_infusion=last, measure=PCL5) == 28
    assert relapse_interval_days(pcl5, last_series_infusion=last) == 14


def test_the_latest_baseline_point_is_the_baseline():
    last = at(15)
    points = [
        Point(at(-90), 10, None, "baseline"),  # an older screening
        Point(at(-7), 20, None, "baseline"),
        *series(20, 16, 12, 9),
        Point(last + timedelta(days=18), 12, None, "maintenance"),
    ]
    assert relapse_interval_days(points, last_series_infusion=last) == 18  # 9 is a response from 20, not from 10


def test_without_the_measure_a_baseline_of_0_is_still_never_a_response():
    last = at(15)
    points = [
        Point(at(-7), 0, None, "baseline"),
        *series(0, 0),
        Point(last + timedelta(days=14), 3, None, "maintenance"),
    ]
    assert relapse_interval_days(points, last_series_infusion=last) is None


def test_a_score_taken_at_the_last_series_infusion_itself_is_not_maintenance():
    last = at(15)
    points = [*series(20, 9), Point(last, 15, None, "maintenance")]
    assert relapse_interval_days(points, last_series_infusion=last, measure=PHQ9, baseline=20) is None


def test_relapse_interval_refuses_totals_off_the_named_scale():
    points = [*series(20, 9), Point(at(30), 28, None, "maintenance")]
    with pytest.raises(ValueError):
        relapse_interval_days(points, last_series_infusion=at(3), measure=PHQ9, baseline=20)
    with pytest.raises(ValueError, match="baseline"):
        relapse_interval_days(points, last_series_infusion=at(3), baseline=-1)


# --- booster suggestion ---------------------------------------------------------------------

LAST = date(2026, 4, 1)


def test_the_patients_own_interval_beats_the_default():
    assert booster_suggestion(last_infusion=LAST, own_interval_days=19, default_weeks=4) == Suggestion(
        date(2026, 4, 20), "19 days after the last infusion: the patient's own interval last time"
    )


@pytest.mark.parametrize(("weeks", "words"), [(4, "4 weeks"), (1, "1 week"), (12, "12 weeks")])
def test_without_an_own_interval_the_clinic_default_applies(weeks, words):
    assert booster_suggestion(last_infusion=LAST, own_interval_days=None, default_weeks=weeks) == Suggestion(
        LAST + timedelta(weeks=weeks), f"{words} after the last infusion: the clinic's default"
    )


def test_an_own_interval_of_exactly_7_days_is_kept():
    suggestion = booster_suggestion(last_infusion=LAST, own_interval_days=7, default_weeks=4)
    assert suggestion == Suggestion(
        date(2026, 4, 8), "7 days after the last infusion: the patient's own interval last time"
    )


@pytest.mark.parametrize(("own", "words"), [(6, "6 days"), (1, "1 day"), (0, "0 days")])
def test_an_own_interval_shorter_than_a_week_is_raised_to_7_days(own, words):
    suggestion = booster_suggestion(last_infusion=LAST, own_interval_days=own, default_weeks=4)
    assert MIN_BOOSTER_INTERVAL_DAYS == 7
    assert suggestion == Suggestion(
        date(2026, 4, 8),
        f"7 days after the last infusion: the patient's own interval last time ({words}) raised to the"
        " clinic's shortest, 7 days",
    )


@pytest.mark.parametrize(("own", "weeks"), [(-1, 4), (19.0, 4), (True, 4), (None, 0), (None, -1), (None, 4.0), (19, 0)])
def test_booster_suggestion_refuses_impossible_intervals(own, weeks):
    with pytest.raises(ValueError):
        booster_suggestion(last_infusion=LAST, own_interval_days=own, default_weeks=weeks)


@given(own=st.one_of(st.none(), st.integers(min_value=0, max_value=400)), weeks=st.integers(min_value=1, max_value=26))
def test_a_booster_is_never_suggested_within_a_week_of_the_last_infusion(own, weeks):
    suggestion = booster_suggestion(last_infusion=LAST, own_interval_days=own, default_weeks=weeks)
    expected = weeks * 7 if own is None else max(own, 7)
    assert (suggestion.date - LAST).days == expected
