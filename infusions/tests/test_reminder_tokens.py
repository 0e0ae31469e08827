"""The signed confirmation token: it names the visit and its start, nothing else."""

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
