"""Helpers for the rows of long tables: the same text as `{% url %}` and an ISO date, at a fraction of the cost.

Profiling the list pages (patient search, review queue, day and week views) showed Django's `url`
tag (a full reverse per row) and its date formatting (format strings parsed, localised, per value)
as about half of a 50-row table's rendering. Here a URL name is reversed once per script prefix and
each row fills in its id. `|ymd` is the machine date of links and `<input type=date>` values; dates
and times to read are clinic/templatetags/when.py's (`|day`, `|clock`, `|when`), as cheap.
"""

from datetime import date, datetime
from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import timezone

register = template.Library()

_MARKER = 4_294_967_291  # an id no table holds, replaced by each row's


@lru_cache(maxsize=64)
def _url_parts(name: str, prefix: str) -> tuple[str, str]:
    before, _, after = reverse(name, args=[_MARKER]).partition(str(_MARKER))
    return before, after


@register.simple_tag
def row_url(name: str, pk) -> str:
    """`{% row_url 'intake:case' s.pk %}`: reverse(name, args=[pk]) for a URL with one integer id."""
    before, after = _url_parts(name, get_script_prefix())
    return f"{before}{int(pk)}{after}"


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def ymd(value) -> str:
    """'2026-12-01' (ISO 8601) for a link or an input's value: a date, or an aware datetime's date in the current
    time zone. Never text to read (a test keeps it so)."""
    if isinstance(value, datetime):
        return _local(value).date().isoformat()
    return value.isoformat() if isinstance(value, date) else ""
