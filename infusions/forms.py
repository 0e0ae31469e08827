"""The booking pages' forms. They parse; the services decide (today's date, defaults, eligibility)."""

from django import forms

from infusions.models import MaintenanceOrder, OpeningHours
from infusions.planner import Preferences

PART_CHOICES = [("", "Any time"), ("morning", "Morning (starts before 12:00)"), ("afternoon", "Afternoon")]


class PatientSearchForm(forms.Form):
    q = forms.CharField(label="Name or date of birth (YYYY-MM-DD)", max_length=100, required=False)

    def query(self) -> str:
        return self.cleaned_data["q"] if self.is_valid() else ""


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
    first = forms.DateField(
        label="First visit on or after", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def wishes(self) -> dict:
        """The keyword arguments of `maintenance_propose` this form carries (maintenance plans from `first`)."""
        names = ("first", "count", "every_weeks")
        return {"preferences": self.preferences(), **{name: self._value(name) for name in names}}


class DayForm(forms.Form):
    date = forms.DateField(label="Day", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def day(self):
        """The chosen day, or None (the page's service picks its default)."""
        return self.cleaned_data.get("date") if self.is_valid() else None


class MaintenanceOrderForm(forms.Form):
    note = forms.CharField(
        label="Note for the front desk (optional)",
        max_length=200,
        required=False,
        help_text=MaintenanceOrder._meta.get_field("note").help_text,
    )
