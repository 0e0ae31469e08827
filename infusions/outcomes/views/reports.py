"""Outcome reports: one location's figures for a range of its local dates, on a page and as a CSV file.

Who sees which location: the page needs `infusions.view_outcome_report` (clinicians and the staff admin).
A clinician reports on the locations they work at: another location's report is refused with 403
(`check_location`). A user who also holds `clinic.view_location` (the staff admin, who sets the locations
up and need not work at any) may choose every active location. The figures are aggregates only: no
patient's name or id is on the page or in the CSV.
"""

import csv
from datetime import timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.text import slugify

from clinic.context import clinic_context
from clinic.locations import NO_LOCATION, check_location, current_location_or_none, user_locations
from clinic.models import Location
from clinic.roles import may, require
from infusions.booking.forms import SCHEDULE_PAST_DAYS, BoundedDateField
from infusions.outcomes import reports

VIEW = "infusions.view_outcome_report"
EVERY_LOCATION = "clinic.view_location"  # the staff admin's: reports on every active location
DEFAULT_DAYS = 90  # the range shown first: the location's last 90 days, today included
CSV_HEADER = ("location", "first_date", "last_date", "figure", "value", "percent_of_started")


def _date_field(label: str) -> BoundedDateField:
    return BoundedDateField(
        label=label,
        past_days=SCHEDULE_PAST_DAYS,
        future_days=1,  # a location's today may be the organisation's tomorrow
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ReportDatesForm(forms.Form):
    first = _date_field("First date")
    last = _date_field("Last date")

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first and last and last < first:
            self.add_error("last", "The last date must be on or after the first.")
        return cleaned


def _locations(request) -> list:
    """The locations this user may report on."""
    if may(request.user, EVERY_LOCATION):
        return list(Location.objects.active())
    return user_locations(request.user)


def _location(request, offered: list):
    """The location asked for (`?location=`), else the user's current one, else the first offered."""
    raw = request.GET.get("location", "")
    if raw:
        try:
            location_id = int(raw)
        except ValueError:
            raise Http404("No such location.") from None
        if not may(request.user, EVERY_LOCATION):
            return check_location(request, location_id)  # 403 unless they work there
        location = next((loc for loc in offered if loc.pk == location_id), None)
        if location is None:
            raise Http404("No such location.")
        return location
    if not offered:
        raise PermissionDenied(NO_LOCATION)
    current = current_location_or_none(request.user)
    return current if current in offered else offered[0]


def _request(request):
    """(location, offered locations, dates form): the form is bound only when a date was given."""
    offered = _locations(request)
    location = _location(request, offered)
    given = "first" in request.GET or "last" in request.GET
    return location, offered, ReportDatesForm(request.GET if given else None)


def _dates(location, form):
    """The range asked for, the default range when none was given, or None when the form refused it."""
    if form.is_bound:
        return (form.cleaned_data["first"], form.cleaned_data["last"]) if form.is_valid() else None
    today = clinic_context(location).today()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


@require(VIEW)
def outcome_report(request):
    location, offered, form = _request(request)
    dates = _dates(location, form)
    report = reports.outcome_report(location, *dates) if dates else None
    if not form.is_bound and dates:
        form = ReportDatesForm(initial={"first": dates[0], "last": dates[1]})
    context = {
        "form": form,
        "locations": offered,
        "location": location,
        "report": report,
        "figures": report.figures() if report else [],
        "definitions": reports.DEFINITIONS,
    }
    return render(request, "infusions/outcomes/reports.html", context)


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require(VIEW)
def outcome_report_csv(request):
    location, _, form = _request(request)
    dates = _dates(location, form)
    if dates is None:
        return HttpResponseBadRequest("Choose a first and a last date.", content_type="text/plain; charset=utf-8")
    report = reports.outcome_report(location, *dates)
    first, last = (day.isoformat() for day in dates)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"outcomes-{slugify(location.name) or location.pk}-{first}-{last}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for figure in report.figures():
        value = "" if figure.value is None else figure.shown
        share = "" if figure.percent_of_started is None else figure.percent_of_started
        writer.writerow((_cell(location.name), first, last, figure.label, value, share))
    return response
