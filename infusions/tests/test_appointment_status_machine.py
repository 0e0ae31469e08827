"""What may happen to a visit and a series, as the models answer it (services check it, pages ask it)."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from clinic.context import ClinicContext
from infusions.models import Appointment, InfusionSeries
from infusions.tests.helpers import LA, at

S = Appointment.Status


def visit(status, series_status=InfusionSeries.Status.ACTIVE, start=None):
    series = InfusionSeries(status=series_status)
    start = start or at(date(2026, 12, 7), 9)
    return Appointment(series=series, status=status, start=start, end=start)


@pytest.mark.parametrize(
    ("status", "arrived", "completed", "no_show", "cancel", "move"),
    [
        (S.SCHEDULED, True, True, True, True, True),
        (S.ARRIVED, False, True, False, False, False),
        (S.COMPLETED, False, False, False, False, False),
        (S.NO_SHOW, False, False, False, False, False),
        (S.CANCELLED, False, False, False, False, False),
    ],
)
def test_each_status_allows_exactly_its_next_steps(status, arrived, completed, no_show, cancel, move):
    a = visit(status)
    assert (a.can_mark_arrived, a.can_mark_completed, a.can_mark_no_show) == (arrived, completed, no_show)
    assert (a.can_cancel, a.can_move) == (cancel, move)
    assert a.can_mark(S.ARRIVED) == arrived and a.can_mark(S.NO_SHOW) == no_show


def test_a_visit_cannot_be_marked_back_to_scheduled_or_cancelled():
    assert not visit(S.SCHEDULED).can_mark(S.SCHEDULED)
    assert not visit(S.SCHEDULED).can_mark(S.CANCELLED)
    assert not visit(S.ARRIVED).can_mark("anything")


def test_a_scheduled_visit_of_an_inactive_series_cannot_be_moved_and_says_why():
    assert visit(S.ARRIVED).move_refusal() == "Only a scheduled visit can be moved."
    for ended in (InfusionSeries.Status.COMPLETED, InfusionSeries.Status.CANCELLED):
        a = visit(S.SCHEDULED, series_status=ended)
        assert not a.can_move
        assert a.move_refusal() == "The series is no longer active."
    assert visit(S.SCHEDULED).move_refusal() is None


@pytest.mark.parametrize(
    ("now", "has_come"),
    [
        (datetime(2026, 12, 7, 7, 59, tzinfo=UTC), False),  # 23:59 on the 6th in Los Angeles (08:00 UTC the 7th)
        (datetime(2026, 12, 7, 8, 0, tzinfo=UTC), True),  # 00:00 local on the visit's day
        (datetime(2026, 12, 8, 7, 0, tzinfo=UTC), True),  # 23:00 local on the visit's day
        (datetime(2026, 12, 20, 12, 0, tzinfo=UTC), True),  # days later
    ],
)
def test_marks_open_at_local_midnight_of_the_visits_day(now, has_come):
    a = visit(S.SCHEDULED, start=at(date(2026, 12, 7), 9))
    with time_machine.travel(now, tick=False):
        assert a.day_has_come(ClinicContext(tz=LA)) is has_come


@pytest.mark.parametrize(
    ("status", "active", "completed", "cancel_rest", "complete"),
    [
        (InfusionSeries.Status.ACTIVE, True, False, True, True),
        (InfusionSeries.Status.COMPLETED, False, True, False, False),
        (InfusionSeries.Status.CANCELLED, False, False, False, False),
    ],
)
def test_only_an_active_series_can_be_completed_or_cancelled(status, active, completed, cancel_rest, complete):
    series = InfusionSeries(status=status)
    assert (series.is_active, series.is_completed) == (active, completed)
    assert (series.can_cancel_rest, series.can_complete) == (cancel_rest, complete)


def test_cancelled_and_maintenance_are_read_from_the_models():
    assert visit(S.CANCELLED).is_cancelled and not visit(S.NO_SHOW).is_cancelled
    assert InfusionSeries(kind=InfusionSeries.Kind.MAINTENANCE).is_maintenance
    assert not InfusionSeries(kind=InfusionSeries.Kind.INITIAL).is_maintenance
