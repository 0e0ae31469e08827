import time

from django.conf import settings


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
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_RENEW_SECONDS:
                session[self.KEY] = now  # marks the session modified: SessionMiddleware saves it
        return response
