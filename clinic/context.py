"""Which clinic, what time zone, what is today: the one accessor every app asks.

Every page, service, task and command that needs the clinic's settings, its time zone, its local
date or a local day's bounds asks `clinic_context()`, never `settings.TIME_ZONE`,
`timezone.localdate()` or the Clinic row directly. Today one deployment is one clinic (its zone is
the TIME_ZONE setting); this is the seam where several locations, each with its own zone, come in.

Reads never write: the Clinic row is created by a migration (clinic 0004); when it is missing the
defaults are used, unsaved.
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

    @cached_property
    def clinic(self):
        """The clinic's settings row (name, address, reminders, screening settings): one query, on first use."""
        from clinic.models import Clinic

        return Clinic.objects.filter(pk=Clinic.SINGLE_ROW_PK).first() or Clinic(pk=Clinic.SINGLE_ROW_PK)

    def now(self) -> datetime:
        return timezone.now()

    def today(self) -> date:
        """The clinic's local calendar date now."""
        return timezone.localdate(timezone=self.tz)

    def local(self, moment: datetime) -> datetime:
        """An aware instant as the clinic's wall-clock time."""
        return moment.astimezone(self.tz)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def midnight(self, day: date) -> datetime:
        """The instant a local calendar day begins (aware, in the clinic's zone)."""
        return datetime.combine(day, time.min, tzinfo=self.tz)

    def day_bounds(self, first: date, last: date | None = None) -> tuple[datetime, datetime]:
        """[start of `first`, start of the day after `last`): the instants of local days first..last."""
        return self.midnight(first), self.midnight((last or first) + timedelta(days=1))

    def at(self, day: date, clock: time) -> datetime:
        """A local wall-clock time on a local day, as an aware instant."""
        return datetime.combine(day, clock, tzinfo=self.tz)


def clinic_context() -> ClinicContext:
    """The clinic this request, task or command works for."""
    return ClinicContext(tz=ZoneInfo(settings.TIME_ZONE))
