"""On PostgreSQL the database itself refuses double bookings; the service turns that into SlotTaken."""

from datetime import timedelta
from functools import partial

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from clinic.context import clinic_context
from clinic.tests.concurrency import run_at_once
from clinic.tests.factories import front_desk
from infusions.booking.services import SlotTaken, series_book
from infusions.models import Appointment
from infusions.tests.helpers import at, bookable_patient, clinic, series_visits

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs PostgreSQL (exclusion constraints, real concurrent connections): "
        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic",
    ),
]


def _first_day():
    return clinic_context().today() + timedelta(days=3)


def test_twenty_people_booking_one_slot_at_once_exactly_one_wins():
    (chair,) = clinic(chairs=1)
    user = front_desk()
    patients = [bookable_patient() for _ in range(20)]
    visits = series_visits(_first_day(), chair)
    outcomes = run_at_once(
        [partial(series_book, patient=p, visits=visits, by=user) for p in patients],
        refusal=SlotTaken,
    )

    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("refused: That time was just taken.") == 19, outcomes
    assert Appointment.objects.count() == 6
    assert Appointment.objects.values("patient").distinct().count() == 1


def _raw_insert(appointment, start, end, *, chair_id=None, patient_id=None, status="scheduled"):
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO infusions_appointment (series_id, patient_id, chair_id, sequence, start, "end", status, '
            "created_at, updated_at) VALUES (%s, %s, %s, 9, %s, %s, %s, now(), now())",
            [
                appointment.series_id,
                patient_id or appointment.patient_id,
                chair_id or appointment.chair_id,
                start,
                end,
                status,
            ],
        )


def _one_booked_visit():
    chair, other_chair = clinic(chairs=2)
    series = series_book(
        patient=bookable_patient(),
        visits=series_visits(_first_day(), chair),
        by=front_desk(),
    )
    return series.appointments.order_by("start").first(), other_chair


def test_the_database_rejects_an_overlapping_row_inserted_with_raw_sql():
    visit, other_chair = _one_booked_visit()
    other_patient = bookable_patient()
    # Same chair, 30 minutes in: refused.
    with pytest.raises(IntegrityError, match="appointment_no_chair_overlap"), transaction.atomic():
        _raw_insert(
            visit, visit.start + timedelta(minutes=30), visit.end + timedelta(minutes=30), patient_id=other_patient.pk
        )
    # Same patient, another chair, same time: refused.
    with pytest.raises(IntegrityError, match="appointment_no_patient_overlap"), transaction.atomic():
        _raw_insert(visit, visit.start, visit.end, chair_id=other_chair.pk)
    assert Appointment.objects.count() == 6


def test_adjacent_half_open_ranges_both_fit_and_cancelled_rows_do_not_hold_the_chair():
    visit, _ = _one_booked_visit()
    other_patient = bookable_patient()
    day = clinic_context().local_date(visit.start)
    assert visit.start == at(day, 9) and visit.end == at(day, 10, 30)
    _raw_insert(visit, at(day, 10, 30), at(day, 12), patient_id=other_patient.pk)  # starts as the other ends
    _raw_insert(visit, at(day, 7, 30), at(day, 9), patient_id=other_patient.pk)  # ends as the other starts
    _raw_insert(visit, at(day, 9), at(day, 10, 30), patient_id=other_patient.pk, status="cancelled")
    assert Appointment.objects.filter(chair_id=visit.chair_id, start__date=day).count() == 4
