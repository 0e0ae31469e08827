"""A visit's state has one word and one colour on the grid, the infusion room, the day, the week and the home
page (infusions.models.states), so staff never read two names for one state."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from clinic.roles import FRONT_DESK, NURSE
from clinic.tests.factories import UserFactory, front_desk
from infusions.booking.services import series_book
from infusions.infusion_day import services as record_services
from infusions.tests.helpers import bookable_patient, clean_check_in, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)


def _badges(html: str) -> dict[str, str]:
    """Each state badge's code and word on a page."""
    found = re.findall(r'class="badge[^"]*state-badge state-(\w+)" data-testid="sta(?:te|ge)">([^<]+)<', html)
    found += re.findall(
        r'class="floor-block[^"]*state-(\w+)[^"]*"(?:(?!floor-block).)*?data-testid="state">([^<]+)<', html, flags=re.S
    )
    return {code: word.strip().lower() for code, word in found}


@pytest.mark.parametrize(
    ("stage", "code", "word"),
    [("checked_in", "arrived", "waiting"), ("in_chair", "in_chair", "in chair")],
)
def test_it_names_an_arrived_visit_alike_on_every_page(client, stage, code, word):
    chair = clinic(chairs=1)[0]
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        visits = series_visits(MONDAY, chair)
        series = series_book(patient=bookable_patient(last_name="Lovelace"), visits=visits, by=front_desk())
    visit = series.appointments.get(sequence=1)
    nurse = UserFactory(role=NURSE)
    prescriber = UserFactory(role="Clinician")
    with time_machine.travel(datetime(2026, 12, 7, 17, 5, tzinfo=UTC), tick=False):  # 09:05 in Los Angeles
        record = record_services.record_check_in(appointment=visit, values=clean_check_in(), by=nurse)
        if stage == "in_chair":
            record_services.record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
            record_services.record_start(record=record, by=nurse)
        desk = UserFactory(role=FRONT_DESK)
        pages = {}
        client.force_login(desk)
        for name in ("infusions:grid", "infusions:day", "infusions:week", "infusions:home"):
            pages[name] = client.get(reverse(name), {"date": MONDAY.isoformat()}).content.decode()
        client.force_login(nurse)
        pages["infusions:room"] = client.get(reverse("infusions:room")).content.decode()
    for name, html in pages.items():
        assert _badges(html).get(code) == word, name
