"""The clinic's one way of writing a date or a time, for pages, admin, messages, reminders and notices.

One module, so a visit's time reads the same everywhere and a test can forbid any format of a template's own. Pure:
a datetime is written on the wall clock of `tz` when one is given (a visit's location's zone), else of its own
tzinfo. The formats and where each is used: docs/configuration.md#dates-and-times.
"""

from datetime import date, datetime, time, tzinfo

# Zones staff know by region; the abbreviation says which half of the year it is.
_REGIONS = {
    "PST": "Pacific",
    "PDT": "Pacific",
    "MST": "Mountain",
    "MDT": "Mountain",
    "CST": "Central",
    "CDT": "Central",
    "EST": "Eastern",
    "EDT": "Eastern",
    "AKST": "Alaska",
    "AKDT": "Alaska",
    "HST": "Hawaii",
}
NOON = time(12)


def _local(value, tz: tzinfo | None):
    if isinstance(value, datetime) and tz is not None and value.tzinfo is not None:
        return value.astimezone(tz)
    return value


def day(value, tz: tzinfo | None = None) -> str:
    """'Tue 1 Dec 2026' for a date, or a datetime's date on `tz`'s wall clock."""
    if not isinstance(value, date):
        return ""
    value = _local(value, tz)
    return f"{value:%a} {value.day} {value:%b %Y}"


def day_short(value, tz: tzinfo | None = None) -> str:
    """'Tue 1 Dec'."""
    if not isinstance(value, date):
        return ""
    value = _local(value, tz)
    return f"{value:%a} {value.day} {value:%b}"


def birth_date(value) -> str:
    """'1 Sep 1991'."""
    if not isinstance(value, date):
        return ""
    return f"{value.day} {value:%b %Y}"


def clock(value, tz: tzinfo | None = None) -> str:
    """'14:30' for a datetime on `tz`'s wall clock, or a time of day."""
    if not isinstance(value, datetime | time):
        return ""
    return f"{_local(value, tz):%H:%M}"


def zone(value, tz: tzinfo | None = None) -> str:
    """The zone's abbreviation at that moment ('PST', 'PDT'); for a date, at its noon, when clinics are open."""
    if isinstance(value, datetime):
        moment = _local(value, tz) if value.tzinfo is not None else value.replace(tzinfo=tz)
    elif isinstance(value, date):
        moment = datetime.combine(value, NOON, tzinfo=tz)
    else:
        return ""
    return moment.tzname() or ""


def when(value, tz: tzinfo | None = None) -> str:
    """'Tue 1 Dec 2026, 14:30 PST': a moment that stands on its own."""
    if not isinstance(value, datetime):
        return ""
    value = _local(value, tz)
    abbreviation = value.tzname()
    return f"{day(value)}, {clock(value)} {abbreviation}" if abbreviation else f"{day(value)}, {clock(value)}"


def zone_name(tz: tzinfo, first=None, last=None) -> str:
    """'Pacific time (PST)' for the days first..last (dates or datetimes); 'Pacific time (PDT/PST)' across a change.

    Zones with no regional name are named by their city ('Dubai time (+04)'); with no day, the name alone."""
    first = _as_date(first, tz)
    last = _as_date(last, tz) or first
    abbreviations = []
    if first is not None:
        for ordinal in range(first.toordinal(), max(first, last).toordinal() + 1):
            abbreviation = zone(date.fromordinal(ordinal), tz)
            if abbreviation not in abbreviations:
                abbreviations.append(abbreviation)
    region = _REGIONS.get(abbreviations[0]) if abbreviations else _REGIONS.get(zone(datetime.now(tz)))
    if region is None:
        region = str(tz).rsplit("/", 1)[-1].replace("_", " ")
    return f"{region} time ({'/'.join(abbreviations)})" if abbreviations else f"{region} time"


def _as_date(value, tz) -> date | None:
    if isinstance(value, datetime):
        return _local(value, tz).date()
    return value if isinstance(value, date) else None
