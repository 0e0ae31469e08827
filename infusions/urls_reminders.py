"""Reminder pages, included into the "infusions" namespace by infusions/urls.py:

    path("", include("infusions.urls_reminders")),

No app_name here on purpose: the names join the including "infusions" namespace
(infusions:reminder_confirm, infusions:patient_questions, infusions:patient_checkin, infusions:visit_reminders,
infusions:reminders_failed, infusions:reminder_retry).
"""

from django.urls import path

from infusions.reminders import confirm, questions, views

urlpatterns = [
    # Public on purpose: the patient's signed, expiring link (see infusions.reminders.confirm).
    path("confirm/<str:token>/", confirm.reminder_confirm, name="reminder_confirm"),
    # Public on purpose: the patient's signed, expiring link to the questions before a visit (reminders.questions).
    path("q/<str:token>/", questions.patient_questions, name="patient_questions"),
    # Public on purpose: the patient's signed, single-use, expiring maintenance check-in link (reminders.questions).
    path("checkin/<str:token>/", questions.patient_checkin, name="patient_checkin"),
    path("visits/<int:pk>/reminders/", views.visit_reminders, name="visit_reminders"),
    path("reminders/failed/", views.failed_list, name="reminders_failed"),
    path("reminders/<int:pk>/retry/", views.retry, name="reminder_retry"),
]
