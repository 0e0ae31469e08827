from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from clinic.models import Location
from clinic.tests.factories import clinic_settings, main_location
from infusions.booking.services import appointment_cancel, series_book
from infusions.tests.helpers import at, bookable_patient, clinic, series_visits

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(front_desk):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        chair, _ = clinic()
        patient = bookable_patient(weight_kg=Decimal("83.4"))
        return series_book(patient=patient, visits=series_visits(date(2026, 12, 7), chair), by=front_desk)


def test_the_day_sheet_gives_the_planned_dose_in_mg_and_ml_for_clinician_confirmation(client, clinician, series):
    client.force_login(clinician)
    visit = series.appointments.get(sequence=1)
    response = client.get(reverse("infusions:day_sheet", args=[visit.pk]))
    text = response.content.decode()
    dose = response.context["dose"]
    assert dose.mg == Decimal("41.7")  # 0.5 mg/kg x 83.4 kg
    volumes = [(v.mg_per_ml, v.ml) for v in dose.volumes]
    assert volumes == [(10, Decimal("4.17")), (50, Decimal("0.83")), (100, Decimal("0.42"))]
    assert "for clinician confirmation" in text
    assert "4.17 mL" in text and "0.83 mL" in text and "0.42 mL" in text
    assert "150.0 mL/h" in text  # the default 100 mL bag over the protocol's 40 minutes


def test_the_calendar_lists_booked_visits_without_clinical_content(client, front_desk, series):
    clinic_row = clinic_settings()
    Location.objects.filter(pk=main_location().pk).update(address="1 Main St")
    appointment_cancel(appointment=series.appointments.get(sequence=6), by=front_desk, reason="patient_request")
    client.force_login(front_desk)
    response = client.get(reverse("infusions:patient_calendar", args=[series.patient_id]))
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 5  # the cancelled visit is left out
    assert events[0].decoded("dtstart") == at(date(2026, 12, 7), 9)
    assert str(events[0]["location"]) == "1 Main St"
    text = response.content.decode().lower()
    for clinical in ("ketamine", "mg", "depression", "dose", "infusion series", "weight"):
        assert clinical not in text.replace(clinic_row.name.lower(), "")


def test_front_desk_cannot_open_the_day_sheet(client, front_desk, series):
    # Weight and planned dose are clinical: minimum necessary for the front desk.
    visit = series.appointments.first()
    client.force_login(front_desk)
    assert client.get(reverse("infusions:day_sheet", args=[visit.pk])).status_code == 403
