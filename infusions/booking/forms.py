"""The booking pages' forms. They parse; the services decide (today's date, defaults, eligibility)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django import forms

from clinic import when as fmt
from clinic.context import clinic_context
from infusions.booking.planner import Preferences
from infusions.models import MaintenanceOrder, OpeningHours
from intake.forms import SEARCH_HELP, SEARCH_LABEL

# Dates a booking page accepts, around the clinic's today: a visit is booked or moved within this range.
BOOKING_PAST_DAYS, BOOKING_FUTURE_DAYS = 366, 2 * 366
# Dates the schedule (day and week views) shows: the clinic's records, years back and ahead.
SCHEDULE_PAST_DAYS, SCHEDULE_FUTURE_DAYS = 10 * 366, 5 * 366
# A plan's visit times in the address (`chair@unix time`): years 2000 to 2100, chair ids as the database keeps them.
EARLIEST_STAMP, LATEST_STAMP = 946684800, 4102444800
LARGEST_ID = 2**31 - 1


class BoundedDateField(forms.DateField):
    """A date within `past_days` before and `future_days` after the clinic's today, else a message saying which."""

    def __init__(self, *, past_days: int, future_days: int, **kwargs):
        self.past_days, self.future_days = past_days, future_days
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        today = clinic_context().today()
        first, last = today - timedelta(days=self.past_days), today + timedelta(days=self.future_days)
        if not first <= value <= last:
            raise forms.ValidationError(f"Choose a date between {fmt.day(first)} and {fmt.day(last)}.", code="range")


def _booking_date(label: str) -> BoundedDateField:
    return BoundedDateField(
        label=label,
        required=False,
        past_days=BOOKING_PAST_DAYS,
        future_days=BOOKING_FUTURE_DAYS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def decode_visit(chair: str, stamp: str) -> tuple[datetime, int]:
    """A visit as the pages carry it (chair id and unix time) as (aware start, chair id); ValueError otherwise."""
    chair_id, seconds = int(chair), int(stamp)
    if not 0 < chair_id <= LARGEST_ID or not EARLIEST_STAMP <= seconds <= LATEST_STAMP:
        raise ValueError("visit out of range")
    return datetime.fromtimestamp(seconds, tz=UTC), chair_id


PART_CHOICES = [("", "Any time"), ("morning", "Morning (starts before 12:00)"), ("afternoon", "Afternoon")]


class PatientSearchForm(forms.Form):
    q = forms.CharField(label=SEARCH_LABEL, help_text=SEARCH_HELP, max_length=100, required=False)

    def query(self) -> str:
        return self.cleaned_data["q"] if self.is_valid() else ""


class PreferencesForm(forms.Form):
    """The patient's wishes for the planner; every field optional."""

    earliest = _booking_date("Earliest date")
    weekday = forms.TypedMultipleChoiceField(
        label="Weekdays",
        choices=OpeningHours.WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    part = forms.ChoiceField(label="Time of day", choices=PART_CHOICES, required=False)

    def preferences(self) -> Preferences:
        if not self.is_valid():
            return Preferences()
        return Preferences(
            weekdays=frozenset(self.cleaned_data["weekday"]) or None,
            part_of_day=self.cleaned_data["part"] or None,
        )

    def _value(self, name):
        return self.cleaned_data.get(name) if self.is_valid() else None

    def wishes(self) -> dict:
        """The keyword arguments of `series_propose` this form carries."""
        return {"earliest": self._value("earliest"), "preferences": self.preferences()}


class MaintenanceForm(PreferencesForm):
    count = forms.IntegerField(label="Number of visits", min_value=1, max_value=12, initial=1, required=False)
    every_weeks = forms.IntegerField(label="Every N weeks", min_value=1, max_value=26, required=False)
    first = _booking_date("First visit on or after")

    def wishes(self) -> dict:
        """The keyword arguments of `maintenance_propose` this form carries (maintenance plans from `first`)."""
        names = ("first", "count", "every_weeks")
        return {"preferences": self.preferences(), **{name: self._value(name) for name in names}}


class DayForm(forms.Form):
    """One day of a booking page (other times for a visit, moving a visit)."""

    date = _booking_date("Day")

    def day(self) -> date | None:
        """The chosen day, or None (the page's service picks its default)."""
        return self.cleaned_data.get("date") if self.is_valid() else None

    def shown(self, day: date) -> DayForm:
        """The form to show with the page's day: this one with its errors when the input was refused."""
        if self.is_bound and not self.is_valid():
            return self
        return type(self)(initial={"date": day})


class ScheduleDayForm(DayForm):
    """The day of the schedule's day and week views: a wider range than booking, for the clinic's records."""

    date = BoundedDateField(
        label="Day",
        required=False,
        past_days=SCHEDULE_PAST_DAYS,
        future_days=SCHEDULE_FUTURE_DAYS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class MaintenanceOrderForm(forms.Form):
    note = forms.CharField(
        label="Note for the front desk (optional)",
        max_length=200,
        required=False,
        help_text=MaintenanceOrder._meta.get_field("note").help_text,
    )
