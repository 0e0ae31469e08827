"""The SMS backends' former address, kept so an SMS_BACKEND such as `infusions.sms.TwilioBackend` keeps working.

The backends live in `infusions.reminders.sms`; `outbox` here is the same list.
"""

from infusions.reminders.sms import (
    BaseBackend,
    ConsoleBackend,
    FileBackend,
    LocmemBackend,
    SmsError,
    TwilioBackend,
    get_backend,
    outbox,
)

__all__ = [
    "BaseBackend",
    "ConsoleBackend",
    "FileBackend",
    "LocmemBackend",
    "SmsError",
    "TwilioBackend",
    "get_backend",
    "outbox",
]
