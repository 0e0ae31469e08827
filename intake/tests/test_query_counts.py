"""The queue and the case page cost the same number of queries for 10 cases as for 200."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.tests.factories import IntakeFactory, PatientFactory, ScreeningFactory, UserFactory
from intake.models import Flag, ReviewDecision

pytestmark = pytest.mark.django_db


def make_cases(count: int, flags_each: int) -> list:
    made = []
    taker = UserFactory()
    for n in range(count):
        patient = PatientFactory(created_by=taker)
        intake = IntakeFactory(patient=patient, taken_by=taker)
        earlier = ScreeningFactory(intake=intake, patient=patient, outcome="review")
        ReviewDecision.objects.create(screening=earlier, decision="decline", decided_by=taker)
        current = ScreeningFactory(intake=intake, patient=patient, outcome=("review", "exclude")[n % 2])
        for screening in (earlier, current):
            Flag.objects.bulk_create(
                Flag(screening=screening, position=i, code=f"CODE_{i}", severity="review", reason="r", source="s")
                for i in range(flags_each)
            )
        made.append(current)
    return made


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("view", ["queue", "case", "patient"])
def test_queries_do_not_grow_with_cases_or_flags(client, clinician, view):
    client.force_login(clinician)
    client.get(reverse("healthz"))  # renews the session (at most once a minute): measure page queries only
    counts = []
    for count, flags_each in ((10, 2), (200, 12)):
        cases = make_cases(count if not counts else count - 10, flags_each)
        case = cases[-1]
        url = {
            "queue": reverse("intake:queue"),
            "case": reverse("intake:case", args=[case.pk]),
            "patient": reverse("intake:patient", args=[case.patient_id]),
        }[view]
        counts.append(queries(client, url))
    assert counts[0] == counts[1], counts
    if view == "queue":
        # One page of cases, counted over all 200.
        assert client.get(reverse("intake:queue")).context["page"].paginator.count == 200


def test_the_patient_search_costs_the_same_for_3_or_40_patients(client, coordinator):
    client.force_login(coordinator)
    client.get(reverse("healthz"))  # renews the session: measure page queries only
    counts = []
    for total in (3, 40):
        for n in range(total - (3 if counts else 0)):
            ScreeningFactory(intake=IntakeFactory(patient=PatientFactory(last_name=f"Haddad{n}")))
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("intake:home"), {"q": "Haddad"}).content.decode()
        assert page.count("Haddad") == total + 1  # each row, and the search box
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
