"""The series page offers each visit only the changes its status allows (the model answers, the page asks)."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from infusions.services import appointment_cancel, appointment_mark, series_book
from infusions.tests.helpers import bookable_patient, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)


def test_each_visit_shows_the_actions_its_status_allows(client, front_desk):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        chair, _ = clinic()
        series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk)
        visits = list(series.appointments.order_by("sequence"))
        appointment_cancel(appointment=visits[5], by=front_desk)
        traveller.move_to(datetime(2026, 12, 10, 20, 0, tzinfo=UTC))  # noon on the second visit's day
        appointment_mark(appointment=visits[0], status="completed", by=front_desk)
        appointment_mark(appointment=visits[1], status="arrived", by=front_desk)
        client.force_login(front_desk)
        text = client.get(reverse("infusions:series", args=[series.pk])).content.decode()
    assert "Move visit 1" not in text and "Completed 1" not in text  # completed
    assert "Move visit 2" not in text and "Completed 2" in text  # arrived: only completed remains
    assert "Move visit 3" in text and "Cancel visit 3" in text  # scheduled, still to come:
    assert "Completed 3" not in text  # nothing is marked before the visit starts
    assert "Move visit 6" not in text and "Cancel visit 6" not in text  # cancelled
    assert text.count('value="arrived"') == 0 and text.count('value="no_show"') == 0
    assert "Undo completed" in text and "Undo arrived" in text  # the marks made today
    assert "Mark series completed" in text and "Cancel the rest of the series" in text
