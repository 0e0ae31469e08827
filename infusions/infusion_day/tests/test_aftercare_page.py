"""The written after-care instructions as a printable page from the record, handed to the patient at discharge:
no driving until the next day after sleep, who to call (the location's phone, 988, 911) as tap-to-call links;
nothing clinical. Nurses and prescribers of the visit's location open it; the front desk does not."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from clinic.tests.factories import front_desk, main_location
from infusions.booking.services import series_book
from infusions.reminders import aftercare
from infusions.tests.helpers import bookable_patient, clinic, complete, series_visits
from intake.models import RecordAccess

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)


@pytest.fixture
def visit():
    location = main_location()
    location.phone = "(206) 555-0100"
    location.save()
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        chair, _ = clinic()
        series = series_book(
            patient=bookable_patient(first_name="Robin", last_name="Quimby"),
            visits=series_visits(MONDAY, chair),
            by=front_desk(),
        )
    return series.appointments.get(sequence=1)


def page_url(visit) -> str:
    return reverse("infusions:record_aftercare", args=[visit.pk])


def article(html: str) -> str:
    return html[html.index('data-testid="aftercare-page"') : html.index("</article>")]


def test_the_page_gives_the_instructions_and_who_to_call_as_links(client, visit, nurse):
    complete(visit)
    client.force_login(nurse)
    response = client.get(page_url(visit))
    assert response.status_code == 200
    html = article(response.content.decode())
    assert "Robin" in html and "Mon 7 Dec 2026" in html
    for line in aftercare.INSTRUCTIONS:
        assert line.replace("'", "&#x27;") in html
    assert "No driving" in html and "until the next day, after a night&#x27;s sleep" in html
    assert '<a href="tel:2065550100">(206) 555-0100</a>' in html
    assert 'href="tel:988"' in html and 'href="sms:988"' in html and 'href="tel:911"' in html
    for word in ("mg", "dose", "ketamine", "Systolic", "PHQ", "Quimby"):
        assert word not in html
    assert RecordAccess.objects.filter(patient=visit.patient, view="after-care instructions").count() == 1


def test_the_page_is_there_from_the_check_in_and_404_before(client, visit, nurse):
    client.force_login(nurse)
    with time_machine.travel(datetime(2026, 12, 7, 17, 0, tzinfo=UTC), tick=False):
        assert client.get(page_url(visit)).status_code == 404


def test_the_front_desk_may_not_open_it(client, visit):
    complete(visit)
    client.force_login(front_desk())
    assert client.get(page_url(visit)).status_code == 403
