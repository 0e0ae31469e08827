"""The booking services act only for a front desk who works at the location of what they change, whatever
calls them: booking at a location's chairs, cancelling, moving (at both ends) and closing a series. The check
is on the row as it is locked, so a visit moved elsewhere meanwhile is not changed through a stale page."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from clinic.tests.factories import ChairFactory, LocationFactory, front_desk, main_location, open_every_day
from infusions.booking import services
from infusions.models import Appointment, InfusionSeries
from infusions.tests.helpers import bookable_patient, depression

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")
TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 12, 1, 6, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def sites():
    """Seattle (the main location) and Denver, one chair each, both open 08:00-17:30."""
    depression()
    seattle = main_location()
    denver = LocationFactory(name="Denver", time_zone="America/Denver")
    for site in (seattle, denver):
        open_every_day(time(8, 0), time(17, 30), location=site)
    return seattle, denver, ChairFactory(location=seattle, name="Seattle 1"), ChairFactory(location=denver, name="D 1")


def _visits(chair, hour=9):
    return [(datetime.combine(TODAY + timedelta(days=3 * n + 1), time(hour), tzinfo=LA), chair.pk) for n in range(6)]


@pytest.fixture
def booked(sites):
    """A Seattle series, booked by Seattle's front desk; its last visit."""
    seattle, _, seattle_chair, _ = sites
    series = services.series_book(patient=bookable_patient(), visits=_visits(seattle_chair), by=front_desk())
    return series.appointments.order_by("start").last()


def as_saved(visit) -> tuple:
    row = Appointment.objects.get(pk=visit.pk)
    return row.status, row.start, row.chair_id, row.cancel_reason


def test_a_front_desk_of_another_location_cannot_book_at_this_ones_chairs(sites):
    _, denver, seattle_chair, _ = sites
    with pytest.raises(PermissionDenied):
        services.series_book(
            patient=bookable_patient(), visits=_visits(seattle_chair), by=front_desk(locations=[denver])
        )
    assert not InfusionSeries.objects.exists() and not Appointment.objects.exists()


def test_a_front_desk_of_another_location_cannot_cancel_mark_or_close_its_visits(sites, booked):
    denver = sites[1]
    desk = front_desk(locations=[denver])
    before = as_saved(booked)
    with pytest.raises(PermissionDenied):
        services.appointment_cancel(appointment=booked, by=desk, reason=Appointment.CancelReason.PATIENT_REQUEST)
    with pytest.raises(PermissionDenied):
        services.appointment_confirm_by_phone(appointment=booked, by=desk)
    with pytest.raises(PermissionDenied):
        services.series_cancel_rest(series=booked.series, by=desk, reason=Appointment.CancelReason.PATIENT_REQUEST)
    assert as_saved(booked) == before
    assert InfusionSeries.objects.get().status == InfusionSeries.Status.ACTIVE
    assert Appointment.objects.get(pk=booked.pk).confirmed_at is None


def test_a_move_needs_the_user_at_both_locations(sites, booked):
    seattle, denver, _, denver_chair = sites
    new_start = booked.start.astimezone(LA).replace(hour=10)
    before = as_saved(booked)
    for desk in (front_desk(locations=[seattle]), front_desk(locations=[denver])):
        with pytest.raises(PermissionDenied):
            services.appointment_move(
                appointment=booked, start=new_start, chair_id=denver_chair.pk, by=desk, to_other_location=True
            )
        assert as_saved(booked) == before
    both = front_desk(locations=[seattle, denver])
    services.appointment_move(
        appointment=booked, start=new_start, chair_id=denver_chair.pk, by=both, to_other_location=True
    )
    assert as_saved(booked)[1:3] == (new_start, denver_chair.pk)


def test_the_move_page_no_longer_moves_a_visit_to_a_location_the_user_does_not_work_at(client, sites, booked):
    _, _, _, denver_chair = sites
    client.force_login(front_desk())  # Seattle only: the visit's page opens, Denver's chairs are not theirs
    new_start = booked.start.astimezone(LA).replace(hour=10)
    data = {"chair": denver_chair.pk, "start": int(new_start.timestamp()), "other_location": "1"}
    before = as_saved(booked)
    assert client.post(reverse("infusions:visit_move", args=[booked.pk]), data).status_code == 403
    assert as_saved(booked) == before


def test_a_visit_moved_away_meanwhile_is_not_changed_through_the_stale_page(sites, booked):
    seattle, denver, _, denver_chair = sites
    stale = Appointment.objects.select_related("chair__location").get(pk=booked.pk)  # still at Seattle here
    Appointment.objects.filter(pk=booked.pk).update(chair=denver_chair)  # a colleague moved it to Denver
    with pytest.raises(PermissionDenied):
        services.appointment_cancel(
            appointment=stale, by=front_desk(locations=[seattle]), reason=Appointment.CancelReason.PATIENT_REQUEST
        )
    assert Appointment.objects.get(pk=booked.pk).status == Appointment.Status.SCHEDULED
