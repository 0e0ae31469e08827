"""What the result, case and queue pages ask a stored screening and its flags."""

import pytest

from clinic.tests.factories import ScreeningFactory
from intake.models import Flag

pytestmark = pytest.mark.django_db


def test_score_lines_give_each_questionnaire_in_order_with_its_band_in_words():
    screening = ScreeningFactory(scores={"gad7": None, "phq9": {"total": 16, "band": "moderately_severe"}})
    lines = screening.score_lines
    assert [(line.code, line.title) for line in lines] == [("phq9", "PHQ-9"), ("gad7", "GAD-7")]
    assert (lines[0].total, lines[0].band) == (16, "moderately severe")
    assert (lines[1].total, lines[1].band) == (None, None)


def test_only_an_exclude_outcome_needs_a_justification_to_approve():
    assert ScreeningFactory(outcome="exclude").approval_needs_justification
    for outcome in ("clear", "review", "defer"):
        assert not ScreeningFactory(outcome=outcome).approval_needs_justification


def test_a_note_is_for_information_only():
    screening = ScreeningFactory(outcome="review")
    note = Flag.objects.create(screening=screening, position=0, code="X", severity="note", reason="r", source="s")
    review = Flag.objects.create(screening=screening, position=1, code="Y", severity="review", reason="r", source="s")
    assert note.is_note and not review.is_note
