"""Booking: the schedule, the plan pages for a series or maintenance visits, a series and its visits."""

from django.urls import path

from infusions.booking.views import orders, plan, schedule, visits

# The booking pages are the same for both flows; each URL names its flow.
SERIES, MAINTENANCE = {"flow": plan.SERIES}, {"flow": plan.MAINTENANCE}

urlpatterns = [
    # The schedule.
    path("", schedule.home, name="home"),
    path("day/", schedule.day_view, name="day"),
    path("week/", schedule.week_view, name="week"),
    # Front desk booking: a series, or maintenance visits.
    path("book/", plan.book_search, name="book"),
    path("book/<int:patient_id>/", plan.plan, SERIES, name="book_plan"),
    path("book/<int:patient_id>/day/", plan.pick, SERIES, name="book_pick"),
    path("book/<int:patient_id>/confirm/", plan.confirm, SERIES, name="book_confirm"),
    path("maintenance/<int:patient_id>/", plan.plan, MAINTENANCE, name="maintenance_plan"),
    path("maintenance/<int:patient_id>/day/", plan.pick, MAINTENANCE, name="maintenance_pick"),
    path("maintenance/<int:patient_id>/confirm/", plan.confirm, MAINTENANCE, name="maintenance_confirm"),
    # A series and its visits.
    path("series/<int:pk>/", visits.series_detail, name="series"),
    path("series/<int:pk>/cancel-rest/", visits.series_cancel_rest, name="series_cancel_rest"),
    path("series/<int:pk>/complete/", visits.series_complete, name="series_complete"),
    path("visits/<int:pk>/move/", visits.visit_move, name="visit_move"),
    path("visits/<int:pk>/replace/", visits.visit_replace, name="visit_replace"),
    path("visits/<int:pk>/cancel/", visits.visit_cancel, name="visit_cancel"),
    path("visits/<int:pk>/confirm-by-phone/", visits.visit_confirm_by_phone, name="visit_confirm_by_phone"),
    path("visits/<int:pk>/undo-cancel/", visits.visit_undo_cancel, name="visit_undo_cancel"),
    path("visits/<int:pk>/mark/", visits.visit_mark, name="visit_mark"),
    path("visits/<int:pk>/undo-mark/", visits.visit_undo_mark, name="visit_undo_mark"),
    path("patients/<int:patient_id>/visits.ics", visits.patient_calendar, name="patient_calendar"),
    # Clinicians' maintenance orders.
    path("patients/<int:patient_id>/maintenance-order/", orders.maintenance_order, name="maintenance_order"),
    path("maintenance-orders/<int:pk>/cancel/", orders.maintenance_order_cancel, name="maintenance_order_cancel"),
]
