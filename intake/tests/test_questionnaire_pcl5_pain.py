"""The PCL-5 and the 0-10 pain rating as defined, and which measures follow which indication (pure)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.questionnaires import (
    GAD7,
    MEASURE_FOR_INDICATION,
    PAIN,
    PCL5,
    PHQ9,
    QUESTIONNAIRES,
    Score,
    band,
    in_remission,
    measures_for,
    responded,
    score,
)
from intake.vocabulary import INDICATION_CHOICES


def test_it_offers_the_standard_pcl5_wording():
    assert (PCL5.code, PCL5.title) == ("pcl5", "PCL-5")
    assert PCL5.preamble == (
        "Below is a list of problems that people sometimes have in response to a very stressful experience."
        " Please read each problem carefully and then circle one of the numbers to the right to indicate how"
        " much you have been bothered by that problem in the past month."
    )
    assert len(PCL5.items) == 20
    assert PCL5.items[0] == "Repeated, disturbing, and unwanted memories of the stressful experience?"
    assert PCL5.items[2] == (
        "Suddenly feeling or acting as if the stressful experience were actually happening again"
        " (as if you were actually back there reliving it)?"
    )
    assert PCL5.items[8].startswith("Having strong negative beliefs about yourself, other people, or the world")
    assert PCL5.items[11] == "Loss of interest in activities that you used to enjoy?"
    assert PCL5.items[16] == "Being “superalert” or watchful or on guard?"
    assert PCL5.items[19] == "Trouble falling or staying asleep?"
    assert all(item.endswith("?") for item in PCL5.items)
    assert len(set(PCL5.items)) == 20
    assert [(option.value, option.label) for option in PCL5.options] == [
        (0, "Not at all"),
        (1, "A little bit"),
        (2, "Moderately"),
        (3, "Quite a bit"),
        (4, "Extremely"),
    ]
    assert PCL5.max_total == 80
    assert PCL5.suicide_item_index is None


@pytest.mark.parametrize(
    ("total", "code"), [(0, "below_threshold"), (30, "below_threshold"), (31, "probable_ptsd"), (80, "probable_ptsd")]
)
def test_it_bands_pcl5_totals_at_the_cut_point(total, code):
    assert band(PCL5, total).code == code


def test_it_labels_pcl5_bands_in_words():
    assert band(PCL5, 31).label == "probable PTSD"
    assert band(PCL5, 30).label == "below threshold"


@pytest.mark.parametrize(("questionnaire", "bad"), [(PCL5, 81), (PCL5, -1), (PAIN, 11), (PAIN, -1)])
def test_it_refuses_totals_beyond_the_scale(questionnaire, bad):
    with pytest.raises(ValueError):
        band(questionnaire, bad)


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (50, 40, True),  # exactly 10 points
        (50, 41, False),  # 9 points
        (80, 0, True),
        (9, 0, False),  # a 100% fall of 9 points is not 10 points
        (30, 35, False),  # worse
        (0, 0, False),
    ],
)
def test_a_pcl5_response_is_a_fall_of_at_least_10_points(baseline, current, expected):
    assert responded(PCL5, baseline, current) is expected


@pytest.mark.parametrize("questionnaire", [PCL5, PAIN])
def test_neither_the_pcl5_nor_the_pain_rating_defines_remission(questionnaire):
    assert questionnaire.remission_below is None
    with pytest.raises(ValueError, match="no remission cutoff"):
        in_remission(questionnaire, 0)


def test_it_offers_the_pain_rating_as_one_item_from_0_to_10():
    assert (PAIN.code, PAIN.title) == ("pain", "Pain rating")
    assert PAIN.items == (
        "Please rate your pain by choosing the number that best describes your pain on average in the last 24 hours.",
    )
    assert [option.value for option in PAIN.options] == list(range(11))
    assert PAIN.option_label(0) == "0 – no pain"
    assert PAIN.option_label(10) == "10 – pain as bad as you can imagine"
    assert PAIN.option_label(5) == "5"
    assert PAIN.max_total == 10
    assert score(PAIN, [7]) == Score(7, "severe")
    with pytest.raises(ValueError):
        score(PAIN, [11])
    with pytest.raises(ValueError):
        score(PAIN, [3, 4])


@pytest.mark.parametrize(
    ("total", "code"),
    [(0, "none"), (1, "mild"), (3, "mild"), (4, "moderate"), (6, "moderate"), (7, "severe"), (10, "severe")],
)
def test_it_bands_pain_ratings_at_each_boundary(total, code):
    assert band(PAIN, total).code == code


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (10, 7, True),  # exactly 30%
        (10, 8, False),  # 20%
        (7, 5, False),  # 28.6%
        (7, 4, True),  # 42.9%
        (3, 2, True),  # 33.3%
        (1, 0, True),
        (5, 6, False),  # worse
        (0, 0, False),  # nothing to fall from
    ],
)
def test_a_pain_response_is_a_fall_of_at_least_30_percent(baseline, current, expected):
    assert responded(PAIN, baseline, current) is expected


def test_the_registry_holds_every_measure_in_order():
    assert QUESTIONNAIRES == {"phq9": PHQ9, "gad7": GAD7, "pcl5": PCL5, "pain": PAIN}
    assert list(QUESTIONNAIRES) == ["phq9", "gad7", "pcl5", "pain"]


def test_every_indication_has_an_entry_and_every_measure_is_defined():
    assert set(MEASURE_FOR_INDICATION) == {code for code, _ in INDICATION_CHOICES}
    assert {code for code in MEASURE_FOR_INDICATION.values() if code} <= set(QUESTIONNAIRES) - {"phq9"}


@pytest.mark.parametrize(
    ("indication", "expected"),
    [
        ("depression", ("phq9",)),
        ("anxiety", ("phq9", "gad7")),
        ("ptsd", ("phq9", "pcl5")),
        ("ocd", ("phq9",)),
        ("bipolar_depression", ("phq9",)),
        ("suicidal_ideation", ("phq9",)),
        ("chronic_pain", ("phq9", "pain")),
        ("fibromyalgia", ("phq9", "pain")),
        ("migraine", ("phq9", "pain")),
        ("substance_use_disorder", ("phq9",)),
    ],
)
def test_the_phq9_comes_first_then_the_indications_own_measure(indication, expected):
    assert measures_for(indication) == expected


@pytest.mark.parametrize("indication", ["", "Depression", "insomnia", None])
def test_it_refuses_an_unknown_indication(indication):
    with pytest.raises(ValueError, match="unknown indication"):
        measures_for(indication)


@given(st.lists(st.integers(min_value=0, max_value=4), min_size=20, max_size=20))
def test_any_pcl5_answers_score_as_their_sum_in_the_right_band(answers):
    result = score(PCL5, answers)
    assert result.total == sum(answers)
    assert result.band == ("probable_ptsd" if sum(answers) >= 31 else "below_threshold")
