"""PHQ-9 and GAD-7 scores, bands, response and remission (pure: no database)."""

from datetime import date

import pytest

from intake.screening import (
    FREQUENCY_CHOICES,
    GAD7_ITEMS,
    PHQ9_ITEMS,
    Score,
    gad7_band,
    gad7_score,
    phq9_band,
    phq9_score,
    remission,
    response,
    screen,
    validate_answers,
)
from intake.tests.answers import intake_data

TODAY = date(2026, 11, 22)


def items_totalling(total: int, count: int) -> list[int]:
    """`count` answers of 0..3 adding up to `total`, with item 9 of a PHQ-9 kept at 0."""
    items = [0] * count
    usable = count - 1 if count == 9 else count
    for index in range(usable):
        items[index] = min(3, total - sum(items))
    assert sum(items) == total
    return items


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_it_bands_phq9_totals_at_each_boundary(total, band):
    assert phq9_band(total) == band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_it_bands_gad7_totals_at_each_boundary(total, band):
    assert gad7_band(total) == band


@pytest.mark.parametrize(("band", "bad"), [(phq9_band, 28), (gad7_band, 22)])
@pytest.mark.parametrize("other_bad", [-1, 1.0, True, "5"])
def test_it_refuses_totals_out_of_range(band, bad, other_bad):
    for value in (bad, other_bad):
        with pytest.raises(ValueError):
            band(value)


def test_it_scores_questionnaires_by_summing_the_items():
    assert phq9_score([3] * 9) == Score(27, "severe")
    assert phq9_score([0] * 9) == Score(0, "minimal")
    assert gad7_score([3] * 7) == Score(21, "severe")
    assert gad7_score([1, 1, 1, 1, 1, 0, 0]) == Score(5, "mild")
    assert phq9_score(None) is None
    assert gad7_score(None) is None


@pytest.mark.parametrize("phq9_total", [0, 4, 5, 9, 10, 14, 15, 19, 20, 24])
@pytest.mark.parametrize("gad7_total", [0, 4, 5, 9, 10, 14, 15, 21])
def test_it_reports_scores_and_bands_in_the_screening(phq9_total, gad7_total):
    data = intake_data(blood_pressure=None, phq9=items_totalling(phq9_total, 9), gad7=items_totalling(gad7_total, 7))
    result = screen(validate_answers(data, today=TODAY), today=TODAY)
    scores = result.as_dict()["scores"]
    assert scores["phq9"] == {"total": phq9_total, "band": phq9_band(phq9_total)}
    assert scores["gad7"] == {"total": gad7_total, "band": gad7_band(gad7_total)}
    assert result.scores["phq9"] == Score(phq9_total, phq9_band(phq9_total))
    # Scores alone never change the outcome; only item 9 does.
    assert result.outcome == "clear"


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (20, 10, True),  # exactly 50%
        (20, 11, False),
        (20, 0, True),
        (21, 10, True),  # 52%
        (21, 11, False),  # 47.6%
        (1, 0, True),
        (10, 12, False),  # worse
        (0, 0, False),  # nothing to fall from
    ],
)
def test_it_calls_a_fall_of_at_least_half_a_response(baseline, current, expected):
    assert response(baseline, current) is expected


@pytest.mark.parametrize(("baseline", "current"), [(-1, 0), (10, -1), (10.0, 5), (10, True), ("10", 5)])
def test_it_refuses_invalid_totals_for_response(baseline, current):
    with pytest.raises(ValueError):
        response(baseline, current)


@pytest.mark.parametrize(("total", "expected"), [(0, True), (4, True), (5, False), (27, False)])
def test_it_calls_a_phq9_below_5_remission(total, expected):
    assert remission(total) is expected


@pytest.mark.parametrize("total", [-1, 4.0, False, None])
def test_it_refuses_invalid_totals_for_remission(total):
    with pytest.raises(ValueError):
        remission(total)


def test_it_offers_the_standard_questionnaire_wording():
    assert len(PHQ9_ITEMS) == 9
    assert PHQ9_ITEMS[0] == "Little interest or pleasure in doing things"
    assert PHQ9_ITEMS[1] == "Feeling down, depressed, or hopeless"
    assert PHQ9_ITEMS[8] == "Thoughts that you would be better off dead, or of hurting yourself in some way"
    assert len(GAD7_ITEMS) == 7
    assert GAD7_ITEMS[0] == "Feeling nervous, anxious, or on edge"
    assert GAD7_ITEMS[6] == "Feeling afraid, as if something awful might happen"
    assert FREQUENCY_CHOICES == (
        (0, "Not at all"),
        (1, "Several days"),
        (2, "More than half the days"),
        (3, "Nearly every day"),
    )
