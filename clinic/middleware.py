import time

from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control


class RenewIdleSessionMiddleware:
    """Keep a signed-in session alive while it is used, writing it at most once a minute.

    The session expires SESSION_COOKIE_AGE seconds after its last save. Saving on every request
    (SESSION_SAVE_EVERY_REQUEST) was a database write per page; renewing only when the last renewal
    is older than SESSION_RENEW_SECONDS ends an idle session between IDLE-1 and IDLE minutes after
    the last request, which is what an idle timeout needs.
    """

    KEY = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # A page's own refresh (htmx, the infusion room every 30 s) is not the user at work: an open room
        # tab must not keep an unattended session alive.
        if request.headers.get("HX-Request") == "true":
            return response
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_RENEW_SECONDS:
                session[self.KEY] = now  # marks the session modified: SessionMiddleware saves it
        return response


class NoStoreForSignedInMiddleware:
    """Pages seen signed in may carry patient data: no browser or shared cache may keep them.

    `no-store` on every response to a signed-in user, so a shared front-desk PC's cache or back
    button does not keep a queue, a case or a day sheet. Static files are served by whitenoise
    before this runs and keep their long cache lifetime.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class LocationTimeZoneMiddleware:
    """Show a signed-in user's pages in the time zone of the location they are working at now.

    Django renders aware datetimes in the active zone; a page about another location's record (a series
    booked in Denver, opened by a clinician working in Seattle) activates that location's zone itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import timezone

        from clinic.locations import current_location_or_none

        user = getattr(request, "user", None)
        location = current_location_or_none(user) if user is not None and user.is_authenticated else None
        if location is not None:
            timezone.activate(location.tz)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class RefreshNavCountsMiddleware:
    """A request that may have changed data retires the navigation's kept worklist counts (clinic/navcache.py),
    once its view has returned: by then its transaction has committed, so the next page counts what it did."""

    UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            if request.method in self.UNSAFE and settings.NAV_COUNTS_SECONDS:
                from clinic import navcache

                navcache.changed()
