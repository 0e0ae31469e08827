"""Every URL pattern, visited by an anonymous user, must send them to sign in (or refuse).

A new page cannot be left open by mistake: a pattern that answers 200 to a stranger fails this
test unless it is listed in PUBLIC with the reason.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Pages that are public on purpose.
PUBLIC = {
    "login": "the sign-in page",
    "healthz": "for monitors; says only ok/down",
    "infusions:reminder_confirm": "a patient's signed, expiring link to confirm attendance",
    "infusions:patient_questions": "a patient's signed, expiring link to answer the questions before a visit",
    "infusions:patient_checkin": "a patient's signed, single-use, expiring maintenance check-in link",
}


def _patterns(resolver=None, prefix="", namespace=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns == "admin":
                continue  # Django admin has its own staff-only guard; tested below.
            yield from _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, prefix + str(entry.pattern)


def _fill(route: str) -> str:
    """Turn a route into a concrete path with plausible values for its converters."""
    import re

    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<slug:[^>]+>", "x", route)
    route = re.sub(r"<str:[^>]+>", "x", route)
    route = re.sub(r"<path:[^>]+>", "x", route)
    route = re.sub(r"<date:[^>]+>", "2026-11-23", route)
    route = re.sub(r"<[^>]+>", "1", route)
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    return "/" + route


def test_the_walk_finds_the_application_pages():
    names = {name for name, _ in _patterns()}
    assert {"home", "intake:home", "intake:queue", "infusions:home"} <= names


@pytest.mark.parametrize(("name", "route"), list(_patterns()))
def test_an_anonymous_visitor_is_sent_to_sign_in(client, name, route):
    if name in PUBLIC:
        pytest.skip(f"public on purpose: {PUBLIC[name]}")
    path = _fill(route)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if response.status_code in (302, 301):
            assert response["Location"].startswith("/accounts/login/"), (method, path, response["Location"])
        else:
            assert response.status_code in (403, 405), (method, path, response.status_code)


def test_admin_sends_an_anonymous_visitor_to_its_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
