"""The worklists of the front desk and the coordinators, their counts in the navigation, flat query counts."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.tests.factories import ScreeningFactory, UserFactory, clinician, main_location
from infusions.booking import services
from infusions.floor import selectors as floor
from infusions.models import Appointment, InfusionSeries
from infusions.tests.helpers import at, bookable_patient, clinic, depression
from intake.eligibility import booking_eligibility_for
from intake.models import Patient, ReviewDecision

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 1)
TOMORROW = TODAY + timedelta(days=1)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):  # 08:00 in Los Angeles
        yield


@pytest.fixture
def chairs():
    return clinic(chairs=2)


def _visit(patient, chair, start, *, status="scheduled", series_status="active", kind="initial", **fields):
    series = InfusionSeries.objects.create(
        location=main_location(),
        patient=patient,
        protocol=depression(),
        created_by=UserFactory(),
        status=series_status,
        kind=kind,
    )
    return Appointment.objects.create(
        series=series,
        patient=patient,
        chair=chair,
        sequence=1,
        start=start,
        end=start + timedelta(minutes=90),
        status=status,
        **fields,
    )


def _decide(patient, decision, rescreen_on=None):
    screening = ScreeningFactory(intake__patient=patient, outcome="review")
    ReviewDecision.objects.create(
        screening=screening, decision=decision, rescreen_on=rescreen_on, decided_by=clinician()
    )
    return screening


def _section(html, name):
    start = html.index(f'data-testid="list-{name}"')
    return html[start : html.index("</section>", start)]


def test_approved_patients_with_nothing_booked_are_listed_with_their_phone(client, front_desk, chairs):
    bookable_patient(last_name="Waiting", phone="+15550100001")
    approved = ScreeningFactory(outcome="review").patient
    ReviewDecision.objects.create(screening=approved.screenings.get(), decision="approve", decided_by=clinician())
    booked = bookable_patient(last_name="Booked")
    _visit(booked, chairs[0], at(TODAY + timedelta(days=3), 9))
    done = bookable_patient(last_name="Done")
    _visit(done, chairs[0], at(TODAY - timedelta(days=20), 9), status="completed", series_status="completed")
    ScreeningFactory(outcome="review", intake__patient__last_name="Unreviewed")
    client.force_login(front_desk)
    html = client.get(reverse("infusions:worklists")).content.decode()
    section = _section(html, "approved")
    assert "Waiting" in section and approved.last_name in section
    assert '<a href="tel:+15550100001">(555) 010-0001</a>' in section
    assert "Booked" not in section and "Done" not in section and "Unreviewed" not in section
    assert section.count('data-testid="row"') == 2
    assert 'data-testid="count-approved">2<' in html


def test_open_maintenance_orders_are_listed_with_the_note(client, front_desk, chairs):
    patient = bookable_patient(last_name="Booster")
    services.maintenance_order(patient=patient, by=clinician(), note="Every 4 weeks")
    client.force_login(front_desk)
    html = client.get(reverse("infusions:worklists")).content.decode()
    section = _section(html, "orders")
    assert "Booster" in section and "Every 4 weeks" in section
    assert reverse("infusions:maintenance_plan", args=[patient.pk]) in section
    assert 'data-testid="count-orders">1<' in html


def test_tomorrows_unconfirmed_visits_are_a_call_list_with_phone_numbers(client, front_desk, chairs):
    _visit(bookable_patient(last_name="Callme", phone="+15550100002"), chairs[0], at(TOMORROW, 9))
    _visit(bookable_patient(last_name="Confirmed"), chairs[1], at(TOMORROW, 9), confirmed_at=datetime.now(UTC))
    _visit(bookable_patient(last_name="Later"), chairs[0], at(TOMORROW + timedelta(days=1), 9))
    client.force_login(front_desk)
    html = client.get(reverse("infusions:worklists")).content.decode()
    section = _section(html, "tomorrow")
    assert "Callme" in section and 'href="tel:+15550100002"' in section
    assert "Confirmed" not in section.replace("not confirmed", "") and "Later" not in section
    assert 'data-testid="count-tomorrow">1<' in html


def test_the_front_desk_works_the_call_list_and_a_confirmed_visit_leaves_it(client, front_desk, chairs):
    visit = _visit(bookable_patient(last_name="Callme", phone="+15550100002"), chairs[0], at(TOMORROW, 9))
    client.force_login(clinician())
    assert client.post(reverse("infusions:visit_confirm_by_phone", args=[visit.pk])).status_code == 403
    client.force_login(front_desk)
    response = client.post(reverse("infusions:visit_confirm_by_phone", args=[visit.pk]))
    assert response.status_code == 302 and response["Location"].endswith("#tomorrow")
    visit.refresh_from_db()
    assert visit.confirmed_at is not None
    assert visit.history.first().history_user == front_desk
    section = _section(client.get(reverse("infusions:worklists")).content.decode(), "tomorrow")
    assert "Callme" not in section and "Everyone has confirmed." in section


def test_no_shows_and_cancellations_of_the_last_14_days_not_rebooked(client, front_desk, chairs):
    _visit(bookable_patient(last_name="Missed"), chairs[0], at(TODAY - timedelta(days=2), 9), status="no_show")
    _visit(bookable_patient(last_name="Called"), chairs[0], at(TODAY + timedelta(days=5), 9), status="cancelled")
    _visit(bookable_patient(last_name="Oldmiss"), chairs[0], at(TODAY - timedelta(days=20), 9), status="no_show")
    stopped = bookable_patient(last_name="Stopped")
    _visit(stopped, chairs[0], at(TODAY + timedelta(days=2), 9), status="cancelled", series_status="cancelled")
    rebooked = bookable_patient(last_name="Rebooked")
    with time_machine.travel(datetime(2026, 11, 28, 16, 0, tzinfo=UTC), tick=False):
        _visit(rebooked, chairs[1], at(TODAY - timedelta(days=1), 9), status="no_show")
    _visit(rebooked, chairs[1], at(TODAY + timedelta(days=4), 9), kind="maintenance")  # booked since
    client.force_login(front_desk)
    html = client.get(reverse("infusions:worklists")).content.decode()
    section = _section(html, "rebook")
    assert "Missed" in section and "Called" in section
    assert "Oldmiss" not in section and "Stopped" not in section and "Rebooked" not in section
    assert 'data-testid="count-rebook">2<' in html


def test_booked_visits_on_hold_because_eligibility_lapsed(client, front_desk, chairs):
    lapsed = bookable_patient(last_name="Lapsed")
    _visit(lapsed, chairs[0], at(TODAY + timedelta(days=3), 9))
    ScreeningFactory(intake__patient=lapsed, outcome="review")
    _visit(bookable_patient(last_name="Fine"), chairs[1], at(TODAY + timedelta(days=3), 9))
    client.force_login(front_desk)
    html = client.get(reverse("infusions:worklists")).content.decode()
    section = _section(html, "on_hold")
    assert "Lapsed" in section and "Waiting for a clinician" in section and "Fine" not in section
    assert 'data-testid="count-on_hold">1<' in html


def test_coordinators_see_the_deferrals_due_for_a_rescreen_and_nothing_else(client, coordinator, front_desk):
    due = bookable_patient(last_name="Due")
    _decide(due, "defer", rescreen_on=TODAY)
    _decide(bookable_patient(last_name="Notyet"), "defer", rescreen_on=TODAY + timedelta(days=1))
    rescreened = bookable_patient(last_name="Rescreened")
    _decide(rescreened, "defer", rescreen_on=TODAY - timedelta(days=3))
    ScreeningFactory(intake__patient=rescreened, outcome="review")  # a newer screening, waiting
    client.force_login(coordinator)
    response = client.get(reverse("infusions:worklists"))
    assert response.status_code == 200
    html = response.content.decode()
    section = _section(html, "rescreen")
    assert "Due" in section and "Notyet" not in section and "Rescreened" not in section
    assert 'data-testid="count-rescreen">1<' in html
    assert 'data-testid="list-approved"' not in html and 'data-testid="count-approved"' not in html
    # The front desk does not see the coordinators' list, nor any clinical detail.
    client.force_login(front_desk)
    html = client.get(reverse("infusions:worklists")).content.decode()
    assert 'data-testid="list-rescreen"' not in html and 'data-testid="count-rescreen"' not in html
    for clinical in ("depression", "Depression", "PHQ", "outcome", "rescreen_on"):
        assert clinical not in html


def test_users_without_either_role_get_403(client, clinician):
    assert client.get(reverse("infusions:worklists")).status_code == 302  # signed out: to sign-in
    client.force_login(clinician)
    assert client.get(reverse("infusions:worklists")).status_code == 403
    assert 'data-testid="nav-worklists"' not in client.get(reverse("infusions:day")).content.decode()


def test_the_sql_rule_agrees_with_the_eligibility_rule(chairs):
    bookable_patient()
    approved = ScreeningFactory(outcome="review").patient
    ReviewDecision.objects.create(screening=approved.screenings.get(), decision="approve", decided_by=clinician())
    for decision in ("decline", "defer"):
        _decide(bookable_patient(), decision, rescreen_on=TODAY if decision == "defer" else None)
    ScreeningFactory(outcome="exclude")
    ScreeningFactory(outcome="review")
    Patient.objects.create(
        first_name="No", last_name="Screening", date_of_birth=date(1980, 1, 1), weight_kg=70, created_by=UserFactory()
    )
    patients = list(Patient.objects.all())
    rule = {pk for pk, answer in booking_eligibility_for(patients).items() if answer.bookable}
    assert set(Patient.objects.filter(pk__in=floor.bookable_patient_ids()).values_list("pk", flat=True)) == rule
    assert 0 < len(rule) < len(patients)


def _many(n, chairs):
    """n patients spread over every front desk list; each visit in a chair of its own, so none overlaps another
    (PostgreSQL's exclusion constraint holds these rows made directly too)."""
    from clinic.tests.factories import ChairFactory

    start_at = Patient.objects.count()
    for i in range(n):
        patient = bookable_patient(phone=f"+1555010{i:04d}")
        kind = i % 5
        chairs = [ChairFactory(location=main_location(), name=f"Many {start_at + i}")] * 2
        if kind == 1:
            services.maintenance_order(patient=patient, by=clinician())
        elif kind == 2:
            _visit(patient, chairs[i % 2], at(TOMORROW, 8) + timedelta(minutes=i))
        elif kind == 3:
            _visit(patient, chairs[i % 2], at(TODAY - timedelta(days=1), 8) + timedelta(minutes=i), status="no_show")
        elif kind == 4:
            _visit(patient, chairs[i % 2], at(TODAY + timedelta(days=2), 8) + timedelta(minutes=i))
            ScreeningFactory(intake__patient=patient, outcome="review")
        if i % 7 == 0:
            _decide(bookable_patient(), "defer", rescreen_on=TODAY)


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("role", ["front_desk", "coordinator"])
def test_the_page_and_the_navigation_cost_the_same_queries_for_10_or_200_patients(client, chairs, role, request):
    user = request.getfixturevalue(role)
    client.force_login(user)
    client.get(reverse("healthz"))  # renews the session: measure page queries only
    _many(10, chairs)
    small, response = _queries(client, reverse("infusions:worklists"))
    small_nav, _ = _queries(client, reverse("intake:home") if role == "coordinator" else reverse("infusions:day"))
    _many(190, chairs)
    large, response = _queries(client, reverse("infusions:worklists"))
    large_nav, _ = _queries(client, reverse("intake:home") if role == "coordinator" else reverse("infusions:day"))
    assert Patient.objects.count() > 200
    assert (large, large_nav) == (small, small_nav)
    if role == "front_desk":
        assert response.context["worklist_counts"]["on_hold"] == 40
        # Approved, not booked: the first fifth and those with an order (they have nothing booked either): 80,
        # of which the page shows the first 50 and says so; "Show all" lists all 80.
        assert response.context["worklist_counts"]["approved"] == 80
        html = response.content.decode()
        assert html.count('data-testid="row"') == floor.WORKLIST_ROWS + 40 + 40 + 40 + 40
        assert "Showing the first 50 of 80" in _section(html, "approved")
        assert "more-rows" not in _section(html, "rebook")
        everyone = client.get(reverse("infusions:worklists"), {"all": "approved"}).content.decode()
        assert _section(everyone, "approved").count('data-testid="row"') == 80
    else:
        assert response.context["worklist_counts"] == {"rescreen": 30, "total": 30}


def test_the_counts_cost_one_query_once_per_request(rf, front_desk, chairs):
    from clinic.locations import user_locations
    from clinic.roles import role_names, role_permissions
    from infusions.context_processors import worklist_counts

    _many(10, chairs)
    request = rf.get("/")
    request.user = front_desk
    role_names(front_desk), role_permissions(front_desk), user_locations(front_desk)  # cached on the user
    with CaptureQueriesContext(connection) as captured:
        first = worklist_counts(request)["worklist_counts"]
        again = worklist_counts(request)["worklist_counts"]
    assert len(captured) == 1
    assert first == again
    assert first == {"approved": 4, "orders": 2, "tomorrow": 2, "rebook": 2, "on_hold": 2, "total": 12}
