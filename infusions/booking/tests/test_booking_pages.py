from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from clinic.tests.factories import ScreeningFactory
from infusions.booking.services import series_book
from infusions.models import Appointment, InfusionSeries
from infusions.tests.helpers import at, bookable_patient, clinic
from intake import phones

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    # 08:00 local on Tuesday 1 December 2026.
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        yield


def _plan(client, patient, **query):
    return client.get(reverse("infusions:book_plan", args=[patient.pk]), query)


def test_the_search_shows_contact_details_and_whether_bookable_but_nothing_medical(client, front_desk):
    clinic()
    ok = bookable_patient(last_name="Rivera")
    waiting = ScreeningFactory(outcome="review", urgent=True, intake__patient__last_name="Rivers").patient
    client.force_login(front_desk)
    response = client.get(reverse("infusions:book"), {"q": "Riv"})
    text = response.content.decode()
    assert phones.display(ok.phone) in text and ok.email in text
    assert "Bookable" in text
    assert "Waiting for a clinician&#x27;s review." in text
    assert waiting.email in text
    for medical in ("depression", "Depression", "phq", "PHQ", "review</", "urgent", "flag"):
        assert medical not in text


def test_it_proposes_six_visits_and_books_them_on_confirm(client, front_desk):
    clinic()
    patient = bookable_patient()
    client.force_login(front_desk)
    response = _plan(client, patient)
    assert response.status_code == 200
    encoded = response.context["encoded"]
    assert len(encoded) == 6
    first = response.context["visits"][0]["visit"]
    assert first.start == at(date(2026, 12, 1), 8, 0)  # the earliest free time: now, at opening
    response = client.post(reverse("infusions:book_confirm", args=[patient.pk]), {"v": encoded})
    series = InfusionSeries.objects.get(patient=patient)
    assert response.status_code == 302 and response["Location"] == reverse("infusions:series", args=[series.pk])
    assert series.appointments.count() == 6


def test_a_changed_visit_is_kept_in_the_plan_and_a_broken_rule_is_shown(client, front_desk):
    clinic()
    patient = bookable_patient()
    client.force_login(front_desk)
    proposal = _plan(client, patient, weekday=[0, 2, 4], part="afternoon")
    visits = proposal.context["visits"]
    assert all(v["visit"].start.astimezone(at(date(2026, 12, 1), 0).tzinfo).hour >= 12 for v in visits)
    assert {v["visit"].start.astimezone(at(date(2026, 12, 1), 0).tzinfo).weekday() for v in visits} <= {0, 2, 4}
    # The pick page for visit 2 lists the day's free times; each link is a whole edited plan.
    pick = client.get(visits[1]["change_url"])
    assert pick.status_code == 200 and pick.context["options"]
    chosen = pick.context["options"][-1]
    edited = client.get(chosen["url"])
    assert chosen["slot"].start in [row["visit"].start for row in edited.context["visits"]]
    assert edited.context["problems"] == []
    # Visit 2 moved onto the day after visit 1 breaks the spacing rule: shown, and refused on confirm.
    day_after = visits[0]["visit"].start.date().toordinal() + 1
    pick = client.get(visits[1]["change_url"] + f"&date={date.fromordinal(day_after):%Y-%m-%d}")
    broken = client.get(pick.context["options"][0]["url"])
    assert any(p.kind == "spacing" for p in broken.context["problems"])
    response = client.post(reverse("infusions:book_confirm", args=[patient.pk]), {"v": broken.context["encoded"]})
    assert response.status_code == 302
    assert not Appointment.objects.exists()


def test_a_slot_taken_meanwhile_says_so_and_offers_a_fresh_proposal(client, front_desk):
    (chair,) = clinic(chairs=1)
    patient = bookable_patient()
    client.force_login(front_desk)
    encoded = _plan(client, patient).context["encoded"]
    # Someone else books the same times first.
    other = bookable_patient()
    stale = _plan(client, other).context["visits"]
    series_book(patient=other, visits=[(r["visit"].start, chair.pk) for r in stale], by=front_desk)
    response = client.post(reverse("infusions:book_confirm", args=[patient.pk]), {"v": encoded}, follow=True)
    assert response.status_code == 200
    assert "That time was just taken" in response.content.decode()
    fresh = [row["visit"].start for row in response.context["visits"]]
    assert len(fresh) == 6 and fresh[0] != stale[0]["visit"].start
    assert not Appointment.objects.filter(patient=patient).exists()


def test_a_patient_who_may_not_be_booked_is_refused_on_the_server(client, front_desk):
    (chair,) = clinic(chairs=1)
    waiting = ScreeningFactory(outcome="review").patient
    client.force_login(front_desk)
    page = _plan(client, waiting)
    assert page.status_code == 409
    assert "Waiting for a clinician" in page.content.decode()
    stamp = int(at(date(2026, 12, 7), 9).timestamp())
    visits = [f"{chair.pk}@{stamp + 3 * 86400 * n}" for n in range(6)]
    response = client.post(reverse("infusions:book_confirm", args=[waiting.pk]), {"v": visits}, follow=True)
    assert "Waiting for a clinician" in response.content.decode()
    assert not Appointment.objects.exists()
