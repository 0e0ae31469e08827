"""Every state-changing service checks who acts (`clinic.roles.acts`), whatever calls it: called as every role.

The services are found by introspection (every public function with a keyword-only `by` in the project's
modules), so a new one without declared permissions fails here. The roles expected for each mirror README.md's
roles table (a test reads the table), and each service's permissions are those of the page that calls it.
A refused actor is refused before the service reads anything (no query at all, so no row changed); an allowed
actor passes the check and fails later only on the dummy arguments.
"""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clinic.roles import CLINICIAN, COORDINATOR, FRONT_DESK, NURSE, ROLE_REFUSED, ROLES, STAFF_ADMIN, role_permissions
from clinic.tests.factories import UserFactory, main_location

pytestmark = pytest.mark.django_db

PACKAGES = ("clinic", "intake", "infusions")
SKIPPED_MODULES = re.compile(r"\.(tests|migrations|management)(\.|$)|^clinic\.(wsgi|asgi|settings\w*)$")
# The modules the services live in: each must be found by the walk below.
SERVICE_MODULES = (
    "infusions.booking.services",
    "infusions.infusion_day.services",
    "infusions.outcomes.course",
    "infusions.floor.selectors",
    "infusions.reminders.dispatch",
    "infusions.reminders.confirm",
    "intake.services",
)


def _modules():
    for package in PACKAGES:
        yield package
        path = [str(Path(settings.BASE_DIR) / package)]
        for info in pkgutil.walk_packages(path, prefix=f"{package}."):
            if not SKIPPED_MODULES.search(info.name):
                yield info.name


def acting_services() -> dict[str, object]:
    """Every public function, defined in the project, with a keyword-only `by`: "module.name" -> function."""
    found = {}
    for name in _modules():
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if attribute.startswith("_") or not inspect.isfunction(value) or value.__module__ != name:
                continue
            by = inspect.signature(value).parameters.get("by")
            if by is not None and by.kind is inspect.Parameter.KEYWORD_ONLY:
                found[f"{name}.{attribute}"] = value
    return found


# README.md, "Roles and what each may do": the row each service is, and the roles that row says "yes" to.
INTAKE = "Create and edit intakes"
REVIEW = "Review queue, case page, decide"
BOOK = "Book series and maintenance visits"
RECORD = "The visit's record"
DOSE = "Order the dose; release a start gate"
COURSE = "Course page"
REMINDERS = "See reminders and retry failed ones"
MAINTENANCE = "Order maintenance visits"
ROWS = {
    INTAKE: {COORDINATOR},
    REVIEW: {CLINICIAN},
    BOOK: {FRONT_DESK},
    RECORD: {CLINICIAN, NURSE},
    DOSE: {CLINICIAN},
    COURSE: {CLINICIAN},
    REMINDERS: {FRONT_DESK},
    MAINTENANCE: {CLINICIAN},
}
EVERY_STAFF_USER = "every signed-in user"  # not a row: the access log writes down whoever opened a record

M_BOOKING, M_DAY, M_COURSE, M_INTAKE = (
    "infusions.booking.services",
    "infusions.infusion_day.services",
    "infusions.outcomes.course",
    "intake.services",
)
EXPECTED = {
    f"{M_INTAKE}.intake_create": INTAKE,
    f"{M_INTAKE}.intake_update": INTAKE,
    f"{M_INTAKE}.screening_run": INTAKE,
    f"{M_INTAKE}.review_decide": REVIEW,
    f"{M_INTAKE}.safety_alert_resolve": REVIEW,
    f"{M_INTAKE}.safety_alert_raise": RECORD,  # a staff user raises one only at a visit's check-in
    f"{M_INTAKE}.record_access_log": EVERY_STAFF_USER,
    f"{M_BOOKING}.series_book": BOOK,
    f"{M_BOOKING}.maintenance_book": BOOK,
    f"{M_BOOKING}.appointment_move": BOOK,
    f"{M_BOOKING}.appointment_replace": BOOK,
    f"{M_BOOKING}.appointment_confirm_by_phone": BOOK,
    f"{M_BOOKING}.appointment_cancel": BOOK,
    f"{M_BOOKING}.appointment_undo_cancel": BOOK,
    f"{M_BOOKING}.series_cancel_rest": BOOK,
    f"{M_BOOKING}.appointment_mark": BOOK,
    f"{M_BOOKING}.appointment_undo_mark": BOOK,
    f"{M_BOOKING}.series_complete": BOOK,
    f"{M_BOOKING}.maintenance_order": MAINTENANCE,
    f"{M_BOOKING}.maintenance_order_cancel": MAINTENANCE,
    f"{M_DAY}.record_check_in": RECORD,
    f"{M_DAY}.record_release_gate": DOSE,
    f"{M_DAY}.record_recheck": RECORD,
    f"{M_DAY}.record_defer": RECORD,
    f"{M_DAY}.record_order_dose": DOSE,
    f"{M_DAY}.record_start": RECORD,
    f"{M_DAY}.record_add_reading": RECORD,
    f"{M_DAY}.record_add_adverse_event": RECORD,
    f"{M_DAY}.record_end_infusion": RECORD,
    f"{M_DAY}.record_ready_for_pickup": RECORD,
    f"{M_DAY}.record_discharge_decision": DOSE,
    f"{M_DAY}.record_discharge": RECORD,
    f"{M_DAY}.record_amend": RECORD,
    f"{M_COURSE}.scores_from_check_in": RECORD,  # inside the check-in
    f"{M_COURSE}.review_resolve": COURSE,
    f"{M_COURSE}.review_order_booster": COURSE,
    f"{M_COURSE}.series_evaluate": COURSE,
    "infusions.reminders.dispatch.reminder_retry": REMINDERS,
}

SUPERUSER = "superuser with no role"
NO_ROLE = "user with no role"
ACTORS = (*ROLES, SUPERUSER, NO_ROLE)


def allowed(service: str) -> set[str]:
    row = EXPECTED[service]
    return set(ACTORS) if row == EVERY_STAFF_USER else ROWS[row]


def actor(name: str):
    """A user of that role at the main location; the superuser and the user with no role work there too."""
    if name == SUPERUSER:
        return UserFactory(is_superuser=True, is_staff=True, locations=[main_location()])
    if name == NO_ROLE:
        return UserFactory(locations=[main_location()])
    return UserFactory(role=name, is_staff=name == STAFF_ADMIN)


class Dummy:
    """An argument no service can use: any attribute is an error (the check comes before any use)."""

    def __getattr__(self, name):
        raise AttributeError(f"a dummy argument has no {name}")


def dummy_arguments(service) -> dict:
    """Every parameter without a default but `by`, as a dummy."""
    return {
        name: Dummy()
        for name, parameter in inspect.signature(service).parameters.items()
        if name != "by" and parameter.default is inspect.Parameter.empty
    }


SERVICES = acting_services()


def test_the_walk_finds_the_service_modules_and_their_services():
    walked = set(_modules())
    assert set(SERVICE_MODULES) <= walked
    assert {"infusions.infusion_day.services.record_release_gate", "infusions.booking.services.series_book"} <= set(
        SERVICES
    )


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_acting_service_declares_its_permissions(service):
    assert isinstance(getattr(SERVICES[service], "required_permissions", None), tuple), (
        f"{service} takes `by` but checks no permission: decorate it with clinic.roles.acts"
    )


def test_every_acting_service_has_its_expected_roles_here():
    assert set(SERVICES) == set(EXPECTED), "a service was added or removed: say here which roles may call it"


def test_the_expected_roles_are_what_the_readme_roles_table_says():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    header = next(line for line in readme.splitlines() if line.startswith("| |") and COORDINATOR in line)
    columns = [cell.strip() for cell in header.strip("|").split("|")][1:]
    assert set(columns) == {f"{CLINICIAN} (prescriber)" if r == CLINICIAN else r for r in ROLES}
    roles = [CLINICIAN if column.startswith(CLINICIAN) else column for column in columns]
    for row, expected in ROWS.items():
        line = next(line for line in readme.splitlines() if line.startswith(f"| {row}"))
        cells = [cell.strip() for cell in line.strip("|").split("|")][1:]
        says_yes = {role for role, cell in zip(roles, cells, strict=True) if cell.startswith("yes")}
        assert says_yes == expected, row


@pytest.mark.parametrize("name", ACTORS)
@pytest.mark.parametrize("service", sorted(EXPECTED))
def test_every_service_as_every_role(service, name):
    function = SERVICES[service]
    user = actor(name)
    role_permissions(user)  # the user's permissions read now (as a request's first check does), not below
    arguments = dummy_arguments(function)
    if name in allowed(service):
        try:
            with transaction.atomic():
                function(**arguments, by=user)
        except PermissionDenied as refused:
            pytest.fail(f"{name} may call {service} but was refused: {refused}")
        except Exception:  # noqa: BLE001,S110 - the dummy arguments fail after the check: that is all asked here
            pass
        return
    with CaptureQueriesContext(connection) as queries, pytest.raises(PermissionDenied, match=ROLE_REFUSED):
        function(**arguments, by=user)
    assert queries.captured_queries == [], f"{service} read or wrote before refusing {name}"


def _deactivated_clinician():
    user = UserFactory(role=CLINICIAN)
    user.is_active = False
    user.save()
    return user


@pytest.mark.parametrize("who", ["None", "anonymous", "deactivated clinician"])
@pytest.mark.parametrize("service", sorted(EXPECTED))
def test_no_service_acts_for_nobody_an_anonymous_or_a_deactivated_user(service, who):
    """`by=None` is never a system pass: the system's paths call functions without `by`."""
    user = {"None": lambda: None, "anonymous": AnonymousUser, "deactivated clinician": _deactivated_clinician}[who]()
    function = SERVICES[service]
    with CaptureQueriesContext(connection) as queries, pytest.raises(PermissionDenied, match=ROLE_REFUSED):
        function(**dummy_arguments(function), by=user)
    assert queries.captured_queries == []


# The page that calls each service, and what that page asks inside the view besides its decorator.
PAGES = {
    f"{M_INTAKE}.intake_create": ("intake.views.intake_new", ()),
    f"{M_INTAKE}.intake_update": ("intake.views.intake_edit", ()),
    f"{M_INTAKE}.screening_run": ("intake.views.intake_edit", ()),  # what editing the intake does
    f"{M_INTAKE}.review_decide": ("intake.views.case", ()),
    f"{M_INTAKE}.safety_alert_resolve": ("intake.views.alert_resolve", ()),
    f"{M_INTAKE}.safety_alert_raise": ("infusions.infusion_day.views.check_in", ()),
    f"{M_BOOKING}.series_book": ("infusions.booking.views.plan.confirm", ()),
    f"{M_BOOKING}.maintenance_book": ("infusions.booking.views.plan.confirm", ()),
    f"{M_BOOKING}.appointment_move": ("infusions.booking.views.visits.visit_move", ()),
    f"{M_BOOKING}.appointment_replace": ("infusions.booking.views.visits.visit_replace", ()),
    f"{M_BOOKING}.appointment_confirm_by_phone": ("infusions.booking.views.visits.visit_confirm_by_phone", ()),
    f"{M_BOOKING}.appointment_cancel": ("infusions.booking.views.visits.visit_cancel", ()),
    f"{M_BOOKING}.appointment_undo_cancel": ("infusions.booking.views.visits.visit_undo_cancel", ()),
    f"{M_BOOKING}.series_cancel_rest": ("infusions.booking.views.visits.series_cancel_rest", ()),
    f"{M_BOOKING}.appointment_mark": ("infusions.booking.views.visits.visit_mark", ()),
    f"{M_BOOKING}.appointment_undo_mark": ("infusions.booking.views.visits.visit_undo_mark", ()),
    f"{M_BOOKING}.series_complete": ("infusions.booking.views.visits.series_complete", ()),
    # The order page asks `may(..., "infusions.add_maintenanceorder")` before it orders.
    f"{M_BOOKING}.maintenance_order": (
        "infusions.booking.views.orders.maintenance_order",
        ("infusions.add_maintenanceorder",),
    ),
    f"{M_BOOKING}.maintenance_order_cancel": ("infusions.booking.views.orders.maintenance_order_cancel", ()),
    f"{M_DAY}.record_check_in": ("infusions.infusion_day.views.check_in", ()),
    f"{M_DAY}.record_release_gate": ("infusions.infusion_day.views.release_gate", ()),
    f"{M_DAY}.record_recheck": ("infusions.infusion_day.views.recheck", ()),
    f"{M_DAY}.record_defer": ("infusions.infusion_day.views.defer", ()),
    f"{M_DAY}.record_order_dose": ("infusions.infusion_day.views.order_dose", ()),
    f"{M_DAY}.record_start": ("infusions.infusion_day.views.start", ()),
    f"{M_DAY}.record_add_reading": ("infusions.infusion_day.views.add_reading", ()),
    f"{M_DAY}.record_add_adverse_event": ("infusions.infusion_day.views.add_event", ()),
    f"{M_DAY}.record_end_infusion": ("infusions.infusion_day.views.end_infusion", ()),
    f"{M_DAY}.record_ready_for_pickup": ("infusions.infusion_day.views.ready_for_pickup", ()),
    f"{M_DAY}.record_discharge_decision": ("infusions.infusion_day.views.discharge_decision", ()),
    f"{M_DAY}.record_discharge": ("infusions.infusion_day.views.discharge", ()),
    f"{M_DAY}.record_amend": ("infusions.infusion_day.views.amend", ()),
    f"{M_COURSE}.scores_from_check_in": ("infusions.infusion_day.views.check_in", ()),
    f"{M_COURSE}.review_resolve": ("infusions.outcomes.views.course.review_resolve", ()),
    f"{M_COURSE}.review_order_booster": ("infusions.outcomes.views.course.review_booster", ()),
    f"{M_COURSE}.series_evaluate": ("infusions.outcomes.views.course.evaluate", ()),
    "infusions.reminders.dispatch.reminder_retry": ("infusions.reminders.views.retry", ()),
}


@pytest.mark.parametrize("service", sorted(PAGES))
def test_each_service_asks_exactly_what_its_page_asks(service):
    view_path, in_view = PAGES[service]
    module, name = view_path.rsplit(".", 1)
    view = getattr(importlib.import_module(module), name)
    assert set(SERVICES[service].required_permissions) == {*view.required_permissions, *in_view}


def test_every_service_but_the_access_log_has_its_page():
    assert set(PAGES) | {f"{M_INTAKE}.record_access_log"} == set(EXPECTED)
    assert SERVICES[f"{M_INTAKE}.record_access_log"].required_permissions == ()


def test_every_declared_permission_exists():
    existing = {
        f"{app}.{codename}" for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    for service, function in SERVICES.items():
        assert set(function.required_permissions) <= existing, service
