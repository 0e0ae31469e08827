from django.urls import include, path

from infusions import views

app_name = "infusions"
urlpatterns = [
    path("", views.home, name="home"),
    path("book/", views.book_search, name="book"),
    path("book/<int:patient_id>/", views.book_plan, name="book_plan"),
    path("book/<int:patient_id>/day/", views.book_pick, name="book_pick"),
    path("book/<int:patient_id>/confirm/", views.book_confirm, name="book_confirm"),
    path("maintenance/<int:patient_id>/", views.maintenance_plan, name="maintenance_plan"),
    path("maintenance/<int:patient_id>/day/", views.maintenance_pick, name="maintenance_pick"),
    path("maintenance/<int:patient_id>/confirm/", views.maintenance_confirm, name="maintenance_confirm"),
    path("day/", views.day_view, name="day"),
    path("week/", views.week_view, name="week"),
    path("series/<int:pk>/", views.series_detail, name="series"),
    path("series/<int:pk>/cancel-rest/", views.series_cancel_rest, name="series_cancel_rest"),
    path("series/<int:pk>/complete/", views.series_complete, name="series_complete"),
    path("visits/<int:pk>/move/", views.visit_move, name="visit_move"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("visits/<int:pk>/mark/", views.visit_mark, name="visit_mark"),
    path("visits/<int:pk>/sheet/", views.day_sheet, name="day_sheet"),
    path("patients/<int:patient_id>/visits.ics", views.patient_calendar, name="patient_calendar"),
    path("patients/<int:patient_id>/maintenance-order/", views.maintenance_order, name="maintenance_order"),
    path("maintenance-orders/<int:pk>/cancel/", views.maintenance_order_cancel, name="maintenance_order_cancel"),
    # Reminder pages and the patient's (public, signed) confirmation link.
    path("", include("infusions.urls_reminders")),
]
