"""The schedule of the location the user works at now: the front desk's home (today's visits), the day by
chair and the week."""

from datetime import timedelta

from django.shortcuts import render

from clinic.locations import current_location
from clinic.roles import require
from infusions.booking import selectors
from infusions.booking.forms import ScheduleDayForm


@require("infusions.view_appointment")
def home(request):
    """The front desk's home: today's visits."""
    return render(request, "infusions/booking/home.html", selectors.today_visits(current_location(request)))


@require("infusions.view_appointment")
def day_view(request):
    form = ScheduleDayForm(request.GET or None)
    context = selectors.day_schedule(current_location(request), form.day())
    day = context["day"]
    context.update({"form": form.shown(day), "prev": day - timedelta(days=1), "next": day + timedelta(days=1)})
    return render(request, "infusions/booking/day.html", context)


@require("infusions.view_appointment")
def week_view(request):
    form = ScheduleDayForm(request.GET or None)
    context = selectors.week_schedule(current_location(request), form.day())
    monday = context["monday"]
    context.update(
        {
            "form": form.shown(monday),
            "prev": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
        }
    )
    return render(request, "infusions/booking/week.html", context)
