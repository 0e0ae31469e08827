"""The table-row helpers give exactly what Django's url tag and an ISO date give."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import reverse, set_script_prefix

from clinic.templatetags.rows import row_url

MOMENTS = [
    datetime(2026, 11, 1, 8, 59, tzinfo=UTC),  # 01:59 PDT, just before the clocks go back
    datetime(2026, 11, 1, 9, 30, tzinfo=UTC),  # 01:30 PST, after
    datetime(2026, 12, 31, 23, 5, tzinfo=UTC),  # still 2026 in Los Angeles
    datetime(2027, 1, 1, 7, 59, tzinfo=UTC),  # 23:59 on 31 December there
]


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load rows %}" + source).render(context)


@override_settings(TIME_ZONE="America/Los_Angeles")
@pytest.mark.parametrize("moment", MOMENTS)
def test_ymd_is_the_local_date_in_iso_8601(moment):
    assert render("{{ m|ymd }}", m=moment) == moment.astimezone(ZoneInfo("America/Los_Angeles")).date().isoformat()


def test_a_date_prints_as_the_date_filter_prints_it_and_nothing_prints_as_empty():
    assert render("{{ d|ymd }}", d=date(1950, 2, 3)) == "1950-02-03"
    assert render("{{ d|ymd }}", d=None) == ""


@pytest.mark.parametrize("name", ["intake:case", "intake:patient", "infusions:series", "infusions:day_sheet"])
def test_row_url_is_reverse(name):
    for pk in (1, 42, 1234567):
        assert row_url(name, pk) == reverse(name, args=[pk])


def test_row_url_follows_the_script_prefix():
    try:
        set_script_prefix("/clinic/")
        assert row_url("intake:case", 7) == reverse("intake:case", args=[7]) == "/clinic/intake/queue/7/"
    finally:
        set_script_prefix("/")
