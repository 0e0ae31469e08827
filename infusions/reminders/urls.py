"""Reminder pages and the patient's (public, signed) confirmation link."""

from django.urls import path

from infusions.reminders import confirm, views

urlpatterns = [
    # Public on purpose: the patient's signed, expiring link (see infusions.reminders.confirm).
    path("confirm/<str:token>/", confirm.reminder_confirm, name="reminder_confirm"),
    path("visits/<int:pk>/reminders/", views.visit_reminders, name="visit_reminders"),
    path("reminders/failed/", views.failed_list, name="reminders_failed"),
    path("reminders/<int:pk>/retry/", views.retry, name="reminder_retry"),
]
