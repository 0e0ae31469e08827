"""The clinic's roles and how views check them.

A role is a Django group; what it may do is the set of permissions below. Views check a
permission, never a group name, so a staff admin can grant one extra ability in Django admin.
The groups are created by a data migration (clinic/migrations/0002_roles.py); their permissions
are (re)assigned after every migrate, because the permissions of later apps only exist once
those apps have migrated.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

COORDINATOR = "Intake coordinator"
CLINICIAN = "Clinician"
FRONT_DESK = "Front desk"
ROLES = (COORDINATOR, CLINICIAN, FRONT_DESK)

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
        "infusions.view_appointment",
        "infusions.view_infusionseries",
        "infusions.view_dose_sheet",
        "infusions.view_maintenanceorder",
        "infusions.add_maintenanceorder",
        "infusions.change_maintenanceorder",  # to cancel an open order
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
    ],
}

# Where each role starts its day (URL names).
ROLE_HOME = {
    COORDINATOR: "intake:home",
    CLINICIAN: "intake:queue",
    FRONT_DESK: "infusions:home",
}


def role_names(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_clinic_roles"):
        user._clinic_roles = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    return user._clinic_roles


def require(*perms: str):
    """Sign-in required (else redirect to sign-in); then every permission, else 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_permissions = perms
        return wrapped

    return decorator


def sync_role_permissions(**kwargs) -> None:
    """Give each role exactly its permissions; run after every migrate (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
