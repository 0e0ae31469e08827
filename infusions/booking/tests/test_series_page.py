"""The series page offers each visit only the changes its status allows (the model answers, the page asks)."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from infusions.booking.services import appointment_cancel, appointment_mark, series_book
from infusions.tests.helpers import bookable_patient, clinic, complete, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)


def test_each_visit_shows_the_actions_its_status_allows(client, front_desk):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        chair, _ = clinic()
        series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk)
        visits = list(series.appointments.order_by("sequence"))
        appointment_cancel(appointment=visits[5], by=front_desk, reason="patient_request")
        traveller.move_to(datetime(2026, 12, 10, 20, 0, tzinfo=UTC))  # noon on the second visit's day
        complete(visits[0])
        appointment_mark(appointment=visits[1], status="arrived", by=front_desk)
        client.force_login(front_desk)
        text = client.get(reverse("infusions:series", args=[series.pk])).content.decode()
    assert "Move visit 1" not in text and "Cancel visit 1" not in text  # completed (discharged)
    assert "Move visit 2" not in text and "Cancel visit 2" not in text  # arrived
    assert 'value="completed"' not in text  # a visit is completed by its discharge, never by a button here
    assert "Move visit 3" in text and "Cancel visit 3" in text  # scheduled, still to come
    assert "Move visit 6" not in text and "Cancel visit 6" not in text  # cancelled
    assert text.count('value="arrived"') == 0 and text.count('value="no_show"') == 0
    assert "Undo completed" not in text and "Undo arrived" in text  # a discharge is signed, an arrival undone
    assert "Mark series completed" in text and "Cancel the rest of the series" in text
