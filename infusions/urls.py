from django.urls import include, path

from infusions.views import booking, clinician, course, floor, infusion_day, reports, schedule, visits

# The booking pages are the same for both flows; each URL names its flow.
SERIES, MAINTENANCE = {"flow": booking.SERIES}, {"flow": booking.MAINTENANCE}

app_name = "infusions"
urlpatterns = [
    # The schedule.
    path("", schedule.home, name="home"),
    path("day/", schedule.day_view, name="day"),
    path("week/", schedule.week_view, name="week"),
    # The floor: the day grid (book in an empty cell, move by picking one), the week's load, the worklists.
    path("grid/", floor.grid, name="grid"),
    path("grid/week/", floor.grid_week, name="grid_week"),
    path("grid/book/", floor.grid_book, name="grid_book"),
    path("grid/book/<int:patient_id>/", floor.grid_plan, name="grid_plan"),
    path("worklists/", floor.worklists, name="worklists"),
    # Front desk booking: a series, or maintenance visits.
    path("book/", booking.book_search, name="book"),
    path("book/<int:patient_id>/", booking.plan, SERIES, name="book_plan"),
    path("book/<int:patient_id>/day/", booking.pick, SERIES, name="book_pick"),
    path("book/<int:patient_id>/confirm/", booking.confirm, SERIES, name="book_confirm"),
    path("maintenance/<int:patient_id>/", booking.plan, MAINTENANCE, name="maintenance_plan"),
    path("maintenance/<int:patient_id>/day/", booking.pick, MAINTENANCE, name="maintenance_pick"),
    path("maintenance/<int:patient_id>/confirm/", booking.confirm, MAINTENANCE, name="maintenance_confirm"),
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
    # Clinicians: the day sheet and maintenance orders.
    path("visits/<int:pk>/sheet/", clinician.day_sheet, name="day_sheet"),
    path("patients/<int:patient_id>/maintenance-order/", clinician.maintenance_order, name="maintenance_order"),
    path("maintenance-orders/<int:pk>/cancel/", clinician.maintenance_order_cancel, name="maintenance_order_cancel"),
    # The infusion day: a visit's chair-side record, step by step, and the infusion room.
    path("room/", infusion_day.room, name="room"),
    path("room/board/", infusion_day.room_board, name="room_board"),
    path("visits/<int:pk>/record/", infusion_day.record, name="record"),
    path("visits/<int:pk>/record/print/", infusion_day.record_print, name="record_print"),
    path("visits/<int:pk>/record/check-in/", infusion_day.check_in, name="record_check_in"),
    path("visits/<int:pk>/record/gate/", infusion_day.release_gate, name="record_gate"),
    path("visits/<int:pk>/record/recheck/", infusion_day.recheck, name="record_recheck"),
    path("visits/<int:pk>/record/defer/", infusion_day.defer, name="record_defer"),
    path("visits/<int:pk>/record/order/", infusion_day.order_dose, name="record_order"),
    path("visits/<int:pk>/record/start/", infusion_day.start, name="record_start"),
    path("visits/<int:pk>/record/reading/", infusion_day.add_reading, name="record_reading"),
    path("visits/<int:pk>/record/event/", infusion_day.add_event, name="record_event"),
    path("visits/<int:pk>/record/end/", infusion_day.end_infusion, name="record_end"),
    path("visits/<int:pk>/record/ready/", infusion_day.ready_for_pickup, name="record_ready"),
    path("visits/<int:pk>/record/discharge/", infusion_day.discharge, name="record_discharge"),
    path("visits/<int:pk>/record/amend/", infusion_day.amend, name="record_amend"),
    # Outcomes: the course page, the end-of-series evaluation, the reviews the rules raise.
    path("patients/<int:patient_id>/course/", course.course_view, name="course"),
    path("series/<int:series_id>/evaluate/", course.evaluate, name="series_evaluate"),
    path("outcome-reviews/<int:pk>/booster/", course.review_booster, name="review_booster"),
    path("outcome-reviews/<int:pk>/resolve/", course.review_resolve, name="review_resolve"),
    path("reports/", reports.outcome_report, name="reports"),
    path("reports/outcomes.csv", reports.outcome_report_csv, name="reports_csv"),
    # Reminder pages and the patient's (public, signed) confirmation link.
    path("", include("infusions.urls_reminders")),
]
