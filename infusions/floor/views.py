"""The front desk's floor: the day grid (book in an empty cell, move a visit by picking a cell), the week's load
per chair, and the worklists."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from clinic.locations import check_location, current_location, current_location_or_none
from clinic.roles import may, require
from infusions.access import load_patient_to_book, load_visit
from infusions.booking import selectors
from infusions.booking.forms import PatientSearchForm, ScheduleDayForm, decode_visit
from infusions.booking.views.plan import BOOK
from infusions.floor import selectors as floor
from infusions.models import states

COORDINATE = ("intake.add_intake", "intake.view_patient")


def _cell(request, location):
    """The (start, chair id) the request names with `start` and `chair`, at the user's current location."""
    start, chair_id = decode_visit(request.GET.get("chair", ""), request.GET.get("start", ""))
    chair_location_id = selectors.location_of_chairs({chair_id})
    if chair_location_id != location.pk:
        if chair_location_id is not None:
            check_location(request, chair_location_id)  # another location's chair: 403, as the plan pages answer
        raise ValueError("chair not at this location")
    return start, chair_id


def _moving(request):
    """The visit being moved by picking a cell (`?move=<id>`), or None."""
    value = request.GET.get("move", "")
    if not value:
        return None
    if not may(request.user, "infusions.change_appointment"):
        raise PermissionDenied
    try:
        pk = int(value)
    except ValueError:
        return None
    visit = load_visit(request, pk, "series", "patient")
    refusal = visit.move_refusal()
    if refusal:
        messages.error(request, refusal)
        return None
    return visit


@require("infusions.view_appointment")
def grid(request):
    location = current_location(request)  # 403 for a user who works at no location
    form = ScheduleDayForm(request.GET or None)
    moving = _moving(request)
    timezone.activate(location.tz)
    day_grid = floor.day_grid(location, form.day())
    day = day_grid.day
    keep = [("move", moving.pk)] if moving else []
    context = {
        "grid": day_grid,
        "day": day,
        "clinic": day_grid.clinic,
        "form": form.shown(day),
        "moving": moving,
        "moving_elsewhere": bool(moving and moving.chair.location_id != location.pk),
        "prev_url": "?" + urlencode([("date", (day - timedelta(days=1)).isoformat()), *keep]),
        "next_url": "?" + urlencode([("date", (day + timedelta(days=1)).isoformat()), *keep]),
        "may_book": may(request.user, *BOOK),
        "book_url": reverse("infusions:grid_book"),  # once, not in each of the grid's cells
        "may_move": may(request.user, "infusions.change_appointment"),
        "states": list(states.STATE_WORDS.items()),
        "movable": states.MOVABLE_STATES,
    }
    return render(request, "infusions/floor/grid.html", context)


@require("infusions.view_appointment")
def grid_week(request):
    location = current_location(request)
    form = ScheduleDayForm(request.GET or None)
    context = floor.week_load(location, form.day())
    monday = context["monday"]
    context.update({"form": form.shown(monday), "prev": monday - timedelta(days=7), "next": monday + timedelta(days=7)})
    return render(request, "infusions/floor/grid_week.html", context)


@require(*BOOK)
def grid_book(request):
    """Book in an empty cell: find the patient; their plan starts in that chair at that time."""
    location = current_location(request)
    try:
        start, chair_id = _cell(request, location)
    except ValueError:
        return HttpResponseBadRequest("Bad time or chair.")
    timezone.activate(location.tz)
    form = PatientSearchForm(request.GET or None)
    cell = [("chair", chair_id), ("start", int(start.timestamp()))]
    context = {
        "form": form,
        "location": location,
        "start": start,
        "chair": selectors.chair_names().get(chair_id),
        "cell": cell,
        "cell_query": urlencode(cell),
        "visit": f"{chair_id}@{int(start.timestamp())}",
        "back_url": reverse("infusions:grid") + "?date=" + start.astimezone(location.tz).date().isoformat(),
        **selectors.booking_search(form.query()),
    }
    return render(request, "infusions/floor/grid_book.html", context)


@require(*BOOK)
def grid_plan(request, patient_id):
    """The series plan from the chosen cell, handed to the plan page (which checks every rule before Confirm)."""
    patient = load_patient_to_book(request, patient_id)
    location = current_location(request)
    try:
        start, chair_id = _cell(request, location)
    except ValueError:
        return HttpResponseBadRequest("Bad time or chair.")
    visits = floor.series_from_cell(patient=patient, location=location, start=start, chair_id=chair_id)
    day = start.astimezone(location.tz).date()
    query = [("earliest", day.isoformat()), *(("v", f"{chair}@{int(when.timestamp())}") for when, chair in visits)]
    return redirect(reverse("infusions:book_plan", args=[patient.pk]) + "?" + urlencode(query))


@require()
def worklists(request):
    """The front desk's and the coordinators' worklists, each section for the role that works it."""
    front_desk = may(request.user, *BOOK)
    coordinator = may(request.user, *COORDINATE)
    if not (front_desk or coordinator):
        raise PermissionDenied
    location = current_location_or_none(request.user)
    if location is not None:
        timezone.activate(location.tz)
    show_all = set(request.GET.getlist("all"))
    request.fresh_worklist_counts = True  # the lists below and their counts from the same moment
    lists = floor.worklists(front_desk=front_desk, coordinator=coordinator, location=location, show_all=show_all)
    context = {
        "lists": lists,
        "front_desk": front_desk,
        "coordinator": coordinator,
        "location": location,
        "rows": floor.WORKLIST_ROWS,
    }
    return render(request, "infusions/floor/worklists.html", context)
