from django.urls import path

from intake import views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.intake_new, name="intake_new"),
    path("intakes/<int:intake_id>/edit/", views.intake_edit, name="intake_edit"),
    path("screenings/<int:screening_id>/", views.screening_result, name="screening"),
    path("patients/<int:patient_id>/", views.patient_detail, name="patient"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:screening_id>/", views.case, name="case"),
    path("alerts/<int:alert_id>/resolve/", views.alert_resolve, name="alert_resolve"),
]
