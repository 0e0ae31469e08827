"""Phone numbers, parsed with `phonenumbers` (Google's libphonenumber) and kept in E.164 ("+12065550143").

SMS providers require E.164, and one spelling lets a search by number find the patient. Pure Python (no Django
at import), so `intake.screening` can use it; a number typed without its country code is read in the
`PHONE_REGION` setting's country ("US" outside Django).
"""

import re
from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "US"
PHONE_INVALID = "Give a full phone number, e.g. (206) 555-0143 or +44 20 7946 0958."
PHONE_EXTENSION = "Give the number without an extension: a text message cannot reach one."

# What a phone number may be typed with: digits, a leading +, spaces, brackets, dots, dashes, slashes.
_PHONE_CHARACTERS_RE = re.compile(r"\+?[0-9 ().\-/]+")
_EXTENSION_RE = re.compile(r"\+?[0-9 ().\-/]+\s*(?:x|ext\.?|extension)\s*[0-9]+", re.IGNORECASE)
_MIN_SEARCH_DIGITS = 7


class PhoneInvalid(ValueError):
    """Not a phone number that can be stored; `message` says what to give instead."""

    def __init__(self, message: str = PHONE_INVALID):
        super().__init__(message)
        self.message = message


def default_region() -> str:
    """The `PHONE_REGION` setting (a two-letter country code), or "US" outside Django."""
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:  # a pure-Python caller without Django
        return DEFAULT_REGION
    try:
        return getattr(settings, "PHONE_REGION", DEFAULT_REGION) or DEFAULT_REGION
    except ImproperlyConfigured:  # settings not configured: a pure-Python caller
        return DEFAULT_REGION


def to_e164(text: str, region: str | None = None) -> str:
    """The number typed, in E.164. Raises `PhoneInvalid` for anything that is not a full number.

    Full: libphonenumber finds it a possible complete number for its country (the right length, with its area
    code: a seven-digit US number is refused). It is not checked against the numbers in service:
    `is_valid_number` would also refuse the 555 numbers that tests and demo data use.
    """
    text = (text or "").strip()
    if not _PHONE_CHARACTERS_RE.fullmatch(text) and not _EXTENSION_RE.fullmatch(text):
        raise PhoneInvalid  # letters and symbols: refused before libphonenumber reads "1-800-FLOWERS" as digits
    try:
        number = phonenumbers.parse(text, region or default_region())
    except phonenumbers.NumberParseException:
        raise PhoneInvalid from None
    if number.extension:
        raise PhoneInvalid(PHONE_EXTENSION)
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise PhoneInvalid
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def search_number(text: str, region: str | None = None) -> str | None:
    """A search box's text as the E.164 number a patient would have stored, or None if it is not one
    (a name, a date, too few digits)."""
    if not _PHONE_CHARACTERS_RE.fullmatch(text or "") or sum(c.isdigit() for c in text) < _MIN_SEARCH_DIGITS:
        return None
    try:
        return to_e164(text, region)
    except PhoneInvalid:
        return None


def display(e164: str, region: str | None = None) -> str:
    """A stored number as staff read and dial it: the national format for the clinic's own country, the
    international format for others; text that does not parse is shown as it is."""
    if not e164:
        return ""
    return _display(e164, region or default_region())


@lru_cache(maxsize=8192)
def _display(e164: str, region: str) -> str:
    # Parsing costs about 20 µs a number; a worklist shows hundreds, the same numbers page after page.
    try:
        number = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return e164
    own = number.country_code == phonenumbers.country_code_for_region(region)
    style = phonenumbers.PhoneNumberFormat.NATIONAL if own else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)
