"""Clinic set-up in Django admin: chairs, opening hours, closures and protocols."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from infusions.models import Chair, Closure, OpeningHours, Protocol


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
class ProtocolAdmin(SimpleHistoryAdmin):
    list_display = (
        "indication",
        "chair_minutes",
        "infusion_minutes",
        "dose_mg_per_kg",
        "series_count",
        "min_gap_days",
        "max_gap_days",
        "window_days",
    )
