"""Which organisation, which location, what time zone, what is today: the one accessor every app asks.

Pages, services, tasks and commands ask `clinic_context(location)`, never `settings.TIME_ZONE`,
`timezone.localdate()` or the rows directly, so a visit's times are always its location's (pass
`appointment.chair.location` or `series.location`). Reads never write: without the organisation row (made by
migration clinic 0004), the defaults are used, unsaved.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class ClinicContext:
    tz: ZoneInfo
    location: object = None  # a clinic.models.Location, or None for the organisation's home zone

    @cached_property
    def clinic(self):
        """The organisation's settings row (reminders, screening settings): one query, on first use."""
        from clinic.models import Clinic

        return Clinic.objects.filter(pk=Clinic.SINGLE_ROW_PK).first() or Clinic(pk=Clinic.SINGLE_ROW_PK)

    def now(self) -> datetime:
        return timezone.now()

    def today(self) -> date:
        """The location's local calendar date now."""
        return timezone.localdate(timezone=self.tz)

    def local(self, moment: datetime) -> datetime:
        """An aware instant as the location's wall-clock time."""
        return moment.astimezone(self.tz)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def midnight(self, day: date) -> datetime:
        """The instant a local calendar day begins (aware, in the location's zone)."""
        return datetime.combine(day, time.min, tzinfo=self.tz)

    def day_bounds(self, first: date, last: date | None = None) -> tuple[datetime, datetime]:
        """[start of `first`, start of the day after `last`): the instants of local days first..last."""
        return self.midnight(first), self.midnight((last or first) + timedelta(days=1))

    def at(self, day: date, clock: time) -> datetime:
        """A local wall-clock time on a local day, as an aware instant."""
        return datetime.combine(day, clock, tzinfo=self.tz)


def clinic_context(location=None) -> ClinicContext:
    """The context a request, task or command works in: `location`'s zone, or the organisation's home zone."""
    if location is None:
        return ClinicContext(tz=ZoneInfo(settings.TIME_ZONE))
    return ClinicContext(tz=location.tz, location=location)
