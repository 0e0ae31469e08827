"""The result page says whether the patient may be booked in eligibility's words, not its own."""

from datetime import date

import pytest
from django.urls import reverse

from intake import services
from intake.eligibility import booking_eligibility
from intake.tests.helpers import answers

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def result_page(client, screening) -> str:
    return client.get(reverse("intake:screening", args=[screening.pk])).content.decode()


def test_a_clear_screening_may_be_booked(client, coordinator):
    screening = services.intake_create(answers=answers(), by=coordinator, today=TODAY)
    client.force_login(coordinator)
    assert '<p data-testid="eligibility">Booking: May be booked.</p>' in result_page(client, screening)


@pytest.mark.parametrize("changes", [{"cardiac": "mild_moderate"}, {"pregnancy": "planning"}])
def test_a_flagged_screening_waits_for_a_clinician(client, coordinator, changes):
    screening = services.intake_create(answers=answers(**changes), by=coordinator, today=TODAY)
    client.force_login(coordinator)
    page = result_page(client, screening)
    assert "Booking: Waiting for a clinician&#x27;s review." in page


def test_after_a_deferral_it_gives_the_re_screen_date(client, coordinator, clinician):
    screening = services.intake_create(answers=answers(pregnancy="planning"), by=coordinator, today=TODAY)
    services.review_decide(
        screening=screening, by=clinician, decision="defer", rescreen_on=date(2027, 3, 1), today=TODAY
    )
    client.force_login(coordinator)
    page = result_page(client, screening)
    reason = booking_eligibility(screening.patient).reason
    assert "Mon 1 Mar 2027" in reason and f"Booking: {reason}" in page
