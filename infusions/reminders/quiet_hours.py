"""SMS quiet hours: when a text message may not reach a patient's phone. Pure: no Django, no database.

The window is a location's local wall-clock time (`start` until `end`, e.g. 21:00 until 08:00, so it
may cross midnight) in that location's time zone; both are passed in (`QuietHours.at(location,
organisation)` reads them off a location without importing it). Instants in and out are aware
datetimes (UTC out). Reminder offsets are elapsed hours, but quiet hours follow the clock on the
wall, so on the nights the clocks change the window is an hour longer or shorter in elapsed time.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

# An SMS due in quiet hours goes out this long before they begin (20:00 for 21:00): an hour of slack
# so a dispatch that runs a little late still lands before the window opens.
EVENING_MARGIN = timedelta(hours=1)


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time
    tz: tzinfo

    @classmethod
    def at(cls, location, organisation) -> "QuietHours":
        """The window at a location: its own override or the organisation's default
        (`location.quiet_hours(organisation)`), in the location's time zone (`location.tz`)."""
        start, end = location.quiet_hours(organisation)
        return cls(start=start, end=end, tz=location.tz)

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def send_before(self, moment: datetime) -> datetime:
        """`moment` if an SMS may go out then, else the evening before this quiet spell began (20:00 by default)."""
        if not self.contains(moment):
            return moment
        local = moment.astimezone(self.tz)
        began = local.date() if local.time() >= self.start else local.date() - timedelta(days=1)
        # Wall-clock arithmetic (naive), so a spell beginning just after midnight moves to the day before.
        evening = datetime.combine(began, self.start) - EVENING_MARGIN
        return evening.replace(tzinfo=self.tz).astimezone(UTC)

    def send_after(self, moment: datetime) -> datetime:
        """The first instant at or after `moment` outside quiet hours."""
        if not self.contains(moment):
            return moment
        local = moment.astimezone(self.tz)
        day = local.date() if local.time() < self.end else local.date() + timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=self.tz).astimezone(UTC)
