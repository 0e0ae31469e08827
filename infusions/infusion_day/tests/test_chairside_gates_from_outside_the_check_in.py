"""The pure start gates for what the check-in's own values do not show: an item-9 answer given before the check-in
and not followed up (the same ITEM9_FOLLOW_UP gate, released by the same decision), the patient on hold since the
check-in (ON_HOLD) and a deferral earlier the same day (DEFERRED_TODAY), neither released by any decision nor
deferring this visit."""

from decimal import Decimal

import pytest

from infusions.infusion_day.chairside import CheckIn, Thresholds, deferral_reason, may_start, start_gates

T = Thresholds()


def check_in(**changes) -> CheckIn:
    values = {
        "systolic": 120,
        "diastolic": 80,
        "heart_rate": 70,
        "spo2": 98,
        "weight_kg": Decimal("70.0"),
        "fasting_kept": True,
        "escort_name": "Sam Byron",
        "escort_phone": "+15555550100",
        "intoxicated": False,
        "item9": 0,
    }
    return CheckIn(**{**values, **changes})


def codes(gates) -> list[str]:
    return [g.code for g in gates]


def test_an_earlier_item9_answer_holds_the_start_whatever_today_s_answer():
    earlier = ("the patient's questionnaire link, Sun 6 Dec 2026, 16:00 PST",)
    [gate] = start_gates(check_in(item9=0, item9_earlier=earlier), T)
    assert (gate.code, gate.blocks, gate.needs, gate.defer_today) == (
        "ITEM9_FOLLOW_UP",
        True,
        "same_day_follow_up",
        False,
    )
    assert "answered positive before this check-in (the patient's questionnaire link, Sun 6 Dec" in gate.message
    assert "988" in gate.message and "positive today" not in gate.message
    assert not may_start([gate])

    [both] = start_gates(check_in(item9=2, item9_earlier=earlier), T)
    assert "positive today (2)" in both.message and "before this check-in" in both.message

    [released] = start_gates(check_in(item9_earlier=earlier), T, decisions={"ITEM9_FOLLOW_UP"})
    assert not released.blocks and "Released" in released.message


@pytest.mark.parametrize(
    ("changes", "code", "words"),
    [
        ({"on_hold": "Waiting for a clinician's review."}, "ON_HOLD", "On hold since the check-in: Waiting for"),
        ({"deferred_today": "earlier on Mon 7 Dec 2026"}, "DEFERRED_TODAY", "no infusion for the rest of that day"),
    ],
)
def test_a_hold_from_outside_the_check_in_blocks_is_never_released_and_defers_nothing(changes, code, words):
    [gate] = start_gates(check_in(**changes), T)
    assert (gate.code, gate.blocks, gate.needs, gate.defer_today) == (code, True, "", False)
    assert words in gate.message
    assert deferral_reason([gate]) is None
    with pytest.raises(ValueError, match="can be released"):
        start_gates(check_in(**changes), T, decisions={code})
    [still] = start_gates(check_in(**changes), T, decisions={"ITEM9_FOLLOW_UP", "BP_NEEDS_DECISION"})
    assert still.blocks


def test_every_gate_in_its_order():
    everything = check_in(
        systolic=150,
        item9=1,
        fasting_kept=False,
        on_hold="Declined by a clinician.",
        deferred_today="earlier on Mon 7 Dec 2026",
    )
    assert codes(start_gates(everything, T)) == [
        "DEFERRED_TODAY",
        "ON_HOLD",
        "ITEM9_FOLLOW_UP",
        "BP_NEEDS_DECISION",
        "NOT_FASTING",
    ]


def test_earlier_answers_are_a_tuple_never_one_string():
    with pytest.raises(ValueError, match="tuple"):
        check_in(item9_earlier="the patient's link")
