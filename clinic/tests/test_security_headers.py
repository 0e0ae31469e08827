import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_has_a_content_security_policy_without_inline_scripts(client, coordinator):
    client.force_login(coordinator)
    for url in (reverse("login"), reverse("intake:home")):
        response = client.get(url, follow=True)
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'"
        assert "unsafe-inline" not in policy
        assert directives["frame-ancestors"] == "'none'"


def test_pages_have_no_inline_scripts(client, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("intake:home")).content.decode()
    import re

    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag, tag


def test_cookies_are_secure_and_hsts_is_on_outside_debug(settings):
    # The test settings run with DEBUG off, as production does.
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SECURE_HSTS_SECONDS >= 31536000


@pytest.mark.django_db
def test_pages_name_their_icon_so_browsers_do_not_ask_for_a_missing_favicon(client):
    from django.contrib.staticfiles import finders

    for path in ("/accounts/login/", "/admin/login/"):  # the clinic's pages and Django admin's
        html = client.get(path).content.decode()
        assert 'rel="icon"' in html and "img/favicon.svg" in html, path
    assert finders.find("img/favicon.svg")
