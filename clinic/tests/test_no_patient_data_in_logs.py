import logging

import pytest
from django.urls import reverse

from clinic.logging import StripQueryStrings
from clinic.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_the_filter_drops_query_strings_from_request_lines():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /intake/?q=Lovelace HTTP/1.1", "200", "512"),
        None,
    )
    StripQueryStrings().filter(record)
    assert "Lovelace" not in record.getMessage()
    assert "/intake/?…" in record.getMessage()


def test_a_patient_search_leaves_no_name_in_the_logs(client, coordinator, front_desk, caplog):
    PatientFactory(last_name="Lovelace")
    client.force_login(front_desk)
    with caplog.at_level(logging.DEBUG):
        # A refused search (403) is logged by django.request: the name must not be in it.
        client.get(reverse("intake:home"), {"q": "Lovelace"})
    handler_filters = logging.getLogger("django.request").handlers[0].filters
    messages = [logging.Formatter().format(r) for r in caplog.records if all(f.filter(r) for f in handler_filters)]
    assert messages, "the 403 should have been logged"
    assert not any("Lovelace" in m for m in messages)
