"""Django admin for staff: read-mostly views of the clinical rows, with their change history.

Screenings, flags, decisions and the access log are records of what happened: admin may look,
never change them (a change goes through the intake pages, which re-screen).
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote

from clinic.admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin
from intake.models import (
    Flag,
    Intake,
    OutcomeReview,
    Patient,
    RecordAccess,
    ReviewDecision,
    SafetyAlert,
    Screening,
)
from intake.services import record_access_log


class ClinicalRecordAdmin(ReadOnlyHistoryAdmin):
    """A patient's clinical record in admin: read-only, and every opening is written to the access log,
    as on the clinical pages (the record, its history list and a historical version)."""

    def patient_id_of(self, obj) -> int:
        return obj.patient_id

    def _logged(self, request, object_id, response, view: str):
        if response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                record_access_log(by=request.user, patient_id=self.patient_id_of(obj), view=view)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        return self._logged(request, object_id, response, f"admin:{self.opts.model_name}")

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        return self._logged(request, object_id, response, f"admin:{self.opts.model_name}:history")

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        return self._logged(request, object_id, response, f"admin:{self.opts.model_name}:version")


@admin.register(Patient)
class PatientAdmin(ClinicalRecordAdmin):
    """Read-only too: a patient's details change through the intake pages (weight and date of birth are clinical)."""

    list_display = ("id", "last_name", "first_name", "date_of_birth", "created_at")
    search_fields = ("last_name", "first_name")

    def patient_id_of(self, obj) -> int:
        return obj.pk


@admin.register(Intake)
class IntakeAdmin(ClinicalRecordAdmin):
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
class ScreeningAdmin(ClinicalRecordAdmin):
    list_display = ("id", "patient_id", "outcome", "urgent", "ruleset", "screened_at")
    list_filter = ("outcome", "urgent", "ruleset")
    inlines = [FlagInline]


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ClinicalRecordAdmin):
    list_display = ("id", "screening_id", "decision", "rescreen_on", "decided_by", "decided_at")
    list_select_related = ("decided_by",)

    def patient_id_of(self, obj) -> int:
        return obj.screening.patient_id


@admin.register(RecordAccess)
class RecordAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "patient_id", "view")
    list_filter = ("view",)


@admin.register(SafetyAlert)
class SafetyAlertAdmin(ClinicalRecordAdmin):
    list_display = ("id", "patient_id", "source", "raised_at", "resolved_at", "resolved_by")
    list_filter = ("source",)


@admin.register(OutcomeReview)
class OutcomeReviewAdmin(ClinicalRecordAdmin):
    list_display = ("id", "patient_id", "code", "measure", "raised_at", "resolved_at")
    list_filter = ("code",)
