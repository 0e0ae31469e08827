"""`{% load when %}`: the clinic's date and time formats (clinic/when.py) as template filters and a tag.

    {{ visit.start|when }}   Tue 1 Dec 2026, 14:30 PST    (also |day, |day_short, |birth_date, |clock, |zone)
    {% zone_name day %}      Pacific time (PST)           (once near a page's times; a week: monday sunday)

Times are on the active zone's wall clock: the current location's (the middleware), or a `{% timezone %}` block's.
"""

from django import template
from django.utils import timezone

from clinic import when

register = template.Library()


# Each filter is strftime on the local value: as cheap as clinic/templatetags/rows.py's helpers.
def _tz():
    return timezone.get_current_timezone()


@register.filter
def day(value) -> str:
    return when.day(value, _tz())


@register.filter
def day_short(value) -> str:
    return when.day_short(value, _tz())


@register.filter
def birth_date(value) -> str:
    return when.birth_date(value)


@register.filter
def clock(value) -> str:
    return when.clock(value, _tz())


@register.filter(name="when")
def when_(value) -> str:
    return when.when(value, _tz())


@register.filter
def zone(value) -> str:
    return when.zone(value, _tz())


@register.simple_tag
def zone_name(first=None, last=None, tz=None) -> str:
    """`tz=location.tz` names that location's zone rather than the active one."""
    return when.zone_name(tz or _tz(), first, last)
