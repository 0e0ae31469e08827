"""Every page that takes an id, found by walking the URL resolver, refuses a user of another location and a
user with no location, and stores nothing; the same request by a user of the record's location gets through.

A new page with an id fails here until BUILD knows how to make its record: then it is checked like the rest.
The intake pages are the organisation's (README, Locations: patients belong to the organisation, coordinators
and clinicians find them across it): they are walked too, and must stay open to a user of another location.
"""

import ast
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import urlencode

from clinic.locations import NO_LOCATION
from clinic.roles import ROLE_PERMISSIONS, ROLES
from clinic.tests.factories import ChairFactory, LocationFactory, ScreeningFactory, UserFactory, open_every_day
from infusions.infusion_day.tests.test_infusion_day_pages import check_in_post
from infusions.models import MaintenanceOrder, Reminder
from infusions.tests.helpers import complete, depression, screened_patient
from infusions.tests.reminder_helpers import visit
from intake.models import OutcomeReview, SafetyAlert

pytestmark = pytest.mark.django_db
NAMESPACES = ("infusions", "intake")
NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
SEATTLE = ZoneInfo("America/Los_Angeles")
ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 12, 1, 10, 0, tzinfo=SEATTLE)  # today, two hours from now


def _patterns(resolver=None, prefix="", namespace=None):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and namespace in NAMESPACES:
            for kwarg in re.findall(r"<int:(\w+)>", prefix + str(entry.pattern)):
                yield f"{namespace}:{entry.name}", kwarg, entry.callback


ID_PATTERNS = sorted(_patterns(), key=lambda row: row[:2])


@dataclass
class Case:
    """A record at the location: the id for the address, what the request sends, and the row to compare."""

    pk: int
    row: object
    get: dict = field(default_factory=dict)
    post: dict = field(default_factory=dict)


def _visit(site):
    """A visit today, and a form for each of its pages that would change it: cancel, mark, move, check in."""
    appointment = visit(START, location=site, patient=screened_patient())
    later = int((START + timedelta(days=1)).timestamp())
    post = {"reason": "illness", "status": "no_show", "chair": appointment.chair_id, "start": later}
    return Case(appointment.pk, appointment, post={**post, **check_in_post()})


def _visit_with_record(site):
    case = _visit(site)
    complete(case.row)
    return case


def _series(site):
    appointment = _visit(site).row
    return Case(appointment.series_id, appointment.series, post={"outcome": "responder", "plan": "maintenance"})


def _patient(site):
    appointment = _visit(site).row
    return Case(appointment.patient_id, appointment.patient, post={"note": "boosters every 4 weeks"})


def _order(site):
    appointment = _visit(site).row
    order = MaintenanceOrder.objects.create(patient=appointment.patient, ordered_by=UserFactory())
    return Case(order.pk, order)


def _review(site):
    appointment = _visit(site).row
    review = OutcomeReview.objects.create(
        patient=appointment.patient, code="LOSS_OF_RESPONSE", measure="phq9", reason="PHQ-9 up from 6 to 14"
    )
    return Case(review.pk, review, post={"resolution": "seen, no change"})


def _failed_reminder(site):
    appointment = _visit(site).row
    reminder = appointment.reminders.first()
    Reminder.objects.filter(pk=reminder.pk).update(status="failed", attempts=5)
    return Case(reminder.pk, reminder)


def _plan(site):
    """A patient of the organisation with a plan at the location: the booking pages check the plan's."""
    chair = ChairFactory(location=site, name="Seattle 1")
    patient = screened_patient()
    MaintenanceOrder.objects.create(patient=patient, ordered_by=UserFactory())  # for the maintenance flow
    plan = {"v": f"{chair.pk}@{int(START.timestamp())}", "i": 0}
    return Case(patient.pk, patient, get=plan, post=plan)


def _cell(site):
    """A patient of the organisation and an empty cell of the location's grid."""
    chair = ChairFactory(location=site, name="Seattle 1")
    patient = screened_patient()
    cell = {"chair": chair.pk, "start": int(START.timestamp())}
    return Case(patient.pk, patient, get=cell, post=cell)


def _screening(site):
    screening = ScreeningFactory(intake__location=site, outcome="review")
    return Case(screening.pk, screening)


def _intake(site):
    screening = ScreeningFactory(intake__location=site)
    return Case(screening.intake_id, screening.intake)


def _intake_patient(site):
    screening = ScreeningFactory(intake__location=site)
    return Case(screening.patient_id, screening.patient)


def _alert(site):
    patient = _visit(site).row.patient
    alert = SafetyAlert.objects.create(patient=patient, source="check_in", detail="PHQ-9 item 9: 1")
    return Case(alert.pk, alert, post={"follow_up": "called, safe"})


def _each(kwarg, names, build):
    return {(kwarg, name): build for name in names}


BUILD = {
    **_each(
        "pk",
        [
            *(f"infusions:visit_{page}" for page in ("move", "replace", "cancel", "confirm_by_phone", "reminders")),
            *(f"infusions:visit_{page}" for page in ("undo_cancel", "mark", "undo_mark")),
            "infusions:day_sheet",
            "infusions:record",
            *(f"infusions:record_{step}" for step in ("check_in", "gate", "recheck", "defer", "order", "start")),
            *(f"infusions:record_{step}" for step in ("reading", "event", "end", "ready", "discharge", "amend")),
            "infusions:record_discharge_decision",
        ],
        _visit,
    ),
    **_each("pk", ["infusions:record_print", "infusions:record_aftercare"], _visit_with_record),
    **_each("pk", ["infusions:series", "infusions:series_cancel_rest", "infusions:series_complete"], _series),
    **_each("series_id", ["infusions:series_evaluate"], _series),
    **_each("patient_id", ["infusions:patient_calendar", "infusions:maintenance_order", "infusions:course"], _patient),
    **_each("pk", ["infusions:maintenance_order_cancel"], _order),
    **_each("pk", ["infusions:review_booster", "infusions:review_resolve"], _review),
    **_each("pk", ["infusions:reminder_retry"], _failed_reminder),
    **_each(
        "patient_id",
        [f"infusions:{flow}_{page}" for flow in ("book", "maintenance") for page in ("plan", "pick", "confirm")],
        _plan,
    ),
    **_each("patient_id", ["infusions:grid_plan"], _cell),
    # The organisation's pages (see above).
    **_each("screening_id", ["intake:screening", "intake:case"], _screening),
    **_each("intake_id", ["intake:intake_edit"], _intake),
    **_each("patient_id", ["intake:patient"], _intake_patient),
    **_each("alert_id", ["intake:alert_resolve"], _alert),
}
ORGANISATION_WIDE = {name for (_, name) in BUILD if name.startswith("intake:")}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sites():
    depression()
    seattle = LocationFactory(name="Seattle", time_zone="America/Los_Angeles")
    denver = LocationFactory(name="Denver", time_zone="America/Denver")
    for site in (seattle, denver):
        open_every_day(time(8, 0), time(17, 30), location=site)
    ChairFactory(location=denver, name="Denver A")
    return seattle, denver


def _role(view) -> str:
    perms = getattr(view, "required_permissions", None)
    assert perms is not None, "a page with an id declares its permissions with clinic.roles.require"
    role = next((role for role in ROLES if set(perms) <= set(ROLE_PERMISSIONS.get(role, ()))), None)
    assert role is not None, f"no role holds {perms}"
    return role


def _stored():
    """Every row of the clinic's records and their history: what a refused request must leave as it was."""
    labels = ("intake", "infusions", "clinic")
    return {
        model._meta.label: model.objects.count()
        for label in labels
        for model in apps.get_app_config(label).get_models()
    }


def _row(obj):
    return type(obj).objects.filter(pk=obj.pk).values().get()


def _request(client, user, url, case):
    """GET with the case's query; POST its form with the same query (a page may read either)."""
    client.force_login(user)
    query = "?" + urlencode(case.get) if case.get else ""
    return {"GET": client.get(url, case.get), "POST": client.post(url + query, case.post)}


def _through(response) -> bool:
    """Past the door: the page or a redirect, or the page itself rendered again with its refusal of the input."""
    return response.status_code in (200, 302) or (response.status_code in (400, 409) and bool(response.templates))


def test_the_walk_finds_the_pages_that_take_an_id():
    names = {name for name, _, _ in ID_PATTERNS}
    assert {
        "infusions:visit_reminders",
        "infusions:patient_calendar",
        "infusions:course",
        "infusions:series_evaluate",
        "infusions:review_booster",
        "infusions:review_resolve",
        "infusions:reminder_retry",
        "infusions:maintenance_order",
        "infusions:maintenance_order_cancel",
        "infusions:record",
        "intake:case",
    } <= names


@pytest.mark.parametrize(("name", "kwarg", "view"), ID_PATTERNS, ids=[f"{n}[{k}]" for n, k, _ in ID_PATTERNS])
def test_a_page_with_an_id_refuses_another_locations_user_and_one_with_no_location(client, sites, name, kwarg, view):
    build = BUILD.get((kwarg, name))
    if build is None:
        pytest.fail(f"{name} takes <int:{kwarg}>: add to BUILD how to make its record at a location")
    seattle, denver = sites
    role = _role(view)
    case = build(seattle)
    url = reverse(name, kwargs={kwarg: case.pk})
    elsewhere = UserFactory(role=role, locations=[denver])
    nowhere = UserFactory(role=role, locations=[])
    here = UserFactory(role=role, locations=[seattle])

    before, row = _stored(), _row(case.row)
    refused = {"elsewhere": _request(client, elsewhere, url, case), "nowhere": _request(client, nowhere, url, case)}
    stored, row_after = _stored(), _row(case.row)
    allowed = _request(client, here, url, case)

    statuses = {method: response.status_code for method, response in allowed.items()}
    assert any(status in (200, 302) for status in statuses.values()), (name, statuses)
    for method, response in allowed.items():
        assert response.status_code == 405 or _through(response), (name, method, response.status_code)
    for who, answers in refused.items():
        for method, response in answers.items():
            status = response.status_code
            if statuses[method] == 405:
                assert status == 405, (name, who, method, status)
            elif name in ORGANISATION_WIDE:
                assert _through(response), (name, who, method, status)
            else:
                assert status == 403, (name, who, method, status)
                assert who != "nowhere" or NO_LOCATION in response.content.decode(), (name, method)
    if name not in ORGANISATION_WIDE:
        assert stored == before
        assert row_after == row


def test_build_names_only_patterns_that_exist():
    assert set(BUILD) <= {(kwarg, name) for name, kwarg, _ in ID_PATTERNS}


VIEW_MODULES = sorted(
    [*ROOT.glob("infusions/*/views.py"), *ROOT.glob("infusions/*/views/*.py"), ROOT / "intake" / "views.py"]
)


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_page_looks_its_record_up_itself(path):
    """Pages load through infusions.access (or intake.selectors' organisation-wide loaders), never by hand."""
    tree = ast.parse(path.read_text())
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert not names & {"get_object_or_404", "get_list_or_404"}
