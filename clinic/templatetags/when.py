"""`{% load when %}`: the clinic's date and time formats (clinic/when.py) in templates.

    {{ visit.start|day }}          Tue 1 Dec 2026
    {{ visit.start|day_short }}    Tue 1 Dec
    {{ patient.date_of_birth|birth_date }}   1 Sep 1991
    {{ visit.start|clock }}        14:30
    {{ visit.start|when }}         Tue 1 Dec 2026, 14:30 PST
    {{ visit.start|zone }}         PST
    {% zone_name day %}            Pacific time (PST)    (once near a page's times)
    {% zone_name monday sunday %}  Pacific time (PDT/PST) (a week across a change of the clocks)
    {% zone_name day tz=location.tz %}   a given location's zone rather than the active one

Datetimes are written on the active zone's wall clock: the current location's (the middleware), or
the one a `{% timezone %}` block sets (a visit at another location). strftime on the local value, as
cheap as clinic/templatetags/rows.py's helpers; no template writes a format of its own (a test scans
for `|date:"…"` and `|time:"…"`).
"""

from django import template
from django.utils import timezone

from clinic import when

register = template.Library()


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
