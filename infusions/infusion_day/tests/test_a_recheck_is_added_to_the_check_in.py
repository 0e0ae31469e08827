"""A re-check after "not fasting, no escort" is added to the check-in, never replacing it: the record keeps the
check-in's own values and time, each re-check is kept with who, when, the old and the new values and the start
gates that blocked just before; the record page and the printable record show both."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from clinic.refusals import Refused
from clinic.roles import NURSE
from clinic.tests.factories import UserFactory, front_desk
from infusions.booking.services import series_book
from infusions.infusion_day import chairside
from infusions.infusion_day.services import record_check_in, record_order_dose, record_recheck, record_start
from infusions.models import InfusionRecord, RecordChange
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
CHECKED_IN, RECHECKED = at(MONDAY, 9, 0), at(MONDAY, 9, 40)
NOT_FASTING = "Fasting not kept (no solid food for 6 h, clear liquids until 2 h before: ASA fasting guidance)"


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def visit(traveller):
    chair, _ = clinic()
    series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
    traveller.move_to(CHECKED_IN)
    return series.appointments.get(sequence=1)


@pytest.fixture
def first_nurse(db):
    return UserFactory(role=NURSE, username="nurse.ann")


@pytest.fixture
def second_nurse(db):
    return UserFactory(role=NURSE, username="nurse.bo")


@pytest.fixture
def blocked(visit, first_nurse):
    """Checked in at 09:00 by nurse.ann: not fasting, nobody to take the patient home (two blocking gates)."""
    return record_check_in(
        appointment=visit,
        values=clean_check_in(fasting_kept=False, escort_name="", escort_phone=""),
        by=first_nurse,
    )


def recheck(record, by, **values):
    values = {"fasting_kept": True, "escort_name": "Sam Driver", "escort_phone": "(206) 555-0143", **values}
    return record_recheck(record=record, by=by, **values)


def test_the_recheck_keeps_who_when_the_old_and_new_values_and_the_gates_that_blocked(
    traveller, blocked, first_nurse, second_nurse
):
    traveller.move_to(RECHECKED)
    recheck(blocked, second_nurse)

    record = InfusionRecord.objects.get(pk=blocked.pk)
    assert (record.fasting_kept, record.escort_name, record.escort_phone) == (True, "Sam Driver", "+12065550143")
    assert (record.checked_in_at, record.checked_in_by) == (CHECKED_IN, first_nurse)  # the check-in stays as it was
    (change,) = RecordChange.objects.filter(record=record)
    assert change.kind == RecordChange.Kind.RECHECK
    assert (change.made_by, change.made_at) == (second_nurse, RECHECKED)
    assert (change.earlier_by, change.earlier_at) == (first_nurse, CHECKED_IN)
    assert change.before == {"fasting_kept": "no", "escort_name": "", "escort_phone": ""}
    assert change.after == {"fasting_kept": "yes", "escort_name": "Sam Driver", "escort_phone": "+12065550143"}
    assert len(change.blocking) == 2
    assert change.blocking[0].startswith(NOT_FASTING)
    assert change.blocking[1].startswith("No responsible adult to take the patient home (missing: name and phone)")


def test_a_second_recheck_is_a_second_row_replacing_the_first_s_values(traveller, blocked, first_nurse, second_nurse):
    traveller.move_to(at(MONDAY, 9, 20))
    recheck(blocked, first_nurse, fasting_kept=False)  # the escort came; the fast is still not confirmed
    traveller.move_to(RECHECKED)
    recheck(blocked, second_nurse)

    first, second = RecordChange.objects.filter(record=blocked).order_by("made_at")
    assert first.before == {"escort_name": "", "escort_phone": ""}
    assert first.blocking[0].startswith(NOT_FASTING) and len(first.blocking) == 2
    assert second.before == {"fasting_kept": "no"} and second.after == {"fasting_kept": "yes"}
    assert (second.earlier_by, second.earlier_at) == (first_nurse, at(MONDAY, 9, 20))
    assert [g[:40] for g in second.blocking] == [NOT_FASTING[:40]]


def test_a_recheck_that_changes_nothing_is_refused_and_leaves_no_row(blocked, first_nurse):
    with pytest.raises(Refused, match="Nothing differs"):
        recheck(blocked, first_nurse, fasting_kept=False, escort_name=" ", escort_phone="")
    assert not RecordChange.objects.exists()
    assert InfusionRecord.objects.get(pk=blocked.pk).fasting_kept is False


def test_a_refused_escort_phone_leaves_the_record_and_no_row(blocked, first_nurse):
    with pytest.raises(Refused) as refused:
        recheck(blocked, first_nurse, escort_phone="12")
    assert set(refused.value.fields) == {"escort_phone"}
    assert not RecordChange.objects.exists()
    assert InfusionRecord.objects.get(pk=blocked.pk).fasting_kept is False


def test_no_recheck_once_the_infusion_has_started(traveller, visit, first_nurse, prescriber):
    record = record_check_in(appointment=visit, values=clean_check_in(), by=first_nurse)
    record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=prescriber)
    record_start(record=record, by=first_nurse)
    with pytest.raises(Refused):
        recheck(record, first_nurse, escort_name="Someone Else")
    assert not RecordChange.objects.exists()


# --- On the record page and in print ----------------------------------------------------------------------


def _dd(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">(.*?)</dd>', html, re.S)
    assert match, testid
    return " ".join(match.group(1).split())


def test_the_page_records_the_recheck_and_shows_the_check_in_beside_it(
    client, traveller, blocked, first_nurse, second_nurse
):
    traveller.move_to(RECHECKED)
    client.force_login(second_nurse)
    response = client.post(
        reverse("infusions:record_recheck", args=[blocked.appointment_id]),
        {"recheck-fasting_kept": "on", "recheck-escort_name": "Sam Driver", "recheck-escort_phone": "(206) 555-0143"},
    )
    assert response.status_code == 302
    (change,) = RecordChange.objects.filter(record=blocked)
    assert change.made_by == second_nurse and change.after["fasting_kept"] == "yes"

    html = client.get(reverse("infusions:record", args=[blocked.appointment_id])).content.decode()
    assert "Check-in, 09:00 by nurse.ann" in html
    assert _dd(html, "check-in-fasting") == "no"
    assert _dd(html, "check-in-escort") == "nobody named"
    (line,) = re.findall(r'<li data-testid="recheck">(.*?)</li>', html, re.S)
    line = " ".join(line.split())
    assert line.startswith(
        "Re-checked 09:40 by nurse.bo: Fasting kept no → yes; Escort none → Sam Driver; "
        "Escort&#x27;s phone none → +12065550143. Blocking before it: Fasting not kept"
    )
    assert chairside.NO_ESCORT not in line  # the gates' words, not their codes


def test_the_printable_record_says_what_the_check_in_found_and_what_the_recheck_changed(
    client, traveller, blocked, second_nurse
):
    traveller.move_to(RECHECKED)
    recheck(blocked, second_nurse)
    client.force_login(second_nurse)
    html = client.get(reverse("infusions:record_print", args=[blocked.appointment_id])).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Checked in 09:00 by nurse.ann." in text
    assert "Fasting kept: no. Escort: none named." in text
    assert "Fasting kept: yes" not in text
    assert (
        "Re-checked 09:40 by nurse.bo: Fasting kept no → yes; Escort none → Sam Driver; "
        "Escort&#x27;s phone none → +12065550143. Blocking before it: Fasting not kept" in text
    )
