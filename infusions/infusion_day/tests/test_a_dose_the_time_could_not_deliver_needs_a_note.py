"""A dose recorded as given that the recorded time at the ordered rate could not deliver needs an end note: ending
a 40-minute infusion (35 mg in 100 mL at 150 mL/h) after 11 minutes with the full 35 mg is refused next to the
note, and accepted with a note; the whole time less the tolerance needs none."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from clinic.refusals import Refused
from clinic.tests.factories import front_desk
from infusions.booking.services import series_book
from infusions.infusion_day.services import record_check_in, record_end_infusion, record_order_dose, record_start
from infusions.models import InfusionRecord
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
STARTED = at(MONDAY, 9, 1)
TOO_SOON = (
    "35.0 mg given in 11 min: at 150.0 mL/h the 100 mL bag gives at most 11.4 mg of the 35.0 mg in that time. "
    "Say why (e.g. the pump ran before Start was pressed), or correct the dose given."
)


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def running(traveller, nurse, prescriber) -> InfusionRecord:
    """0.5 mg/kg × 70 kg = 35 mg in 100 mL over the protocol's 40 min (150 mL/h), started at 09:01."""
    chair, _ = clinic()
    series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
    traveller.move_to(at(MONDAY, 9, 0))
    record = record_check_in(appointment=series.appointments.get(sequence=1), values=clean_check_in(), by=nurse)
    record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
    traveller.move_to(STARTED)
    record = record_start(record=record, by=nurse)
    assert (record.dose_mg, record.bag_ml, record.rate_ml_per_hour, record.infusion_minutes) == (
        Decimal("35.0"),
        100,
        Decimal("150.0"),
        40,
    )
    return record


def still_running(record):
    record = InfusionRecord.objects.get(pk=record.pk)
    assert record.stage == InfusionRecord.Stage.IN_CHAIR
    assert record.ended_at is None and record.dose_given_mg is None and record.end_note == ""


def test_the_full_dose_after_11_of_40_minutes_is_refused_next_to_the_end_note(traveller, running, nurse):
    traveller.move_to(STARTED + timedelta(minutes=11))
    with pytest.raises(Refused) as refused:
        record_end_infusion(record=running, dose_given_mg=Decimal("35.0"), by=nurse)
    assert refused.value.fields == {"end_note": [TOO_SOON]}
    still_running(running)


def test_a_blank_note_is_no_note(traveller, running, nurse):
    traveller.move_to(STARTED + timedelta(minutes=11))
    with pytest.raises(Refused):
        record_end_infusion(record=running, dose_given_mg="35.0", end_note="   ", by=nurse)
    still_running(running)


def test_with_a_note_the_dose_given_is_recorded_as_written(traveller, running, nurse):
    ended = STARTED + timedelta(minutes=11)
    traveller.move_to(ended)
    note = "Pump started at 08:32 before Start was pressed; bag empty."
    record_end_infusion(record=running, dose_given_mg="35.0", end_note=note, by=nurse)
    record = InfusionRecord.objects.get(pk=running.pk)
    assert (record.stage, record.ended_at, record.dose_given_mg, record.end_note) == (
        InfusionRecord.Stage.OBSERVATION,
        ended,
        Decimal("35.0"),
        note,
    )


def test_less_than_ordered_but_more_than_the_time_gives_is_refused_for_the_time(traveller, running, nurse):
    traveller.move_to(STARTED + timedelta(minutes=11))
    with pytest.raises(Refused) as refused:
        record_end_infusion(record=running, dose_given_mg="20.0", by=nurse)
    assert refused.value.fields["end_note"][0].startswith("20.0 mg given in 11 min")
    still_running(running)


@pytest.mark.parametrize(("minutes", "refused"), [(37, True), (38, False), (40, False), (55, False)])
def test_the_full_dose_needs_the_bag_s_time_less_two_minutes(traveller, running, nurse, minutes, refused):
    traveller.move_to(STARTED + timedelta(minutes=minutes))
    if refused:
        with pytest.raises(Refused) as refusal:
            record_end_infusion(record=running, dose_given_mg="35.0", by=nurse)
        assert "at most 34.2 mg of the 35.0 mg" in refusal.value.fields["end_note"][0]
        still_running(running)
    else:
        record_end_infusion(record=running, dose_given_mg="35.0", by=nurse)
        record = InfusionRecord.objects.get(pk=running.pk)
        assert record.stage == InfusionRecord.Stage.OBSERVATION and record.end_note == ""


def test_what_the_time_could_deliver_after_11_minutes_needs_only_the_less_than_ordered_note(traveller, running, nurse):
    traveller.move_to(STARTED + timedelta(minutes=11))
    with pytest.raises(Refused) as refused:
        record_end_infusion(record=running, dose_given_mg="11.0", by=nurse)
    assert refused.value.fields == {"end_note": ["Less than ordered was given: say why (paused, stopped…)."]}
    record_end_infusion(record=running, dose_given_mg="11.0", end_note="Stopped: dissociation.", by=nurse)
    assert InfusionRecord.objects.get(pk=running.pk).dose_given_mg == Decimal("11.0")


def test_the_page_shows_the_refusal_next_to_the_note_with_the_dose_typed_kept(client, traveller, running, nurse):
    traveller.move_to(STARTED + timedelta(minutes=11))
    client.force_login(nurse)
    url = reverse("infusions:record_end", args=[running.appointment_id])
    response = client.post(url, {"end-dose_given_mg": "35.0", "end-end_note": ""})
    assert response.status_code == 400
    html = response.content.decode()
    match = re.search(r'<div id="div_id_end-end_note".*?</div>\s*</div>', html, re.S)
    assert match and "is-invalid" in match.group(0)
    assert TOO_SOON in " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())
    (dose_box,) = re.findall(r'<input[^>]*name="end-dose_given_mg"[^>]*>', html)
    assert 'value="35.0"' in dose_box
    still_running(running)

    response = client.post(url, {"end-dose_given_mg": "35.0", "end-end_note": "Pump ran before Start was pressed."})
    assert response.status_code == 302
    record = InfusionRecord.objects.get(pk=running.pk)
    assert record.end_note == "Pump ran before Start was pressed." and record.dose_given_mg == Decimal("35.0")
