"""The clinic's roles and how views and services check them.

A role is a Django group with the permissions below. Views check a permission, never a group name, so a staff admin
can grant one extra ability in admin; every state-changing service checks the same permissions again (`@acts`), so
a path that skips the page meets the same refusal. The superuser flag grants nothing here (`may`): Django's own
`has_perm` serves only Django admin, where clinical and booking records are read-only.
"""

import inspect
from functools import wraps

from django.contrib.auth.context_processors import PermWrapper
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from clinic.compiled import bind, compiled_query

COORDINATOR = "Intake coordinator"
CLINICIAN = "Clinician"
FRONT_DESK = "Front desk"
NURSE = "Infusion nurse"
STAFF_ADMIN = "Staff admin"
ROLES = (COORDINATOR, CLINICIAN, NURSE, FRONT_DESK, STAFF_ADMIN)

# app_label.codename for each role. Models and custom permissions are declared in the apps.
# Front desk never sees medical answers: not even the day sheet (weight, planned dose).
ROLE_PERMISSIONS = {
    COORDINATOR: [
        "intake.add_patient",
        "intake.change_patient",
        "intake.view_patient",
        "intake.add_intake",
        "intake.change_intake",
        "intake.view_intake",
        "intake.view_screening",
    ],
    CLINICIAN: [
        "intake.view_patient",
        "intake.view_intake",
        "intake.view_screening",
        "intake.view_reviewdecision",
        "intake.add_reviewdecision",
        "intake.view_safetyalert",
        "intake.change_safetyalert",  # to record the same-day follow-up
        "infusions.view_appointment",
        "infusions.view_infusionseries",
        "infusions.view_dose_sheet",
        "infusions.view_maintenanceorder",
        "infusions.add_maintenanceorder",
        "infusions.change_maintenanceorder",  # to cancel an open order
        # The infusion day: a prescriber orders the dose and releases the start gates, and keeps the record too.
        "infusions.view_infusionrecord",
        "infusions.order_dose",
        "infusions.keep_infusion_record",
        "infusions.view_infusion_stage",
        "infusions.view_outcome_report",  # outcomes across the course, per location they work at
    ],
    # The infusion room: check-in, vital signs, adverse events, discharge. No eligibility decision, no dose order.
    NURSE: [
        "intake.view_patient",
        "infusions.view_appointment",
        "infusions.view_infusionseries",
        "infusions.view_dose_sheet",
        "infusions.view_infusionrecord",
        "infusions.keep_infusion_record",
        "infusions.view_infusion_stage",
    ],
    FRONT_DESK: [
        "intake.view_patient_contact",
        "infusions.view_appointment",
        "infusions.add_appointment",
        "infusions.change_appointment",
        "infusions.view_infusionseries",
        "infusions.add_infusionseries",
        "infusions.change_infusionseries",
        "infusions.view_reminder",
        "infusions.change_reminder",
        "infusions.view_maintenanceorder",
        # Where a patient is on the infusion day (waiting, in chair, observation, ready for pickup); no readings.
        "infusions.view_infusion_stage",
    ],
    # Set-up only: locations, chairs, hours, closures, protocols, the organisation's settings and
    # users; records are looked up read-only in admin (clinic.look_up_records). No clinical or booking act.
    STAFF_ADMIN: [
        "clinic.view_clinic",
        "clinic.change_clinic",
        "clinic.look_up_records",
        # Locations are deactivated (`active`), never deleted: their chairs, visits and history stay.
        "clinic.view_location",
        "clinic.add_location",
        "clinic.change_location",
        *(
            f"infusions.{action}_{model}"
            for model in ("chair", "openinghours", "closure")
            for action in ("view", "add", "change", "delete")
        ),
        "infusions.view_protocol",
        "infusions.add_protocol",
        "infusions.change_protocol",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "infusions.view_outcome_report",  # aggregate figures only, every location (infusions.outcomes.views.reports)
    ],
}

# Where each role starts its day (URL names); every role in ROLES has one (clinic.views.home).
ROLE_HOME = {
    COORDINATOR: "intake:home",
    CLINICIAN: "intake:queue",
    NURSE: "infusions:room",
    FRONT_DESK: "infusions:home",
    STAFF_ADMIN: "admin:index",
}


def _access_query(user_id):
    from django.contrib.auth.models import Group, Permission
    from django.db.models import CharField, F, Value

    def rows(queryset, kind, app, name):
        return (
            queryset.order_by()
            .annotate(access_kind=Value(kind, output_field=CharField()), access_app=app, access_name=name)
            .values_list("access_kind", "access_app", "access_name")
        )

    nothing = Value("", output_field=CharField())
    roles = rows(Group.objects.filter(user__id=user_id, name__in=ROLES), "role", nothing, F("name"))
    through_groups = rows(
        Permission.objects.filter(group__user__id=user_id), "perm", F("content_type__app_label"), F("codename")
    )
    direct = rows(Permission.objects.filter(user__id=user_id), "perm", F("content_type__app_label"), F("codename"))
    return roles.union(through_groups, direct, all=True)


def _load_access(user) -> None:
    """The user's roles and permissions in one query, cached on the user object for the request.

    One UNION of three simple reads (the user's role groups, their groups' permissions, their direct
    permissions) instead of a query each: every signed-in page needs both. Read afresh on every
    request (a new user object), so a role or permission taken away counts from the next request.
    """
    from django.db import connection

    sql, slots = compiled_query("access", _access_query, user_id=-730_002)
    with connection.cursor() as cursor:
        cursor.execute(sql, bind(slots, {"user_id": user.pk}))
        rows = cursor.fetchall()
    names, perms = set(), set()
    for kind, app, name in rows:
        if kind == "role":
            names.add(name)
        else:
            perms.add(f"{app}.{name}")
    user._clinic_roles = names
    # Never through the superuser flag; nothing at all for an inactive user.
    user._clinic_permissions = frozenset(perms) if user.is_active else frozenset()


def role_names(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_clinic_roles"):
        _load_access(user)
    return user._clinic_roles


def role_permissions(user) -> frozenset[str]:
    """ "app_label.codename" of every permission the user holds through a role or a direct grant.

    Never through the superuser flag. One query with the user's roles, cached on the user object for
    the request.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if getattr(user, "_clinic_permissions", None) is None:
        _load_access(user)
    return user._clinic_permissions


def may(user, *perms: str) -> bool:
    """May this user do a clinical or booking act that needs every one of `perms`?"""
    return set(perms) <= role_permissions(user)


class _RoleHolder:
    """What templates' `perms` asks: the same answer as `may`, so a page never offers what the server refuses."""

    def __init__(self, user):
        self._user = user

    def has_perm(self, perm, obj=None):
        return may(self._user, perm)

    def has_module_perms(self, app_label):
        return any(perm.startswith(f"{app_label}.") for perm in role_permissions(self._user))


def template_perms(user) -> PermWrapper:
    return PermWrapper(_RoleHolder(user))


def require(*perms: str):
    """Sign-in required (else redirect to sign-in); then every permission through a role, else 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                if request.headers.get("HX-Request") == "true":
                    # A page's own refresh after the session ended: send the whole page to sign-in,
                    # not the sign-in form into the part being refreshed.
                    from django_htmx.http import HttpResponseClientRedirect

                    return HttpResponseClientRedirect(
                        redirect_to_login(request.headers.get("HX-Current-URL", "/"))["Location"]
                    )
                return redirect_to_login(request.get_full_path())
            if not may(request.user, *perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_permissions = perms
        return wrapped

    return decorator


ROLE_REFUSED = "Your role does not allow this."


def acts(*perms: str):
    """The door of a state-changing service: its keyword `by` must be an active signed-in user who `may` do
    every one of `perms` (the permissions of the view that calls it), checked before the service reads or
    locks anything; otherwise PermissionDenied (a view answers 403). The superuser flag grants nothing, and
    `by=None` is refused: a system action (a patient's own link, a Celery task) calls a function without
    `by`. `fn.required_permissions` holds `perms`, so tests read the same table."""
    for perm in perms:
        if perm.count(".") != 1:
            raise ValueError(f"{perm!r} is not app_label.codename")

    def decorator(service):
        parameter = inspect.signature(service).parameters.get("by")
        if parameter is None or parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{service.__name__}: @acts needs a keyword-only `by`")

        @wraps(service)
        def checked(*args, **kwargs):
            by = kwargs.get("by")
            if by is None or not by.is_authenticated or not by.is_active or not may(by, *perms):
                raise PermissionDenied(ROLE_REFUSED)
            return service(*args, **kwargs)

        checked.required_permissions = perms
        return checked

    return decorator


def sync_role_permissions(**kwargs) -> None:
    """Give each role exactly its permissions; run after every migrate (idempotent).

    The groups are made by a data migration (clinic/migrations/0002_roles.py), but their permissions are
    (re)assigned here, after every migrate: the permissions of later apps only exist once those apps have migrated.
    """
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
