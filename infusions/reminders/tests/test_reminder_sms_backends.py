"""SMS backends: chosen by SMS_BACKEND (also under their former address infusions.sms), one file per
message for the file backend, and errors that never carry the number or the text."""

import io
import json
import urllib.error
from unittest import mock

import pytest

from infusions import sms as former_address
from infusions.reminders import sms


def test_it_loads_the_backend_the_setting_names_at_either_address(settings):
    settings.SMS_BACKEND = "infusions.reminders.sms.LocmemBackend"
    assert isinstance(sms.get_backend(), sms.LocmemBackend)
    settings.SMS_BACKEND = "infusions.sms.ConsoleBackend"
    assert isinstance(sms.get_backend(), sms.ConsoleBackend)
    assert former_address.outbox is sms.outbox


def test_the_file_backend_writes_one_whole_json_file_per_message_named_by_the_reminder(tmp_path, settings):
    settings.SMS_FROM = "+15550000000"
    backend = sms.FileBackend(path=tmp_path)
    message_id = backend.send(to="+15550100000", body="Hello", reference="42")
    (written,) = tmp_path.iterdir()
    assert written.suffix == ".json" and "-42-" in written.name
    assert json.loads(written.read_text()) == {
        "to": "+15550100000",
        "from": "+15550000000",
        "body": "Hello",
        "reference": "42",
        "id": message_id,
    }


def test_the_console_backend_prints_the_message():
    stream = io.StringIO()
    sms.ConsoleBackend(stream=stream).send(to="+15550100000", body="Hello", reference="7")
    assert "SMS to +15550100000 (reminder 7):\nHello" in stream.getvalue()


def test_twilio_refuses_to_start_without_its_credentials(settings):
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.SMS_FROM = "AC1", "", "+15550000000"
    with pytest.raises(sms.SmsError, match="TWILIO_AUTH_TOKEN"):
        sms.TwilioBackend()


def twilio(settings):
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.SMS_FROM = "AC1", "secret", "+15550000000"
    return sms.TwilioBackend()


def test_twilio_posts_the_message_with_basic_auth_and_returns_its_sid(settings):
    response = mock.MagicMock()
    response.__enter__.return_value.read.return_value = b'{"sid": "SM123"}'
    with mock.patch("urllib.request.urlopen", return_value=response) as urlopen:
        assert twilio(settings).send(to="+15550100000", body="Hello", reference="7") == "SM123"
    request = urlopen.call_args.args[0]
    assert request.full_url == "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"
    assert request.get_method() == "POST"
    assert request.get_header("Authorization") == "Basic QUMxOnNlY3JldA=="  # AC1:secret
    assert b"To=%2B15550100000" in request.data and b"Body=Hello" in request.data


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (urllib.error.HTTPError("u", 400, "Bad +15550100000", {}, None), "Twilio answered HTTP 400"),
        (urllib.error.URLError("no route to +15550100000"), "Twilio could not be reached"),
    ],
)
def test_twilio_errors_name_a_status_never_the_number(settings, error, message):
    with mock.patch("urllib.request.urlopen", side_effect=error), pytest.raises(sms.SmsError) as raised:
        twilio(settings).send(to="+15550100000", body="Hello", reference="7")
    assert str(raised.value) == message
    assert raised.value.__cause__ is None
