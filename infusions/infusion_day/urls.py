"""The infusion day: the room, the day sheet, and a visit's chair-side record step by step."""

from django.urls import path

from infusions.infusion_day import views

urlpatterns = [
    path("room/", views.room, name="room"),
    path("room/board/", views.room_board, name="room_board"),
    path("prescriber/", views.prescriber_list, name="prescriber_list"),
    path("visits/<int:pk>/sheet/", views.day_sheet, name="day_sheet"),
    path("visits/<int:pk>/record/", views.record, name="record"),
    path("visits/<int:pk>/record/print/", views.record_print, name="record_print"),
    path("visits/<int:pk>/record/check-in/", views.check_in, name="record_check_in"),
    path("visits/<int:pk>/record/gate/", views.release_gate, name="record_gate"),
    path("visits/<int:pk>/record/recheck/", views.recheck, name="record_recheck"),
    path("visits/<int:pk>/record/defer/", views.defer, name="record_defer"),
    path("visits/<int:pk>/record/order/", views.order_dose, name="record_order"),
    path("visits/<int:pk>/record/start/", views.start, name="record_start"),
    path("visits/<int:pk>/record/reading/", views.add_reading, name="record_reading"),
    path("visits/<int:pk>/record/event/", views.add_event, name="record_event"),
    path("visits/<int:pk>/record/end/", views.end_infusion, name="record_end"),
    path("visits/<int:pk>/record/ready/", views.ready_for_pickup, name="record_ready"),
    path("visits/<int:pk>/record/discharge-decision/", views.discharge_decision, name="record_discharge_decision"),
    path("visits/<int:pk>/record/discharge/", views.discharge, name="record_discharge"),
    path("visits/<int:pk>/record/aftercare/", views.aftercare, name="record_aftercare"),
    path("visits/<int:pk>/record/amend/", views.amend, name="record_amend"),
]
