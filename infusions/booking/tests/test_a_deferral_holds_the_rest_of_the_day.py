"""A "not today" deferral at check-in holds the rest of that local day: no path books an infusion of the patient
on it (a replacement, a move, a new series, maintenance visits, an undone cancel or no-show, the plan and grid
pages), and the next day is allowed again.

The measured hole: BP 185/105 deferred the 09:00 visit, and the front desk's Replace visit booked the patient
again at 20:30 the same day. The clinic here is open 08:00-22:00, so the evening is bookable but for the
deferral.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils.http import urlencode

from clinic.refusals import Refused
from clinic.roles import NURSE
from clinic.tests.factories import ChairFactory, UserFactory, clinician, front_desk, open_every_day
from infusions.booking.services import (
    appointment_cancel,
    appointment_mark,
    appointment_move,
    appointment_replace,
    appointment_undo_cancel,
    appointment_undo_mark,
    maintenance_book,
    maintenance_order,
    series_book,
    series_cancel_rest,
    series_propose,
)
from infusions.infusion_day.services import record_check_in
from infusions.models import Appointment, InfusionSeries
from infusions.tests.helpers import at, bookable_patient, clean_check_in, depression, series_visits

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
TUESDAY = MONDAY + timedelta(days=1)
S = Appointment.Status
DEFERRED_DAY = "deferred at check-in: no infusion for the rest of that day"


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False) as traveller:  # booking day
        yield traveller


@pytest.fixture
def chairs():
    open_every_day(time(8, 0), time(22, 0))
    depression()
    return [ChairFactory(name=f"Chair {n}", position=n) for n in (1, 2)]


@pytest.fixture
def desk():
    return front_desk()


def book_series(chair, desk, *, hour=9):
    """A six-visit series from MONDAY at `hour` (every 3 days), booked on the booking day."""
    return series_book(patient=bookable_patient(), visits=series_visits(MONDAY, chair, hour=hour), by=desk)


def defer_for_bp(visit, traveller, when):
    """Check the visit in at `when` with a resting BP of 185/105: the visit is deferred ("do not start today")."""
    traveller.move_to(when)
    record = record_check_in(
        appointment=visit, values=clean_check_in(systolic=185, diastolic=105), by=UserFactory(role=NURSE)
    )
    visit.refresh_from_db()
    assert visit.status == S.DEFERRED and record.stage == "deferred"
    return record


def test_the_measured_case_replace_the_same_evening_is_refused_and_the_next_day_is_booked(traveller, chairs, desk):
    series = book_series(chairs[0], desk)
    first = series.appointments.get(sequence=1)
    defer_for_bp(first, traveller, at(MONDAY, 9, 5))
    traveller.move_to(at(MONDAY, 10, 0))

    with pytest.raises(Refused, match=DEFERRED_DAY):
        appointment_replace(appointment=first, start=at(MONDAY, 20, 30), chair_id=chairs[0].pk, by=desk)
    assert not Appointment.objects.filter(replaces=first).exists()
    # Another chair, another time that day: the same.
    with pytest.raises(Refused, match=DEFERRED_DAY):
        appointment_replace(appointment=first, start=at(MONDAY, 17, 0), chair_id=chairs[1].pk, by=desk)

    again = appointment_replace(appointment=first, start=at(TUESDAY, 9, 0), chair_id=chairs[0].pk, by=desk)
    again.refresh_from_db()
    assert (again.status, again.replaces_id, again.start) == (S.SCHEDULED, first.pk, at(TUESDAY, 9, 0))


def test_a_move_onto_the_deferred_day_is_refused(traveller, chairs, desk):
    series = book_series(chairs[0], desk)
    defer_for_bp(series.appointments.get(sequence=1), traveller, at(MONDAY, 9, 5))
    second = series.appointments.get(sequence=2)
    traveller.move_to(at(MONDAY, 10, 0))

    with pytest.raises(Refused, match=DEFERRED_DAY):
        appointment_move(
            appointment=second, start=at(MONDAY, 20, 30), chair_id=chairs[0].pk, by=desk, confirm_past_window=True
        )
    second.refresh_from_db()
    assert second.start == at(MONDAY + timedelta(days=3), 9, 0)

    appointment_move(
        appointment=second, start=at(TUESDAY, 20, 30), chair_id=chairs[0].pk, by=desk, confirm_past_window=True
    )
    second.refresh_from_db()
    assert second.start == at(TUESDAY, 20, 30)


def test_a_new_series_on_the_deferred_day_is_refused(traveller, chairs, desk):
    series = book_series(chairs[0], desk)
    patient = series.patient
    defer_for_bp(series.appointments.get(sequence=1), traveller, at(MONDAY, 9, 5))
    traveller.move_to(at(MONDAY, 10, 0))
    series_cancel_rest(series=series, by=desk, reason="patient_request")

    evening = [(start.replace(hour=20, minute=30), chair) for start, chair in series_visits(MONDAY, chairs[0])]
    with pytest.raises(Refused, match=DEFERRED_DAY):
        series_book(patient=patient, visits=evening, by=desk)
    assert InfusionSeries.objects.filter(patient=patient, status=InfusionSeries.Status.ACTIVE).count() == 0

    booked = series_book(patient=patient, visits=series_visits(TUESDAY, chairs[0], hour=20), by=desk)
    assert booked.appointments.count() == 6


def test_maintenance_visits_on_the_deferred_day_are_refused(traveller, chairs, desk):
    series = book_series(chairs[0], desk)
    patient = series.patient
    maintenance_order(patient=patient, by=clinician())
    defer_for_bp(series.appointments.get(sequence=1), traveller, at(MONDAY, 9, 5))
    traveller.move_to(at(MONDAY, 10, 0))

    with pytest.raises(Refused, match=DEFERRED_DAY):
        maintenance_book(patient=patient, visits=[(at(MONDAY, 20, 30), chairs[1].pk)], by=desk)
    assert not InfusionSeries.objects.filter(patient=patient, kind=InfusionSeries.Kind.MAINTENANCE).exists()

    booked = maintenance_book(patient=patient, visits=[(at(TUESDAY, 20, 30), chairs[1].pk)], by=desk)
    assert booked.appointments.get().start == at(TUESDAY, 20, 30)


def test_undoing_a_cancel_of_a_visit_later_that_day_is_refused(traveller, chairs, desk):
    """The 16:00 visit was cancelled in the morning; a maintenance visit at 09:00 was deferred; the cancel
    of the 16:00 visit is not undone (without the deferral it would be: the cancel was made today)."""
    series = book_series(chairs[0], desk, hour=16)
    patient, later = series.patient, series.appointments.get(sequence=1)
    traveller.move_to(at(MONDAY, 7, 0))
    appointment_cancel(appointment=later, by=desk, reason="transport")
    maintenance_order(patient=patient, by=clinician())
    morning = maintenance_book(patient=patient, visits=[(at(MONDAY, 9, 0), chairs[1].pk)], by=desk)
    defer_for_bp(morning.appointments.get(), traveller, at(MONDAY, 9, 5))
    traveller.move_to(at(MONDAY, 10, 0))

    with pytest.raises(Refused, match=DEFERRED_DAY):
        appointment_undo_cancel(appointment=later, by=desk)
    later.refresh_from_db()
    assert later.status == S.CANCELLED


def test_undoing_a_no_show_mark_that_day_is_refused(traveller, chairs, desk):
    """The 08:00 visit was marked a no-show; a maintenance visit at 09:30 was deferred; the no-show is not undone
    back to a scheduled visit that day."""
    series = book_series(chairs[0], desk, hour=8)
    patient, early = series.patient, series.appointments.get(sequence=1)
    traveller.move_to(at(MONDAY, 8, 30))
    appointment_mark(appointment=early, status=S.NO_SHOW, by=desk)
    maintenance_order(patient=patient, by=clinician())
    later = maintenance_book(patient=patient, visits=[(at(MONDAY, 9, 30), chairs[1].pk)], by=desk)
    defer_for_bp(later.appointments.get(), traveller, at(MONDAY, 9, 35))
    traveller.move_to(at(MONDAY, 9, 45))

    with pytest.raises(Refused, match=DEFERRED_DAY):
        appointment_undo_mark(appointment=early, by=desk)
    early.refresh_from_db()
    assert early.status == S.NO_SHOW


def test_a_deferral_at_another_location_holds_the_instants_of_its_own_local_day(traveller, chairs, desk):
    """The day held is the deferring location's local day: Denver's Monday is 23:00 Sunday to 23:00 Monday in
    Los Angeles."""
    from clinic.tests.factories import LocationFactory
    from infusions.booking import selectors

    series = book_series(chairs[0], desk)
    first = series.appointments.get(sequence=1)
    defer_for_bp(first, traveller, at(MONDAY, 9, 5))
    denver_chair = ChairFactory(location=LocationFactory(name="Denver", time_zone="America/Denver"))
    Appointment.objects.filter(pk=first.pk).update(chair=denver_chair)  # as if the visit had been at Denver

    [((begin, end), day)] = selectors.deferred_days(series.patient, at(MONDAY, 12), at(MONDAY, 12))
    assert day == MONDAY
    assert (begin, end) == (at(MONDAY, 0) - timedelta(hours=1), at(TUESDAY, 0) - timedelta(hours=1))
    wednesday = at(MONDAY + timedelta(days=2), 12)
    assert selectors.deferred_days(series.patient, wednesday, wednesday) == []  # too far to hold it


def test_a_proposal_leaves_the_deferred_day_out(traveller, chairs, desk):
    series = book_series(chairs[0], desk)
    patient = series.patient
    defer_for_bp(series.appointments.get(sequence=1), traveller, at(MONDAY, 9, 5))
    traveller.move_to(at(MONDAY, 10, 0))
    series_cancel_rest(series=series, by=desk, reason="patient_request")
    proposal = series_propose(patient=patient, location=chairs[0].location)
    assert proposal.bookable and proposal.visits
    assert proposal.visits[0].start >= at(TUESDAY, 0)


# --- Through the pages ----------------------------------------------------------------------------------------


def visit_param(start, chair) -> str:
    return f"{chair.pk}@{int(start.timestamp())}"


def test_the_replace_page_refuses_the_same_evening(client, traveller, chairs, desk):
    series = book_series(chairs[0], desk)
    first = series.appointments.get(sequence=1)
    defer_for_bp(first, traveller, at(MONDAY, 9, 5))
    traveller.move_to(at(MONDAY, 10, 0))
    client.force_login(desk)
    url = reverse("infusions:visit_replace", args=[first.pk])

    evening = client.get(url, {"date": MONDAY.isoformat()})
    assert evening.status_code == 200
    assert "20:30" not in evening.content.decode()  # no free time offered on the deferred day

    response = client.post(url, {"chair": chairs[0].pk, "start": int(at(MONDAY, 20, 30).timestamp())}, follow=True)
    assert DEFERRED_DAY in response.content.decode()
    assert not Appointment.objects.filter(replaces=first).exists()

    client.post(url, {"chair": chairs[0].pk, "start": int(at(TUESDAY, 9, 0).timestamp())})
    assert Appointment.objects.get(replaces=first).start == at(TUESDAY, 9, 0)


def test_the_plan_page_and_a_grid_cell_show_the_rule_and_confirm_books_nothing(client, traveller, chairs, desk):
    series = book_series(chairs[0], desk)
    patient = series.patient
    defer_for_bp(series.appointments.get(sequence=1), traveller, at(MONDAY, 9, 5))
    traveller.move_to(at(MONDAY, 10, 0))
    series_cancel_rest(series=series, by=desk, reason="patient_request")
    client.force_login(desk)

    # A grid cell on the deferred day: the plan from it shows the rule.
    cell = {"chair": chairs[0].pk, "start": int(at(MONDAY, 20, 30).timestamp())}
    plan = client.get(reverse("infusions:grid_plan", args=[patient.pk]) + "?" + urlencode(cell), follow=True)
    assert plan.status_code == 200
    assert DEFERRED_DAY in plan.content.decode()

    evening = [(start.replace(hour=20, minute=30), chair) for start, chair in series_visits(MONDAY, chairs[0])]
    encoded = [("v", visit_param(start, chairs[0])) for start, _ in evening]
    page = client.get(reverse("infusions:book_plan", args=[patient.pk]) + "?" + urlencode(encoded))
    assert DEFERRED_DAY in page.content.decode()
    client.post(reverse("infusions:book_confirm", args=[patient.pk]), {"v": [v for _, v in encoded]})
    assert not InfusionSeries.objects.filter(patient=patient, status=InfusionSeries.Status.ACTIVE).exists()
