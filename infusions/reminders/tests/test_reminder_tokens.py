"""The signed confirmation token and link: they name the visit and its start, nothing else."""

import pytest
import time_machine
from django.core import signing

from infusions.reminders import tokens
from infusions.tests.reminder_helpers import local, visit

pytestmark = pytest.mark.django_db

NOW = local(2026, 2, 2, 10)
START = local(2026, 2, 10, 9)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_token_names_only_the_visit_and_its_time():
    appointment = visit(START)
    data = signing.loads(tokens.confirm_token(appointment), salt=tokens.CONFIRM_SALT)
    assert set(data) == {"a", "s"}


def test_a_token_reads_back_as_the_visit_and_its_start():
    appointment = visit(START)
    assert tokens.read_confirm_token(tokens.confirm_token(appointment)) == (appointment.pk, appointment.start)


def test_a_token_signed_for_another_purpose_is_refused():
    appointment = visit(START)
    other = signing.dumps({"a": appointment.pk, "s": int(appointment.start.timestamp())}, salt="another")
    with pytest.raises(signing.BadSignature):
        tokens.read_confirm_token(other)


def test_the_link_is_absolute_on_the_sites_public_address(settings):
    settings.SITE_URL = "https://clinic.example.org/"
    appointment = visit(START)
    assert tokens.confirm_url(appointment) == (
        f"https://clinic.example.org/infusions/confirm/{tokens.confirm_token(appointment)}/"
    )
