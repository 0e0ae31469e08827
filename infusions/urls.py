"""The infusions app's pages, one URL module per job. Every name joins the "infusions" namespace."""

from django.urls import include, path

app_name = "infusions"
urlpatterns = [
    path("", include("infusions.booking.urls")),
    path("", include("infusions.floor.urls")),
    path("", include("infusions.infusion_day.urls")),
    path("", include("infusions.outcomes.urls")),
    path("", include("infusions.reminders.urls")),
]
