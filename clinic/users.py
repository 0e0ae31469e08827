"""Staff accounts keep the audit trail: a user who has acted is deactivated, never deleted.

Deleting a user would cascade away their admin log entries and blank the user on every history row
(django-simple-history sets it to NULL), so "who changed this" would be lost. A user who has signed
in, or appears in the admin log or any change history, can only be deactivated. This holds on every
path: admin (no delete button, no bulk delete), the shell and management commands (a pre_delete
signal refuses).
"""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied


class UserHasActed(PermissionDenied):
    def __init__(self):
        super().__init__("This user has acted in the clinic's records: deactivate the account instead of deleting it.")


def user_has_acted(user) -> bool:
    if user.pk is None:
        return False
    if user.last_login is not None:
        return True
    from django.contrib.admin.models import LogEntry

    if LogEntry.objects.filter(user_id=user.pk).exists():
        return True
    for model in apps.get_models():
        try:
            model._meta.get_field("history_user")
        except FieldDoesNotExist:
            continue
        if model._default_manager.filter(history_user_id=user.pk).exists():
            return True
    return False


def refuse_deleting_users_who_acted(sender, instance, **kwargs) -> None:
    if user_has_acted(instance):
        raise UserHasActed()
