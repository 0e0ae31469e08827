"""Django admin for the clinic's set-up, and the read-only bases every app's admin uses for records.

Clinical and booking records (screenings, decisions, series, appointments, reminders, the access
log) change only through the services, which check every rule. In admin they can be looked up and
their change history read, never changed, deleted or reverted: django-simple-history's revert form
saves on POST whatever the page shows, so the history form refuses POST outright here, and
SIMPLE_HISTORY_REVERT_DISABLED hides the button.
"""

from zoneinfo import available_timezones

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from clinic.models import Clinic, Location
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
    """The organisation's shared settings; each location's address, phone and zone are on its own page."""

    fieldsets = (
        (None, {"fields": ("name", "preparation_text")}),
        ("Reminders", {"fields": ("reminder_offsets_hours", "sms_quiet_start", "sms_quiet_end", "late_cancel_hours")}),
        (
            "Screening and maintenance",
            {
                "fields": (
                    "breastfeeding_severity",
                    "screening_valid_days",
                    "maintenance_interval_weeks",
                    "maintenance_checkin_days",
                )
            },
        ),
        (
            "The infusion day (the medical director's thresholds; defaults and sources in each help text)",
            {
                "fields": (
                    ("bp_no_start_systolic", "bp_no_start_diastolic"),
                    ("bp_decision_systolic", "bp_decision_diastolic"),
                    ("alert_systolic", "alert_diastolic", "alert_heart_rate", "alert_spo2"),
                    ("reading_interval_minutes", "observation_interval_minutes", "observation_minutes"),
                )
            },
        ),
    )

    def has_add_permission(self, request):
        return not Clinic.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


def time_zone_choices():
    """Every IANA zone this system knows, sorted (the model's validator accepts exactly these)."""
    return [("", "---------"), *((name, name) for name in sorted(available_timezones()))]


class LocationForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=time_zone_choices, help_text=Location._meta.get_field("time_zone").help_text)

    class Meta:
        model = Location
        fields = (
            "name",
            "active",
            "position",
            "address",
            "phone",
            "sender_name",
            "time_zone",
            "sms_quiet_start",
            "sms_quiet_end",
            "staff",
        )


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    """Locations are set up by the staff admin and never deleted: one with history is deactivated.

    Its chairs, opening hours and closures are edited inline: infusions/admin.py adds those inlines
    (the base app does not import the feature app that owns them).
    """

    form = LocationForm
    list_display = ("name", "time_zone", "address", "phone", "active", "position")
    list_filter = ("active", "time_zone")
    search_fields = ("name", "address")
    filter_horizontal = ("staff",)
    fieldsets = (
        (None, {"fields": ("name", "active", "position")}),
        ("Contact (goes into reminders and calendar files)", {"fields": ("address", "phone", "sender_name")}),
        ("Time", {"fields": ("time_zone", "sms_quiet_start", "sms_quiet_end")}),
        ("The infusion room", {"fields": ("starts_per_quarter_hour",)}),
        ("Staff", {"fields": ("staff",)}),
    )
    inlines = []  # extended by infusions/admin.py

    def has_delete_permission(self, request, obj=None):
        return False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Users who have acted are deactivated, never deleted (clinic.users): no bulk delete, no delete button."""

    actions = ["deactivate"]
    list_display = ("username", "first_name", "last_name", "is_active", "is_staff", "last_login")
    list_filter = (*UserAdmin.list_filter, "locations")

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
