"""Django admin for the clinic's set-up, and the read-only bases every app's admin uses for records.

Clinical and booking records (screenings, decisions, series, appointments, reminders, the access
log) change only through the services, which check every rule. In admin they can be looked up and
their change history read, never changed, deleted or reverted: django-simple-history's revert form
saves on POST whatever the page shows, so the history form refuses POST outright here, and
SIMPLE_HISTORY_REVERT_DISABLED hides the button.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from clinic.models import Clinic
from clinic.users import user_has_acted


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record admin may look up, never add, change or delete (for models without history).

    Looking up needs `clinic.look_up_records` (the Staff admin role), not the model's view
    permission: that one opens the clinical and booking pages, which a staff admin may not use.
    """

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and request.user.has_perm("clinic.look_up_records")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoRevertHistoryAdmin(SimpleHistoryAdmin):
    """History is viewable in admin, never revertible: a POST to a historical version is refused."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyHistoryAdmin(ReadOnlyAdmin, NoRevertHistoryAdmin):
    """A record with change history: look it up and read its history; nothing else."""


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not Clinic.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Users who have acted are deactivated, never deleted (clinic.users): no bulk delete, no delete button."""

    actions = ["deactivate"]
    list_display = ("username", "first_name", "last_name", "is_active", "is_staff", "last_login")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and user_has_acted(obj):
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description="Deactivate the selected users (they can no longer sign in)", permissions=["change"])
    def deactivate(self, request, queryset):
        count = queryset.filter(is_active=True).exclude(pk=request.user.pk).update(is_active=False)
        self.message_user(request, f"Deactivated {count} user(s).", messages.SUCCESS)
