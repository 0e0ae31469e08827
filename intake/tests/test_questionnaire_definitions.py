"""The Questionnaire dataclass expresses the scales that come next, and refuses a broken definition.

Stand-ins only (placeholder item texts): the real PCL-5 and pain-rating definitions, with their
exact wording, belong to the outcomes work.
"""

from dataclasses import replace
from fractions import Fraction

import pytest

from intake.questionnaires import PHQ9, Band, Option, Questionnaire, band, in_remission, responded, score

# PCL-5 shape: 20 items scored 0-4 (total 0-80); 31-33 suggests probable PTSD (this stand-in
# uses 31); a 10-point drop is clinically meaningful (VA National Center for PTSD).
PCL5_LIKE = Questionnaire(
    code="pcl5",
    title="PCL-5",
    preamble="In the past month, how much were you bothered by:",
    items=tuple(f"Item {number}" for number in range(1, 21)),
    options=tuple(Option(value, label) for value, label in enumerate(["0", "1", "2", "3", "4"])),
    bands=(Band(30, "below_cutoff", "below the cutoff"), Band(80, "probable_ptsd", "probable PTSD")),
    response_points=10,
)

# A 0-10 numeric pain rating: one item; a 30% reduction is a moderately important improvement (IMMPACT).
PAIN = Questionnaire(
    code="pain",
    title="Pain (0-10)",
    preamble="Rate your pain on average over the last 24 hours.",
    items=("Pain",),
    options=tuple(Option(value, str(value)) for value in range(11)),
    bands=(Band(10, "rated", "rated"),),
    response_fraction=Fraction(3, 10),
)


def test_it_expresses_the_pcl5_shape():
    assert PCL5_LIKE.max_value == 4 and PCL5_LIKE.max_total == 80
    assert score(PCL5_LIKE, [4] * 20).total == 80
    assert band(PCL5_LIKE, 30).code == "below_cutoff"
    assert band(PCL5_LIKE, 31).code == "probable_ptsd"
    assert responded(PCL5_LIKE, 50, 40) is True  # 10 points
    assert responded(PCL5_LIKE, 50, 41) is False
    assert responded(PCL5_LIKE, 5, 0) is False  # a 100% fall of 5 points is not 10 points
    with pytest.raises(ValueError):
        in_remission(PCL5_LIKE, 10)  # no remission cutoff defined
    with pytest.raises(ValueError):
        band(PCL5_LIKE, 81)


def test_it_expresses_a_0_to_10_pain_rating():
    assert score(PAIN, [7]).total == 7
    with pytest.raises(ValueError):
        score(PAIN, [11])
    assert responded(PAIN, 10, 7) is True  # exactly 30%
    assert responded(PAIN, 10, 8) is False
    assert responded(PAIN, 7, 5) is False  # 28.6%
    assert responded(PAIN, 0, 0) is False


@pytest.mark.parametrize(
    "change",
    [
        {"items": ()},
        {"options": ()},
        {"options": (Option(1, "a"), Option(0, "b"))},  # not ascending
        {"options": (Option(0, "a"), Option(0, "b"))},  # not distinct
        {"bands": ()},
        {"bands": (Band(4, "a", "a"), Band(26, "b", "b"))},  # stops short of 27
        {"bands": (Band(9, "a", "a"), Band(4, "b", "b"), Band(27, "c", "c"))},  # not ascending
        {"response_fraction": None},  # neither fraction nor points
        {"response_points": 5},  # both
        {"response_fraction": Fraction(3, 2)},
        {"suicide_item_index": 9},
    ],
)
def test_it_refuses_a_broken_definition(change):
    with pytest.raises(ValueError):
        replace(PHQ9, **change)
