"""Front desk booking: find a patient, plan a series or maintenance visits, change one visit, confirm.

Both flows have the same three pages (plan, other times for one visit, confirm); a `Flow` names the
services, form and addresses of each, and the URL hands it to the page (infusions/urls.py), so the
pages never ask which flow they are in.
A plan travels in the address as `v=<chair id>@<unix time>` per visit, so every page is a plain link.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from clinic.locations import check_location, current_location
from clinic.refusals import Refused
from clinic.roles import require
from infusions.access import load_patient_to_book
from infusions.booking import selectors, services
from infusions.booking.forms import DayForm, MaintenanceForm, PatientSearchForm, PreferencesForm, decode_visit

BOOK = ("infusions.add_appointment", "infusions.add_infusionseries", "intake.view_patient_contact")


@dataclass(frozen=True)
class Flow:
    title: str
    heading: str
    urls: str  # the URL names' prefix: "book" for infusions:book_plan, book_pick, book_confirm
    form: type[PreferencesForm]
    propose: Callable[..., services.Proposal]
    options: Callable[..., services.DayOptions]
    book: Callable

    @property
    def plan(self) -> str:
        return f"infusions:{self.urls}_plan"

    @property
    def pick(self) -> str:
        return f"infusions:{self.urls}_pick"

    @property
    def confirm(self) -> str:
        return f"infusions:{self.urls}_confirm"

    @property
    def params(self) -> tuple[str, ...]:
        """The form's fields, carried from page to page so a plan is re-proposed with the same wishes."""
        return tuple(self.form.base_fields)


SERIES = Flow(
    title="Plan a series",
    heading="Plan a six-infusion series",
    urls="book",
    form=PreferencesForm,
    propose=services.series_propose,
    options=services.series_options,
    book=services.series_book,
)
MAINTENANCE = Flow(
    title="Maintenance",
    heading="Book maintenance visits",
    urls="maintenance",
    form=MaintenanceForm,
    propose=services.maintenance_propose,
    options=services.maintenance_options,
    book=services.maintenance_book,
)


def encode_visits(visits) -> list[str]:
    return [f"{v.chair_id}@{int(v.start.timestamp())}" for v in visits]


def decode_visits(values) -> list[services.VisitRequest]:
    """`chair@timestamp` values as (aware start, chair id); ValueError for anything else."""
    return [decode_visit(*value.partition("@")[::2]) for value in values]


def _params(data, flow: Flow) -> list[tuple[str, str]]:
    return [(name, value) for name in flow.params for value in data.getlist(name) if value]


def _plan_url(flow: Flow, patient, params, visits=()) -> str:
    query = [*params, *(("v", v) for v in encode_visits(visits))]
    return reverse(flow.plan, args=[patient.pk]) + ("?" + urlencode(query) if query else "")


def _location(request, visits):
    """Where the plan is booked: the location of its chairs (one the user works at), or the user's current one."""
    if visits:
        location_id = selectors.location_of_chairs({chair_id for _, chair_id in visits})
        if location_id is None:
            raise services.BadPlan("The plan's chairs are not at one location.")
        return check_location(request, location_id)
    return current_location(request)


def _refused(request, flow: Flow, patient, proposal: services.Proposal):
    context = {
        "flow": flow,
        "patient": patient,
        "eligibility": proposal.eligibility,
        "refusal": proposal.refusal,
        "active_series": proposal.active_series,
    }
    return render(request, "infusions/booking/plan.html", context, status=409)


@require(*BOOK)
def book_search(request):
    location = current_location(request)  # booking happens at a location: none, 403
    form = PatientSearchForm(request.GET or None)
    context = {"form": form, "location": location, **selectors.booking_search(form.query())}
    return render(request, "infusions/booking/book_search.html", context)


@require(*BOOK)
def plan(request, patient_id, flow: Flow):
    """The proposed plan (or the edited one, with the rules it breaks), ready to confirm."""
    patient = load_patient_to_book(request, patient_id)
    form = flow.form(request.GET or None)
    try:
        visits = decode_visits(request.GET.getlist("v"))
        location = _location(request, visits)
    except (ValueError, services.BadPlan):
        return HttpResponseBadRequest("Bad visit in the plan.")
    proposal = flow.propose(patient=patient, location=location, visits=visits or None, **form.wishes())
    if not proposal.bookable:
        return _refused(request, flow, patient, proposal)
    params = _params(request.GET, flow)
    encoded = encode_visits(proposal.visits)
    pick = reverse(flow.pick, args=[patient.pk])
    rows = [
        {
            "number": n,
            "visit": visit,
            "chair": proposal.chairs.get(visit.chair_id, "?"),
            "change_url": pick + "?" + urlencode([*params, *(("v", v) for v in encoded), ("i", n - 1)]),
        }
        for n, visit in enumerate(proposal.visits, start=1)
    ]
    context = {
        "flow": flow,
        "patient": patient,
        "form": form,
        "eligibility": proposal.eligibility,
        "protocol": proposal.protocol,
        "maintenance": proposal.maintenance,
        "order": proposal.order,
        "no_plan": proposal.no_plan,
        "problems": list(proposal.problems),
        "visits": rows,
        "encoded": encoded,
        "params": params,
        "fresh_url": _plan_url(flow, patient, params),
        "location": location,
    }
    return render(request, "infusions/booking/plan.html", context)


@require(*BOOK)
def pick(request, patient_id, flow: Flow):
    """Other free times on one day for visit i of the plan being edited."""
    patient = load_patient_to_book(request, patient_id)
    try:
        visits = decode_visits(request.GET.getlist("v"))
        location = _location(request, visits)
        index = int(request.GET.get("i", ""))
        day_form = DayForm(request.GET)
        found = flow.options(patient=patient, location=location, visits=visits, index=index, day=day_form.day())
    except (ValueError, services.BadPlan):
        return HttpResponseBadRequest("Bad visit in the plan.")
    if not found.proposal.bookable:
        return _refused(request, flow, patient, found.proposal)
    params = _params(request.GET, flow)
    options = [
        {"slot": o.slot, "chair": o.chair, "url": _plan_url(flow, patient, params, o.visits)} for o in found.options
    ]
    context = {
        "flow": flow,
        "patient": patient,
        "day": found.day,
        "number": index + 1,
        "current": found.current,
        "options": options,
        "day_form": day_form.shown(found.day),
        "hidden": [*params, *(("v", v) for v in encode_visits(found.visits)), ("i", index)],
        "back_url": _plan_url(flow, patient, params, found.visits),
        "location": location,
    }
    return render(request, "infusions/booking/pick.html", context)


@require_POST
@require(*BOOK)
def confirm(request, patient_id, flow: Flow):
    """Book the plan: every visit or none; a time taken meanwhile gives a fresh proposal."""
    patient = load_patient_to_book(request, patient_id)
    params = _params(request.POST, flow)
    try:
        visits = decode_visits(request.POST.getlist("v"))
        location = _location(request, visits)
    except (ValueError, services.BadPlan):
        return HttpResponseBadRequest("Bad visit in the plan.")
    try:
        series = flow.book(patient=patient, visits=visits, by=request.user, location=location)
    except services.SlotTaken:
        messages.error(request, "That time was just taken. Here is a fresh proposal.")
        return redirect(_plan_url(flow, patient, params))
    except Refused as refused:
        # The plan page shows a refusal or the rules the plan breaks itself; say it once.
        shown = flow.propose(patient=patient, location=location, visits=visits or None)
        if shown.bookable and not shown.problems:
            messages.error(request, refused.message)
        query = urlencode([*params, *(("v", v) for v in request.POST.getlist("v"))])
        return redirect(reverse(flow.plan, args=[patient.pk]) + "?" + query)
    count = series.appointments.count()
    messages.success(request, f"Booked {count} visit{'s' if count != 1 else ''}.")
    return redirect("infusions:series", pk=series.pk)
