"""Outcomes: the course page, the end-of-series evaluation, the reviews the rules raise, reports, and the
patient's own links for the questions before a visit and the maintenance check-in."""

from django.urls import path

from infusions.outcomes import questions
from infusions.outcomes.views import course, reports

urlpatterns = [
    path("patients/<int:patient_id>/course/", course.course_view, name="course"),
    path("series/<int:series_id>/evaluate/", course.evaluate, name="series_evaluate"),
    path("outcome-reviews/<int:pk>/booster/", course.review_booster, name="review_booster"),
    path("outcome-reviews/<int:pk>/resolve/", course.review_resolve, name="review_resolve"),
    path("reports/", reports.outcome_report, name="reports"),
    path("reports/outcomes.csv", reports.outcome_report_csv, name="reports_csv"),
    # Public on purpose: the patient's signed, expiring link to the questions before a visit.
    path("q/<str:token>/", questions.patient_questions, name="patient_questions"),
    # Public on purpose: the patient's signed, single-use, expiring maintenance check-in link.
    path("checkin/<str:token>/", questions.patient_checkin, name="patient_checkin"),
]
