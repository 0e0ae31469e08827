from django import forms
from django.utils import timezone

from infusions.models import OpeningHours
from infusions.planner import Preferences

PART_CHOICES = [("", "Any time"), ("morning", "Morning (starts before 12:00)"), ("afternoon", "Afternoon")]


class PatientSearchForm(forms.Form):
    q = forms.CharField(label="Name or date of birth (YYYY-MM-DD)", max_length=100, required=False)


class PreferencesForm(forms.Form):
    """The patient's wishes for the planner; every field optional."""

    earliest = forms.DateField(label="Earliest date", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    weekday = forms.TypedMultipleChoiceField(
        label="Weekdays",
        choices=OpeningHours.WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    part = forms.ChoiceField(label="Time of day", choices=PART_CHOICES, required=False)

    def earliest_date(self):
        today = timezone.localdate()
        earliest = self.cleaned_data.get("earliest") if self.is_valid() else None
        return max(earliest or today, today)

    def preferences(self) -> Preferences:
        if not self.is_valid():
            return Preferences()
        return Preferences(
            weekdays=frozenset(self.cleaned_data["weekday"]) or None,
            part_of_day=self.cleaned_data["part"] or None,
        )


class MaintenanceForm(PreferencesForm):
    count = forms.IntegerField(label="Number of visits", min_value=1, max_value=12, initial=1, required=False)
    every_weeks = forms.IntegerField(label="Every N weeks", min_value=1, max_value=26, required=False)
    first = forms.DateField(
        label="First visit on or after", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class DayForm(forms.Form):
    date = forms.DateField(label="Day", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def day(self):
        return (self.cleaned_data.get("date") if self.is_valid() else None) or timezone.localdate()
