"""One date and time format across the application (clinic/when.py): nothing writes a format of its own.

A template shows dates and times only through `{% load when %}` (`|day`, `|day_short`, `|birth_date`,
`|clock`, `|when`, `|zone`, `{% zone_name %}`) or Django's named formats (a bare `|date`, `|time`, which
clinic/formats/en/formats.py makes the same). Python display code calls clinic/when.py. Machine values
stay ISO 8601: `|ymd` only as an attribute value or URL parameter, `date.isoformat()` in Python.
"""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted(p for p in (ROOT / "templates").rglob("*") if p.suffix in {".html", ".txt"})
PYTHON = sorted(
    p
    for app in ("clinic", "intake", "infusions")
    for p in (ROOT / app).rglob("*.py")
    if "tests" not in p.parts and "migrations" not in p.parts
)
# Python that may write a format: the one module of formats, and machine stamps with the reason.
PYTHON_ALLOWED = {
    "clinic/when.py": "the clinic's formats",
    "infusions/reminders/sms.py": "the file backend's file names (a sortable UTC stamp, not read by anyone)",
}

LITERAL_FILTER = re.compile(r"\|\s*(date|time)\s*:")
YMD = re.compile(r"\{\{[^}]*\|\s*ymd\b[^}]*\}\}")
STRFTIME = re.compile(r"\.strftime\(")
FORMAT_SPEC = re.compile(r"\{[^{}\n]*:[^{}\n]*%[-#]?[aAbBdHIjmMpSyYZ][^{}\n]*\}")
ISO_IN_TEXT = re.compile(r"[^=]\{[^{}\n]*\.isoformat\(\)\}")


def _in_attribute(text: str, at: int) -> bool:
    """Inside a quoted attribute value (`value="…{{ d|ymd }}`) or a URL parameter (`?date={{ d|ymd }}`)."""
    line = text[text.rfind("\n", 0, at) + 1 : at]
    return line.endswith("=") or line.count('"') % 2 == 1


def _where(path: Path, text: str, match) -> str:
    return f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)}"


def test_no_template_writes_a_date_or_time_format_of_its_own():
    found = []
    for path in TEMPLATES:
        text = path.read_text()
        found += [_where(path, text, m) for m in LITERAL_FILTER.finditer(text)]
    assert found == [], "use {% load when %} (|day, |clock, |when ...), not a format string:\n" + "\n".join(found)


def test_iso_dates_in_templates_are_only_machine_values():
    # `|ymd` is for <input type=date> values and ?date= links; a date to read is `|day`.
    found = []
    for path in TEMPLATES:
        text = path.read_text()
        found += [_where(path, text, m) for m in YMD.finditer(text) if not _in_attribute(text, m.start())]
    assert found == [], "a date shown to a reader is |day, not |ymd:\n" + "\n".join(found)


def test_no_python_display_code_writes_a_date_or_time_format_of_its_own():
    found = []
    for path in PYTHON:
        if str(path.relative_to(ROOT)) in PYTHON_ALLOWED:
            continue
        text = path.read_text()
        for pattern in (STRFTIME, FORMAT_SPEC, ISO_IN_TEXT):
            found += [_where(path, text, m) for m in pattern.finditer(text)]
    assert found == [], "write dates and times with clinic.when (fmt.day, fmt.clock, fmt.when):\n" + "\n".join(found)


def test_the_scans_see_what_they_are_meant_to_refuse():
    assert LITERAL_FILTER.search('{{ a.start|date:"D j M Y" }}') and LITERAL_FILTER.search("{{ a|time:'H:i' }}")
    assert not LITERAL_FILTER.search("{{ a.start|day }} {{ a.start|date }} {{ a.start|time }}")
    assert STRFTIME.search('local.strftime("%A %-d %B %Y")')
    assert FORMAT_SPEC.search('f"{local:%A %-d %B %Y} at {local:%-I:%M %p}"')
    assert FORMAT_SPEC.search('f"re-screen on {decision.rescreen_on:%Y-%m-%d}."')
    assert not FORMAT_SPEC.search('f"{value:.1f} {count:>3}"')
    assert ISO_IN_TEXT.search('f"Visit 2 ({dates[n].isoformat()})"')
    assert not ISO_IN_TEXT.search('f"?date={day.isoformat()}"')


# --- Django's named formats are the same formats -------------------------------------------------

# Not the repeated hour when the clocks go back: there Django's "T" writes no abbreviation, while
# clinic.when names which of the two it is (test_when_formats.py).
MOMENTS = [
    datetime(2026, 3, 8, 9, 59, tzinfo=UTC),  # 01:59 PST, just before the clocks go forward in Los Angeles
    datetime(2026, 3, 8, 10, 0, tzinfo=UTC),  # 03:00 PDT
    datetime(2026, 7, 1, 21, 30, tzinfo=UTC),  # 14:30 PDT, 15:30 MDT
    datetime(2026, 12, 31, 23, 5, tzinfo=UTC),  # still 2026 in Los Angeles
]


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load when %}" + source).render(context)


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "America/Denver"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_djangos_named_formats_print_what_the_when_filters_print(moment, zone):
    with override_settings(TIME_ZONE=zone):
        assert render(
            '{{ m|date }}|{{ m|date:"SHORT_DATE_FORMAT" }}|{{ m|time }}|{{ m|date:"DATETIME_FORMAT" }}', m=moment
        ) == render("{{ m|day }}|{{ m|day_short }}|{{ m|clock }}|{{ m|when }}", m=moment)


def test_typed_dates_are_read_as_before():
    from django import forms

    field = forms.DateField()
    for typed in ("1991-09-02", "09/02/1991", "9/2/91"):
        assert field.clean(typed) == date(1991, 9, 2)
