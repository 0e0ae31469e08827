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
    ("status", "arrived", "no_show", "cancel", "move"),
    [
        (S.SCHEDULED, True, True, True, True),
        (S.ARRIVED, False, False, False, False),
        (S.COMPLETED, False, False, False, False),
        (S.NO_SHOW, False, False, False, False),
        (S.CANCELLED, False, False, False, False),
        (S.DEFERRED, False, False, False, False),
    ],
)
@time_machine.travel(datetime(2026, 12, 8, 12, 0, tzinfo=UTC), tick=False)  # after the visit
def test_each_status_allows_exactly_its_next_steps(status, arrived, no_show, cancel, move):
    a = visit(status)
    assert (a.can_mark_arrived, a.can_mark_no_show) == (arrived, no_show)
    assert not a.can_mark(S.COMPLETED)  # a visit is completed by its discharge, never by a mark
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
    ("now", "arrived", "no_show"),
    [
        (datetime(2026, 12, 7, 16, 59, tzinfo=UTC), False, False),  # 08:59 local, before the start
        (datetime(2026, 12, 7, 17, 0, tzinfo=UTC), True, True),  # 09:00 local, the start
        (datetime(2026, 12, 7, 18, 30, tzinfo=UTC), True, True),  # 10:30, the end
    ],
)
def test_arrived_and_no_show_open_at_the_start(now, arrived, no_show):
    a = visit(S.SCHEDULED, start=at(date(2026, 12, 7), 9))
    a.end = at(date(2026, 12, 7), 10, 30)
    clinic = ClinicContext(tz=LA)
    with time_machine.travel(now, tick=False):
        assert (a.can_mark_arrived, a.can_mark_no_show) == (arrived, no_show)
        assert (a.mark_refusal(S.ARRIVED, clinic) is None) is arrived
    with time_machine.travel(datetime(2026, 12, 7, 16, 0, tzinfo=UTC), tick=False):
        assert a.mark_refusal(S.NO_SHOW, clinic) == (
            "This visit starts at 09:00 on Mon 7 Dec 2026; it can be marked no-show from then."
        )


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
