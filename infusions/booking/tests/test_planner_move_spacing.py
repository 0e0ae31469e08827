"""move_problems: the series' spacing rules for one moved visit (pure planner, no database)."""

from datetime import date, timedelta

import pytest

from infusions.booking.planner import MAX_WINDOW_DAYS, SeriesRules, move_problems

RULES = SeriesRules(count=6, min_gap_days=2, max_gap_days=7, window_days=21)
FIRST = date(2026, 12, 7)
# The other five visits: the 7th, 10th, 13th, 16th and 19th (the sixth, on the 22nd, is being moved).
OTHERS = [FIRST + timedelta(days=3 * n) for n in range(5)]


def kinds(day, others=OTHERS, rules=RULES):
    return [p.kind for p in move_problems(day, others, rules)]


def test_a_day_that_keeps_the_minimum_gap_and_the_window_breaks_nothing():
    assert move_problems(date(2026, 12, 21), OTHERS, RULES) == []  # 2 days after the 19th


def test_one_day_short_of_the_minimum_gap_is_refused_with_the_dates():
    (problem,) = move_problems(date(2026, 12, 20), OTHERS, RULES)  # 1 day after the 19th
    assert problem.kind == "spacing"
    assert problem.message == (
        "Sun 20 Dec 2026 is 1 day(s) from another visit of this series on Sat 19 Dec 2026; "
        "visits must be at least 2 days apart."
    )


def test_the_gap_counts_both_ways_and_the_same_day_is_too_close():
    for day in (date(2026, 12, 12), date(2026, 12, 14), date(2026, 12, 13)):  # before, after, on the 13th
        (problem,) = move_problems(day, OTHERS, RULES)
        assert problem.kind == "spacing" and "on Sun 13 Dec 2026" in problem.message
    assert kinds(date(2026, 12, 15)) == ["spacing"]  # 2 days after the 13th, but 1 before the 16th


def test_exactly_at_the_window_is_fine_and_one_day_past_needs_confirmation():
    assert kinds(FIRST + timedelta(days=RULES.window_days)) == ["max_gap"]  # 9 days after the 19th
    (gap, problem) = move_problems(FIRST + timedelta(days=RULES.window_days + 1), OTHERS, RULES)
    assert (gap.kind, problem.kind) == ("max_gap", "window")
    assert "past its window of 21 days" in problem.message and "Confirm" in problem.message


def test_exactly_at_the_cap_needs_confirmation_and_one_day_past_is_refused():
    assert MAX_WINDOW_DAYS == 28
    assert kinds(FIRST + timedelta(days=MAX_WINDOW_DAYS)) == ["max_gap", "window"]
    (_, problem) = move_problems(FIRST + timedelta(days=MAX_WINDOW_DAYS + 1), OTHERS, RULES)
    assert problem.kind == "max_window"
    assert problem.message == "The series would span 29 days; it may never span more than 28 days."


def test_the_cap_holds_even_for_a_protocol_whose_window_is_the_cap():
    rules = SeriesRules(window_days=MAX_WINDOW_DAYS)
    assert kinds(FIRST + timedelta(days=28), rules=rules) == ["max_gap"]
    assert kinds(FIRST + timedelta(days=29), rules=rules) == ["max_gap", "max_window"]


def test_moving_the_first_visit_earlier_stretches_the_span_from_the_other_end():
    others = OTHERS[1:] + [FIRST + timedelta(days=15)]  # the 10th..22nd stay; the 7th moves
    assert kinds(date(2026, 12, 1)) == []  # 18 days before the 19th: within 21 of the rest
    assert kinds(date(2026, 11, 30), others=others) == ["max_gap", "window"]  # 22 days to the 22nd
    assert kinds(date(2026, 11, 23), others=others) == ["max_gap", "max_window"]  # 29 days to the 22nd


def test_spacing_problems_come_before_the_span():
    too_close_and_far = OTHERS + [FIRST + timedelta(days=40)]
    assert kinds(date(2026, 12, 20), others=too_close_and_far) == ["spacing", "max_gap", "max_window"]


@pytest.mark.parametrize("gap", [3, 4, 5])
def test_a_wider_minimum_gap_is_the_protocols(gap):
    rules = SeriesRules(min_gap_days=gap, max_gap_days=7, window_days=21)
    assert kinds(date(2026, 12, 19) + timedelta(days=gap - 1), others=[date(2026, 12, 19)], rules=rules) == ["spacing"]
    assert kinds(date(2026, 12, 19) + timedelta(days=gap), others=[date(2026, 12, 19)], rules=rules) == []


def test_leaving_more_than_the_maximum_gap_between_neighbours_needs_confirmation():
    # The last visit (the 22nd) moved to the 30th: 11 days after the 19th, past the 7-day maximum.
    (problem,) = move_problems(date(2026, 12, 30), OTHERS, SeriesRules(window_days=28))
    assert problem.kind == "max_gap"
    assert problem.message.startswith("Wed 30 Dec 2026 would be 11 days after the visit before it (Sat 19 Dec 2026)")
    # Moving a middle visit away can open a gap between the visits either side of it too.
    others = [FIRST, FIRST + timedelta(days=8)]
    assert kinds(FIRST + timedelta(days=4), others=others) == []
    assert kinds(FIRST + timedelta(days=10), others=others) == ["max_gap"]
