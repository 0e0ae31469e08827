"""Clinic set-up in Django admin: chairs, opening hours, closures (each at a location) and protocols;
read-only views of series, appointments, reminders and maintenance orders for a staff admin who must
look one up. A location's page (clinic/admin.py) gets its chairs, hours and closures inline from here."""

from django.contrib import admin

from clinic.admin import LocationAdmin, NoRevertHistoryAdmin, ReadOnlyAdmin, ReadOnlyHistoryAdmin
from infusions.models import (
    AdverseEvent,
    Amendment,
    Appointment,
    Chair,
    Closure,
    InfusionRecord,
    InfusionSeries,
    MaintenanceOrder,
    OpeningHours,
    OutcomeInvitation,
    OutcomeScore,
    Protocol,
    RecordChange,
    Reminder,
    SeriesEvaluation,
    VitalReading,
)
from intake.admin import ClinicalRecordAdmin


@admin.register(Chair)
class ChairAdmin(admin.ModelAdmin):
    list_display = ("name", "location", "active", "position")
    list_editable = ("active", "position")
    list_filter = ("location", "active")
    list_select_related = ("location",)


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ("location", "weekday", "opens", "closes")
    list_filter = ("location", "weekday")
    list_select_related = ("location",)


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("date", "where", "reason")
    list_filter = ("location",)
    list_select_related = ("location",)
    date_hierarchy = "date"

    @admin.display(description="location", ordering="location__name")
    def where(self, obj):
        return obj.location or "Every location"


class ChairInline(admin.TabularInline):
    model = Chair
    fields = ("name", "active", "position")
    extra = 0


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    fields = ("weekday", "opens", "closes")
    extra = 0


class ClosureInline(admin.TabularInline):
    """This location's own closures; a holiday (every location) is added on the closures page."""

    model = Closure
    fields = ("date", "reason")
    extra = 0


LocationAdmin.inlines = [*LocationAdmin.inlines, ChairInline, OpeningHoursInline, ClosureInline]


@admin.register(Protocol)
class ProtocolAdmin(NoRevertHistoryAdmin):
    list_display = (
        "indication",
        "chair_minutes",
        "infusion_minutes",
        "dose_mg_per_kg",
        "max_dose_mg_per_kg",
        "series_count",
        "min_gap_days",
        "max_gap_days",
        "window_days",
    )


@admin.register(InfusionSeries)
class InfusionSeriesAdmin(ReadOnlyHistoryAdmin):
    list_display = ("id", "patient_id", "location", "kind", "status", "created_at")
    list_filter = ("location", "kind", "status")
    list_select_related = ("location",)


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("id", "series_id", "chair", "location", "start", "end", "status", "confirmed_at")
    list_filter = ("status", "chair__location", "chair")
    list_select_related = ("chair__location",)
    date_hierarchy = "start"

    @admin.display(description="location", ordering="chair__location__name")
    def location(self, obj):
        return obj.chair.location


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("id", "appointment_id", "channel", "offset_hours", "due_at", "status", "attempts", "last_error")
    list_filter = ("status", "channel")


@admin.register(MaintenanceOrder)
class MaintenanceOrderAdmin(ReadOnlyHistoryAdmin):
    list_display = ("id", "patient_id", "ordered_by", "ordered_at", "fulfilled_series_id", "cancelled_at")


# --- The infusion day's records: clinical, read-only, every opening logged -------------------------


@admin.register(InfusionRecord)
class InfusionRecordAdmin(ClinicalRecordAdmin):
    list_display = ("id", "appointment_id", "stage", "checked_in_at", "started_at", "ended_at", "discharged_at")
    list_filter = ("stage",)

    def patient_id_of(self, obj) -> int:
        return obj.appointment.patient_id


class _RecordPartAdmin(ClinicalRecordAdmin):
    def patient_id_of(self, obj) -> int:
        return obj.record.appointment.patient_id


@admin.register(VitalReading)
class VitalReadingAdmin(_RecordPartAdmin):
    list_display = ("id", "record_id", "taken_at", "phase", "systolic", "diastolic", "heart_rate", "spo2")


@admin.register(AdverseEvent)
class AdverseEventAdmin(_RecordPartAdmin):
    list_display = ("id", "record_id", "occurred_at", "kind", "severity", "outcome")
    list_filter = ("kind", "severity")


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "record_id", "made_at", "made_by")


@admin.register(RecordChange)
class RecordChangeAdmin(ReadOnlyAdmin):
    list_display = ("id", "record_id", "kind", "made_at", "made_by")
    list_filter = ("kind",)


@admin.register(OutcomeScore)
class OutcomeScoreAdmin(ClinicalRecordAdmin):
    list_display = ("id", "patient_id", "measure", "total", "source", "taken_at")
    list_filter = ("measure", "source")


@admin.register(SeriesEvaluation)
class SeriesEvaluationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("id", "series_id", "outcome", "plan", "decided_by", "decided_at")


@admin.register(OutcomeInvitation)
class OutcomeInvitationAdmin(ReadOnlyAdmin):
    list_display = ("id", "patient_id", "created_at", "sent_at", "used_at", "expires_at")
