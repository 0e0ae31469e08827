"""Visits keep their wall-clock time across the clocks changing (America/Los_Angeles)."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.test import override_settings

from clinic.tests.factories import front_desk
from infusions.booking.planner import Plan
from infusions.booking.selectors import propose_series
from infusions.booking.services import series_book
from infusions.tests.helpers import LA, bookable_patient, clinic, depression, main_clinic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_la")]


@pytest.fixture
def _la():
    with override_settings(TIME_ZONE="America/Los_Angeles"):
        yield


@pytest.mark.parametrize(
    ("today", "earliest", "change"),
    [
        (datetime(2026, 10, 20, 12, tzinfo=UTC), date(2026, 10, 27), date(2026, 11, 1)),  # PDT -> PST
        (datetime(2027, 3, 1, 12, tzinfo=UTC), date(2027, 3, 9), date(2027, 3, 14)),  # PST -> PDT
    ],
)
def test_a_series_across_a_change_of_clocks_stays_at_nine_local(today, earliest, change):
    clinic(chairs=1)
    from infusions.models import OpeningHours

    OpeningHours.objects.update(opens=time(9, 0))
    patient = bookable_patient()
    with time_machine.travel(today, tick=False):
        plan = propose_series(patient, depression(), clinic=main_clinic(), earliest=earliest, now=today)
        assert isinstance(plan, Plan)
        series = series_book(
            patient=patient,
            visits=[(v.start, v.chair_id) for v in plan.visits],
            by=front_desk(),
        )
    visits = list(series.appointments.order_by("start"))
    local = [v.start.astimezone(LA) for v in visits]
    assert [t.time() for t in local] == [time(9, 0)] * 6
    assert [(v.end - v.start).total_seconds() for v in visits] == [90 * 60] * 6
    assert [t.time() for t in (v.end.astimezone(LA) for v in visits)] == [time(10, 30)] * 6
    assert local[0].date() < change < local[-1].date()
    # The same wall-clock time is a different UTC hour on either side of the change.
    assert len({v.start.astimezone(UTC).hour for v in visits}) == 2
