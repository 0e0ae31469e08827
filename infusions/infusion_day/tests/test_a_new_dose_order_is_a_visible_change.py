"""A second dose order before the start is a visible change, never a silent replacement: the earlier order is
kept (who ordered it, when, what), the change says who changed it and when, and the record page and the printable
record show "Order changed" with the old and the new order."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from clinic.refusals import Refused
from clinic.tests.factories import clinician, front_desk
from infusions.booking.services import series_book
from infusions.infusion_day.services import record_check_in, record_order_dose, record_start
from infusions.models import InfusionRecord, RecordChange
from infusions.tests.helpers import at, bookable_patient, clean_check_in, clinic, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
FIRST, SECOND = at(MONDAY, 9, 5), at(MONDAY, 9, 12)
OLD = "0.50 mg/kg = 35.0 mg (0.70 mL of 50 mg/mL) in 100 mL over 40 min at 150.0 mL/h"
NEW = "0.40 mg/kg = 28.0 mg (2.80 mL of 10 mg/mL) in 250 mL over 40 min at 375.0 mL/h"


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def doctors(db):
    return clinician(username="dr.ames"), clinician(username="dr.bell")


@pytest.fixture
def ordered(traveller, nurse, doctors):
    """Checked in at 09:00 (70 kg); dr.ames orders 0.5 mg/kg of the 50 mg/mL vial in 100 mL at 09:05."""
    chair, _ = clinic()
    series = series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair), by=front_desk())
    traveller.move_to(at(MONDAY, 9, 0))
    record = record_check_in(appointment=series.appointments.get(sequence=1), values=clean_check_in(), by=nurse)
    traveller.move_to(FIRST)
    return record_order_dose(record=record, mg_per_kg="0.5", vial_mg_per_ml=50, by=doctors[0])


def reorder(record, by):
    return record_order_dose(record=record, mg_per_kg="0.40", vial_mg_per_ml=10, bag_ml=250, by=by)


def test_the_first_order_is_no_change(ordered):
    assert not RecordChange.objects.exists()


def test_a_second_order_keeps_the_first_with_who_and_when(traveller, ordered, doctors):
    traveller.move_to(SECOND)
    reorder(ordered, doctors[1])

    record = InfusionRecord.objects.get(pk=ordered.pk)
    assert (record.ordered_by, record.ordered_at) == (doctors[1], SECOND)
    assert (record.dose_mg_per_kg, record.dose_mg, record.vial_mg_per_ml, record.volume_ml) == (
        Decimal("0.40"),
        Decimal("28.0"),
        10,
        Decimal("2.80"),
    )
    assert (record.bag_ml, record.rate_ml_per_hour) == (250, Decimal("375.0"))
    (change,) = RecordChange.objects.filter(record=record)
    assert change.kind == RecordChange.Kind.DOSE_ORDER
    assert (change.made_by, change.made_at, change.earlier_by, change.earlier_at) == (
        doctors[1],
        SECOND,
        doctors[0],
        FIRST,
    )
    assert change.before == {
        "dose_mg_per_kg": "0.50",
        "dose_mg": "35.0",
        "vial_mg_per_ml": "50",
        "volume_ml": "0.70",
        "bag_ml": "100",
        "infusion_minutes": "40",
        "rate_ml_per_hour": "150.0",
    }
    assert change.after == {
        "dose_mg_per_kg": "0.40",
        "dose_mg": "28.0",
        "vial_mg_per_ml": "10",
        "volume_ml": "2.80",
        "bag_ml": "250",
        "infusion_minutes": "40",
        "rate_ml_per_hour": "375.0",
    }


def test_the_same_order_again_is_refused_and_changes_nothing(traveller, ordered, doctors):
    traveller.move_to(SECOND)
    with pytest.raises(Refused, match="This is the dose ordered already"):
        record_order_dose(record=ordered, mg_per_kg="0.50", vial_mg_per_ml=50, bag_ml=100, by=doctors[1])
    record = InfusionRecord.objects.get(pk=ordered.pk)
    assert (record.ordered_by, record.ordered_at) == (doctors[0], FIRST)
    assert not RecordChange.objects.exists()


def test_three_orders_make_two_changes_each_naming_the_order_it_replaced(traveller, ordered, doctors):
    traveller.move_to(SECOND)
    reorder(ordered, doctors[1])
    traveller.move_to(at(MONDAY, 9, 20))
    record_order_dose(record=ordered, mg_per_kg="0.5", vial_mg_per_ml=50, by=doctors[0])
    first, second = RecordChange.objects.order_by("made_at")
    assert (second.earlier_by, second.earlier_at, second.made_by) == (doctors[1], SECOND, doctors[0])
    assert second.before == first.after and second.after == first.before


def test_no_new_order_once_started(traveller, ordered, nurse, doctors):
    record_start(record=ordered, by=nurse)
    with pytest.raises(Refused):
        reorder(ordered, doctors[1])
    assert not RecordChange.objects.exists()
    assert InfusionRecord.objects.get(pk=ordered.pk).dose_mg == Decimal("35.0")


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_page_s_second_order_shows_order_changed_on_the_record_and_in_print(client, traveller, ordered, doctors):
    traveller.move_to(SECOND)
    client.force_login(doctors[1])
    visit = ordered.appointment_id
    response = client.post(
        reverse("infusions:record_order", args=[visit]),
        {"order-mg_per_kg": "0.40", "order-vial_mg_per_ml": "10", "order-bag_ml": "250"},
    )
    assert response.status_code == 302
    assert RecordChange.objects.filter(record=ordered, kind=RecordChange.Kind.DOSE_ORDER).count() == 1

    html = client.get(reverse("infusions:record", args=[visit])).content.decode()
    (line,) = re.findall(r'<li data-testid="order-change">(.*?)</li>', html, re.S)
    assert _text(line) == f"Order changed 09:12 by dr.bell: {OLD} (ordered by dr.ames at 09:05) → {NEW}."

    printed = _text(client.get(reverse("infusions:record_print", args=[visit])).content.decode())
    assert f"Order changed 09:12 by dr.bell: {OLD} (ordered by dr.ames at 09:05) → {NEW}." in printed
    assert f"Ordered by dr.bell at 09:12: {NEW}." in printed
