"""PHQ-9 and GAD-7 scores, bands, response and remission (pure: no database)."""

from datetime import date

import pytest

from intake.questionnaires import GAD7, PHQ9, QUESTIONNAIRES, Score, band, in_remission, responded, score
from intake.screening import screen, validate_answers
from intake.tests.answers import intake_data


def phq9_band(total):
    return band(PHQ9, total).code


def gad7_band(total):
    return band(GAD7, total).code


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
    assert score(PHQ9, [3] * 9) == Score(27, "severe")
    assert score(PHQ9, [0] * 9) == Score(0, "minimal")
    assert score(GAD7, [3] * 7) == Score(21, "severe")
    assert score(GAD7, [1, 1, 1, 1, 1, 0, 0]) == Score(5, "mild")
    assert score(PHQ9, None) is None
    assert score(GAD7, None) is None


@pytest.mark.parametrize("items", [[1] * 8, [1] * 10, [1] * 8 + [4], [1] * 8 + [-1], [1] * 8 + [True], [1.0] * 9])
def test_it_refuses_to_score_answers_the_questionnaire_cannot_have(items):
    with pytest.raises(ValueError):
        score(PHQ9, items)


def test_it_labels_bands_in_words():
    assert band(PHQ9, 15).label == "moderately severe"
    assert PHQ9.band_label("moderately_severe") == "moderately severe"
    assert band(GAD7, 15).label == "severe"


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
    assert responded(PHQ9, baseline, current) is expected
    assert responded(GAD7, baseline, current) is expected


@pytest.mark.parametrize(("baseline", "current"), [(-1, 0), (10, -1), (10.0, 5), (10, True), ("10", 5)])
def test_it_refuses_invalid_totals_for_response(baseline, current):
    with pytest.raises(ValueError):
        responded(PHQ9, baseline, current)


@pytest.mark.parametrize(("total", "expected"), [(0, True), (4, True), (5, False), (27, False)])
def test_it_calls_a_phq9_below_5_remission(total, expected):
    assert in_remission(PHQ9, total) is expected


@pytest.mark.parametrize(("total", "expected"), [(0, True), (4, True), (5, False), (21, False)])
def test_it_calls_a_gad7_below_5_remission(total, expected):
    assert in_remission(GAD7, total) is expected


@pytest.mark.parametrize("total", [-1, 4.0, False, None])
def test_it_refuses_invalid_totals_for_remission(total):
    with pytest.raises(ValueError):
        in_remission(PHQ9, total)


def test_it_offers_the_standard_questionnaire_wording():
    assert len(PHQ9.items) == 9
    assert PHQ9.items[0] == "Little interest or pleasure in doing things"
    assert PHQ9.items[1] == "Feeling down, depressed, or hopeless"
    assert PHQ9.items[8] == "Thoughts that you would be better off dead, or of hurting yourself in some way"
    assert len(GAD7.items) == 7
    assert GAD7.items[0] == "Feeling nervous, anxious, or on edge"
    assert GAD7.items[6] == "Feeling afraid, as if something awful might happen"
    for questionnaire in (PHQ9, GAD7):
        assert [(option.value, option.label) for option in questionnaire.options] == [
            (0, "Not at all"),
            (1, "Several days"),
            (2, "More than half the days"),
            (3, "Nearly every day"),
        ]
    assert PHQ9.preamble == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert GAD7.preamble == "Over the last 2 weeks, how often have you been bothered by the following problems?"
    assert (PHQ9.title, GAD7.title) == ("PHQ-9", "GAD-7")
    assert (PHQ9.max_total, GAD7.max_total) == (27, 21)


def test_the_registry_holds_each_questionnaire_under_its_code():
    assert {code: q.code for code, q in QUESTIONNAIRES.items()} == {c: c for c in ("phq9", "gad7", "pcl5", "pain")}
    assert (QUESTIONNAIRES["phq9"], QUESTIONNAIRES["gad7"]) == (PHQ9, GAD7)


def test_item_9_is_the_suicide_item():
    assert PHQ9.items[PHQ9.suicide_item_index].startswith("Thoughts that you would be better off dead")
    assert GAD7.suicide_item_index is None
