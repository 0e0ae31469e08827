"""The course page's buttons show a refusal as a message, and only a refusal: a programming error in ordering a
booster is an error (500), not a message that hides it."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from infusions.booking.services import maintenance_order
from infusions.models import MaintenanceOrder
from infusions.outcomes import course
from infusions.tests.helpers import bookable_patient
from intake.models import OutcomeReview

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def traveller():
    with time_machine.travel(datetime(2027, 1, 12, 18, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def review():
    return OutcomeReview.objects.create(
        patient=bookable_patient(),
        code=OutcomeReview.Code.LOSS_OF_RESPONSE,
        measure="phq9",
        reason="PHQ-9 back to 12.",
    )


def url(review) -> str:
    return reverse("infusions:review_booster", args=[review.pk])


def test_a_refusal_is_shown_as_it_is_and_changes_nothing(client, clinician, review):
    maintenance_order(patient=review.patient, by=clinician, note="Booster in February.")
    client.force_login(clinician)
    response = client.post(url(review), follow=True)

    assert response.redirect_chain == [(reverse("infusions:course", args=[review.patient_id]), 302)]
    messages = [(m.level_tag, m.message) for m in response.context["messages"]]
    assert messages == [
        ("error", "This patient already has an open maintenance order; cancel it before ordering again.")
    ]
    assert list(MaintenanceOrder.objects.values_list("note", flat=True)) == ["Booster in February."]
    review.refresh_from_db()
    assert review.resolved_at is None


def test_a_programming_error_is_not_turned_into_a_message(client, clinician, review, monkeypatch):
    def broken(*, review, by):
        raise AttributeError("'NoneType' object has no attribute 'suggested_booster'")

    monkeypatch.setattr(course, "review_order_booster", broken)
    client.force_login(clinician)
    with pytest.raises(AttributeError, match="suggested_booster"):
        client.post(url(review))

    quiet = Client(raise_request_exception=False)
    quiet.force_login(clinician)
    assert quiet.post(url(review)).status_code == 500
    assert not MaintenanceOrder.objects.exists()
    review.refresh_from_db()
    assert review.resolved_at is None
