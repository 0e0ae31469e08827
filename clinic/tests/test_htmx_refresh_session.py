"""A page's own refresh (htmx) neither keeps an idle session alive nor puts the sign-in form into the page."""

import time

import pytest
from django.urls import reverse

from clinic.middleware import RenewIdleSessionMiddleware

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/infusions/room/"}


def test_a_refresh_does_not_renew_the_idle_session(client, front_desk):
    client.force_login(front_desk)
    session = client.session
    session[RenewIdleSessionMiddleware.KEY] = int(time.time()) - 3600  # renewed an hour ago
    session.save()
    client.get(reverse("infusions:room_board"), headers=HX)
    assert client.session[RenewIdleSessionMiddleware.KEY] < int(time.time()) - 3000  # not renewed by the refresh
    client.get(reverse("infusions:room"))
    assert client.session[RenewIdleSessionMiddleware.KEY] >= int(time.time()) - 5  # the user's own request renews


def test_a_refresh_after_the_session_ended_sends_the_whole_page_to_sign_in(client):
    response = client.get(reverse("infusions:room_board"), headers=HX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert "room" in response["HX-Redirect"]
    plain = client.get(reverse("infusions:room_board"))
    assert plain.status_code == 302 and plain["Location"].startswith("/accounts/login/")
