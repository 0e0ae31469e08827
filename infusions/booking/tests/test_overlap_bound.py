"""A visit lasts at most 12 hours (a database constraint), so the overlap query bounds its scan by start."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from clinic.tests.factories import UserFactory, main_location
from infusions.models import Appointment, InfusionSeries
from infusions.models.scheduling import VISIT_MAX_LENGTH
from infusions.tests.helpers import bookable_patient, clinic, depression

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 10, 12, tzinfo=UTC)


def visit(start, length):
    chair = clinic(chairs=1)[0]
    patient = bookable_patient()
    series = InfusionSeries.objects.create(
        location=main_location(), patient=patient, protocol=depression(), created_by=UserFactory()
    )
    return Appointment.objects.create(
        series=series, patient=patient, chair=chair, sequence=1, start=start, end=start + length
    )


def test_it_finds_the_longest_visit_allowed_that_began_long_before_the_range():
    longest = visit(NOON - VISIT_MAX_LENGTH + timedelta(minutes=1), VISIT_MAX_LENGTH)
    assert list(Appointment.objects.overlapping(NOON, NOON + timedelta(hours=1))) == [longest]
    assert not Appointment.objects.overlapping(NOON + timedelta(minutes=1), NOON + timedelta(hours=1)).exists()


def test_the_database_refuses_a_visit_longer_than_12_hours():
    with pytest.raises(IntegrityError), transaction.atomic():
        visit(NOON, VISIT_MAX_LENGTH + timedelta(seconds=1))
    assert visit(NOON, VISIT_MAX_LENGTH).end == NOON + timedelta(hours=12)
