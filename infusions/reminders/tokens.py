"""The patient's links: confirmation and the questions before a visit, each a signed token naming the visit
and its start, and its URL; and the maintenance check-in, a token naming an `OutcomeInvitation`.

Signed with django.core.signing (the SECRET_KEY), each kind with its own salt, valid for 15 days
(CONFIRM_MAX_AGE, QUESTIONS_MAX_AGE). Because the start is in the token, a link for a visit that has
since moved no longer confirms it nor takes answers for it. A token carries ids and a time only, never a name.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

# Changing the salt would invalidate every link already sent.
CONFIRM_SALT = "infusions.reminders.confirm"
CONFIRM_MAX_AGE = timedelta(days=15)  # longer than the longest offset (14 days)


def confirm_token(appointment) -> str:
    """A signed token naming the visit and its start: a moved visit's old link no longer confirms."""
    return signing.dumps({"a": appointment.pk, "s": int(appointment.start.timestamp())}, salt=CONFIRM_SALT)


def read_confirm_token(token: str, *, max_age: timedelta | None = CONFIRM_MAX_AGE) -> tuple[int, datetime]:
    """(appointment id, start) from a token; raises signing.BadSignature (or SignatureExpired).

    `max_age=None` reads an expired but genuine token (to say which location to call, never to confirm)."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    return int(data["a"]), datetime.fromtimestamp(int(data["s"]), tz=UTC)


def confirm_url(appointment) -> str:
    """The absolute link put into a reminder (SITE_URL is the clinic's public address)."""
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("infusions:reminder_confirm", args=[confirm_token(appointment)])


# --- The patient's questions link: the outcome questionnaires before a visit --------------------------
# Its own salt: a confirm token never opens the questions, nor the other way round.
QUESTIONS_SALT = "infusions.outcomes.questions"
QUESTIONS_MAX_AGE = timedelta(days=15)
QUESTIONS_OFFSET_HOURS = 24  # only the reminder sent this many hours ahead carries the questions link


def questions_token(appointment) -> str:
    """A signed token naming the visit and its start (ids and a time only, never a name)."""
    return signing.dumps({"a": appointment.pk, "s": int(appointment.start.timestamp())}, salt=QUESTIONS_SALT)


def read_questions_token(token: str) -> tuple[int, datetime]:
    """(appointment id, start) from a token; raises signing.BadSignature (or SignatureExpired past 15 days)."""
    data = signing.loads(token, salt=QUESTIONS_SALT, max_age=QUESTIONS_MAX_AGE)
    return int(data["a"]), datetime.fromtimestamp(int(data["s"]), tz=UTC)


def questions_url(appointment) -> str:
    """The absolute questions link put into the 24-hour reminder."""
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("infusions:patient_questions", args=[questions_token(appointment)])


# --- The maintenance check-in link: the questions between visits (an OutcomeInvitation) -------------------
# Its own salt: neither a visit's questions token nor a confirm token opens a check-in, nor the other way round.
# Expiry and single use are the invitation's (expires_at, used_at); the signature's age is only a backstop
# (the setting is at most 90 days).
CHECKIN_SALT = "infusions.reminders.checkin"
CHECKIN_MAX_AGE = timedelta(days=91)


def checkin_token(invitation) -> str:
    """A signed token naming the invitation and its random nonce (never a name)."""
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=CHECKIN_SALT)


def read_checkin_token(token: str) -> tuple[int, str]:
    """(invitation id, nonce) from a token; raises signing.BadSignature (or SignatureExpired)."""
    data = signing.loads(token, salt=CHECKIN_SALT, max_age=CHECKIN_MAX_AGE)
    return int(data["i"]), str(data["n"])


def checkin_url(invitation) -> str:
    """The absolute check-in link put into the invitation's e-mail or SMS."""
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("infusions:patient_checkin", args=[checkin_token(invitation)])
