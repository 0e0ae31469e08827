"""The booking pages with a form show the service's refusal the one way pages do: the cancel confirmation page
puts a refusal about the reason next to the reason (400, the choice kept, nothing cancelled) and any other
refusal as a message; the maintenance order page puts a refusal about the note next to the note."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from clinic.refusals import Refused
from clinic.tests.factories import front_desk
from infusions.booking import services
from infusions.booking.services import appointment_cancel, series_book
from infusions.models import Appointment, MaintenanceOrder
from infusions.tests.helpers import bookable_patient, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
NOT_THIS_REASON = "A clinic decision is recorded by the clinic's manager: choose another reason or ask them."


@pytest.fixture(autouse=True)
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def visit():
    chair, _ = clinic()
    series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
    return series.appointments.get(sequence=2)


def reason_errors(html: str) -> str:
    match = re.search(r'data-testid="reason-errors">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


def test_a_refusal_about_the_reason_is_shown_next_to_it_with_the_choice_kept(client, visit, monkeypatch):
    """The service has the last word over the form: a rule the form does not know (a stand-in here) refuses the
    reason chosen, and the confirmation page shows it under the reasons, the chosen one still ticked."""
    called = []

    def refuse_the_reason(*, appointment, by, reason):
        called.append((appointment.pk, by, reason))
        raise Refused(fields={"reason": NOT_THIS_REASON})

    monkeypatch.setattr(services, "appointment_cancel", refuse_the_reason)
    desk = front_desk()
    client.force_login(desk)
    response = client.post(reverse("infusions:visit_cancel", args=[visit.pk]), {"reason": "clinic"})

    assert response.status_code == 400
    assert called == [(visit.pk, desk, "clinic")]
    html = response.content.decode()
    assert NOT_THIS_REASON.replace("'", "&#x27;") in reason_errors(html)
    assert html.count("choose another reason") == 1  # next to the reason only, not also as a message
    assert re.search(r'<input[^>]*value="clinic"[^>]*checked', html)
    assert Appointment.objects.get(pk=visit.pk).status == Appointment.Status.SCHEDULED


def test_a_refusal_about_the_visit_is_a_message_on_the_confirmation_page(client, visit):
    appointment_cancel(appointment=visit, by=front_desk(), reason="illness")
    client.force_login(front_desk())
    response = client.post(reverse("infusions:visit_cancel", args=[visit.pk]), {"reason": "transport"})

    assert response.status_code == 400
    assert [m.message for m in response.context["messages"]] == ["Only a scheduled visit can be cancelled."]
    assert reason_errors(response.content.decode()) == ""
    visit.refresh_from_db()
    assert (visit.status, visit.cancel_reason) == (Appointment.Status.CANCELLED, "illness")


def test_a_refusal_about_the_note_is_shown_next_to_it_on_the_maintenance_order_page(client, clinician, monkeypatch):
    patient = bookable_patient()

    def refuse_the_note(*, patient, by, note):
        raise Refused(fields={"note": "Ensure this value has at most 200 characters (it has 201)."})

    monkeypatch.setattr(services, "maintenance_order", refuse_the_note)
    client.force_login(clinician)
    response = client.post(reverse("infusions:maintenance_order", args=[patient.pk]), {"note": "Booster in March"})

    assert response.status_code == 400
    html = response.content.decode()
    note = re.search(r'<input class="form-control is-invalid"[^>]*name="note".*?</div>\s*</div>', html, re.S)
    assert note, "the note is not marked invalid"
    assert 'value="Booster in March"' in note.group(0) and "at most 200 characters" in note.group(0)
    assert [m.message for m in response.context["messages"]] == []
    assert not MaintenanceOrder.objects.exists()
