"""The floor: the day grid (book in an empty cell, move by picking one), the week's load, the worklists."""

from django.urls import path

from infusions.floor import views

urlpatterns = [
    path("grid/", views.grid, name="grid"),
    path("grid/week/", views.grid_week, name="grid_week"),
    path("grid/book/", views.grid_book, name="grid_book"),
    path("grid/book/<int:patient_id>/", views.grid_plan, name="grid_plan"),
    path("worklists/", views.worklists, name="worklists"),
]
