"""Two staff changing one record before the start at the same moment (PostgreSQL, real threads): each new dose
order and each re-check is kept as one change naming what it replaced, none is lost or written over."""

from datetime import UTC, date, datetime
from functools import partial

import pytest
import time_machine
from django.conf import settings

from clinic.refusals import Refused
from clinic.roles import NURSE
from clinic.tests.concurrency import run_at_once
from clinic.tests.factories import UserFactory, clinician, front_desk
from infusions.booking.services import series_book
from infusions.infusion_day.services import record_check_in, record_order_dose, record_recheck
from infusions.models import InfusionRecord, RecordChange
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, series_visits

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic"
    ),
]
MONDAY = date(2026, 12, 7)


@pytest.fixture
def checked_in():
    """Checked in at 09:00: not fasting, no escort."""
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        chair, _ = clinic()
        series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
        traveller.move_to(at(MONDAY, 9, 0))
        nurse = UserFactory(role=NURSE)
        yield record_check_in(
            appointment=series.appointments.get(sequence=1),
            values=clean_check_in(fasting_kept=False, escort_name="", escort_phone=""),
            by=nurse,
        )


def test_two_new_orders_at_once_are_two_changes_in_a_chain(checked_in):
    record_order_dose(record=checked_in, mg_per_kg="0.5", vial_mg_per_ml=50, by=clinician())
    calls = [
        partial(record_order_dose, record=checked_in, mg_per_kg=dose, vial_mg_per_ml=50, by=clinician())
        for dose in ("0.4", "0.3")
    ]
    outcomes = run_at_once(calls, refusal=Refused)

    assert outcomes == ["ok", "ok"], outcomes
    first, second = RecordChange.objects.filter(record=checked_in).order_by("id")
    assert first.before["dose_mg_per_kg"] == "0.50"
    assert second.before == first.after  # the second replaced what the first wrote, not the original
    assert (second.earlier_by, second.earlier_at) == (first.made_by, first.made_at)
    record = InfusionRecord.objects.get(pk=checked_in.pk)
    assert str(record.dose_mg_per_kg) == second.after["dose_mg_per_kg"]  # the record holds the last order


def test_two_identical_rechecks_at_once_make_one_change(checked_in):
    calls = [
        partial(
            record_recheck,
            record=checked_in,
            fasting_kept=True,
            escort_name="Sam Driver",
            escort_phone="+15550109999",
            by=UserFactory(role=NURSE),
        )
        for _ in range(2)
    ]
    outcomes = sorted(run_at_once(calls, refusal=Refused))

    assert outcomes[0] == "ok" and outcomes[1].startswith("refused: Nothing differs"), outcomes
    (change,) = RecordChange.objects.filter(record=checked_in)
    assert change.before == {"fasting_kept": "no", "escort_name": "", "escort_phone": ""}
    assert len(change.blocking) == 2
