"""SMS backends: one small interface, chosen by the SMS_BACKEND setting.

`send(to=..., body=..., reference=...)` sends one message or raises. `reference` is the reminder's
id (never patient data) so a message can be matched to its row. Errors name a status, never the
number or the text.
"""

import base64
import json
import os
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The provider refused or could not be reached."""


class BaseBackend:
    def send(self, *, to: str, body: str, reference: str = "") -> str:
        """Send one message; return the provider's message id (or a local one)."""
        raise NotImplementedError


class FileBackend(BaseBackend):
    """One JSON file per message under SMS_FILE_PATH (var/outbox/sms): the default for `make run`."""

    def __init__(self, path=None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, *, to, body, reference=""):
        self.path.mkdir(parents=True, exist_ok=True)
        message_id = uuid.uuid4().hex
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        record = {"to": to, "from": settings.SMS_FROM, "body": body, "reference": reference, "id": message_id}
        target = self.path / f"{stamp}-{reference or 'sms'}-{message_id}.json"
        # Written under a temporary name, then renamed: a reader never sees half a message.
        partial = target.with_suffix(".part")
        partial.write_text(json.dumps(record))
        os.replace(partial, target)
        return message_id


class ConsoleBackend(BaseBackend):
    """Prints each message to standard output (development)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, to, body, reference=""):
        self.stream.write(f"SMS to {to} (reminder {reference}):\n{body}\n{'-' * 40}\n")
        self.stream.flush()
        return uuid.uuid4().hex


# Messages sent through LocmemBackend in this process, like django.core.mail.outbox.
outbox: list[dict] = []
_outbox_lock = threading.Lock()


class LocmemBackend(BaseBackend):
    """Keeps messages in `infusions.reminders.sms.outbox` (tests)."""

    def send(self, *, to, body, reference=""):
        with _outbox_lock:
            outbox.append({"to": to, "body": body, "reference": reference})
        return uuid.uuid4().hex


class TwilioBackend(BaseBackend):
    """Twilio's Messages API over HTTPS with the standard library (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, SMS_FROM)."""

    api = "https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"
    timeout = 20

    def __init__(self):
        self.sid, self.token, self.sender = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.SMS_FROM
        if not (self.sid and self.token and self.sender):
            raise SmsError("TwilioBackend needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and SMS_FROM")

    def send(self, *, to, body, reference=""):
        data = urllib.parse.urlencode({"To": to, "From": self.sender, "Body": body}).encode()
        request = urllib.request.Request(self.api.format(sid=self.sid), data=data, method="POST")  # noqa: S310
        auth = base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        request.add_header("Authorization", f"Basic {auth}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - fixed https URL
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise SmsError(f"Twilio answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError):
            raise SmsError("Twilio could not be reached") from None
        return str(payload.get("sid", ""))


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()
