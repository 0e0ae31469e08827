"""The navigation's worklist counts run SQL compiled once per process: the same SQL, the same
parameters and the same counts as counting the worklists' own querysets, at any moment and location."""

from datetime import UTC, datetime

import pytest
import time_machine

from clinic.tests.factories import main_location
from infusions.floor import selectors as floor
from infusions.floor.tests.test_worklists import _many, chairs  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
SHAPES = [(True, True), (True, False), (False, True)]


def _slow(front_desk, coordinator, location, now):
    moments = floor._moments(location, now)
    lists = floor._querysets(front_desk=front_desk, coordinator=coordinator, moments=moments)
    return moments, lists, {name: queryset.count() for name, queryset in lists.items()}


@pytest.mark.parametrize("front_desk,coordinator", SHAPES)
@pytest.mark.parametrize("with_location", [True, False])
def test_the_compiled_counts_are_the_querysets_counted(chairs, front_desk, coordinator, with_location):  # noqa: F811
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        _many(15, chairs)
    location = main_location() if with_location else None
    # Two moments a day apart: the compiled SQL is reused, each request's moments go in.
    for when in (datetime(2026, 12, 1, 16, 0, tzinfo=UTC), datetime(2026, 12, 2, 7, 30, tzinfo=UTC)):
        with time_machine.travel(when, tick=False):
            moments, lists, expected = _slow(front_desk, coordinator, location, when)
            counts = floor.worklist_counts(front_desk=front_desk, coordinator=coordinator, location=location)
            assert counts.pop("total") == sum(counts.values())
            assert counts == expected
            sql, params = floor._count_sql(lists)
            names, compiled_sql, slots = floor._compiled(front_desk, coordinator, with_location)
            assert compiled_sql == sql
            assert [adapt(moments[name]) if name else adapt for name, adapt in slots] == params
            assert names == tuple(lists)


def test_each_moment_reaches_the_compiled_parameters():
    """Every stand-in is found among the parameters (none silently kept as a constant of the SQL)."""
    _names, _sql, slots = floor._compiled(True, True, True)
    assert {name for name, _ in slots if name} == set(floor._STAND_INS)
