"""Django admin for staff: read-mostly views of the clinical rows, with their change history.

Screenings, flags, decisions and the access log are records of what happened: admin may look,
never change them (a change goes through the intake pages, which re-screen).
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from intake.models import Flag, Intake, Patient, RecordAccess, ReviewDecision, Screening


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Patient)
class PatientAdmin(SimpleHistoryAdmin):
    list_display = ("id", "last_name", "first_name", "date_of_birth", "created_at")
    search_fields = ("last_name", "first_name")
    readonly_fields = ("created_at", "created_by")


@admin.register(Intake)
class IntakeAdmin(ReadOnlyAdmin):
    list_display = ("id", "patient_id", "indication", "taken_by", "taken_at")


class FlagInline(admin.TabularInline):
    model = Flag
    extra = 0
    can_delete = False
    fields = ("position", "code", "severity", "reason", "source", "details")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyAdmin):
    list_display = ("id", "patient_id", "outcome", "urgent", "ruleset", "screened_at")
    list_filter = ("outcome", "urgent", "ruleset")
    inlines = [FlagInline]


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdmin):
    list_display = ("id", "screening_id", "decision", "rescreen_on", "decided_by", "decided_at")


@admin.register(RecordAccess)
class RecordAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "patient_id", "view")
    list_filter = ("view",)
