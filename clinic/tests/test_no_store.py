"""Pages with patient data are never kept in a browser's or a shared PC's cache."""

import pytest
from django.urls import reverse

from clinic.tests.factories import ScreeningFactory

pytestmark = pytest.mark.django_db


def test_signed_in_pages_carry_no_store(client, clinician, front_desk):
    screening = ScreeningFactory(outcome="review")
    client.force_login(clinician)
    for url in (reverse("intake:queue"), reverse("intake:case", args=[screening.pk]), reverse("infusions:day")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url
    client.force_login(front_desk)
    assert "no-store" in client.get(reverse("infusions:book") + "?q=Example")["Cache-Control"]
