"""Clinic set-up in Django admin: chairs, opening hours, closures and protocols; read-only views of
series, appointments, reminders and maintenance orders for a staff admin who must look one up."""

from django.contrib import admin

from clinic.admin import NoRevertHistoryAdmin, ReadOnlyAdmin, ReadOnlyHistoryAdmin
from infusions.models import (
    Appointment,
    Chair,
    Closure,
    InfusionSeries,
    MaintenanceOrder,
    OpeningHours,
    Protocol,
    Reminder,
)


@admin.register(Chair)
class ChairAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "position")
    list_editable = ("active", "position")


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ("weekday", "opens", "closes")
    list_filter = ("weekday",)


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("date", "reason")
    date_hierarchy = "date"


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
    list_display = ("id", "patient_id", "kind", "status", "created_at")
    list_filter = ("kind", "status")


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("id", "series_id", "chair", "start", "end", "status", "confirmed_at")
    list_filter = ("status", "chair")
    date_hierarchy = "start"


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("id", "appointment_id", "channel", "offset_hours", "due_at", "status", "attempts", "last_error")
    list_filter = ("status", "channel")


@admin.register(MaintenanceOrder)
class MaintenanceOrderAdmin(ReadOnlyHistoryAdmin):
    list_display = ("id", "patient_id", "ordered_by", "ordered_at", "fulfilled_series_id", "cancelled_at")
