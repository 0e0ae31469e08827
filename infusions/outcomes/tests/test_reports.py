"""Outcome reports: every figure against a hand-computed fixture, on the page and in the CSV; the
query count flat in the number of patients; who may see which location; dates refused next to their field.

The fixture's rows are built directly with the models (series, visits with their final statuses, evaluations,
reviews with their raised_at set afterwards): completing 40-odd visits through the chair-side services would
take minutes. They are kept as the services would leave them: one initial series per patient, visits numbered
from 1 three days apart, a completed series' visits all completed, a stopped series' remaining visits cancelled,
loss-of-response reviews raised after the series, one open review per patient and code.
"""

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.tests.factories import (
    ChairFactory,
    LocationFactory,
    PatientFactory,
    UserFactory,
    clinician,
    main_location,
    staff_admin,
)
from infusions.models import Appointment, InfusionSeries, SeriesEvaluation
from infusions.outcomes import reports
from infusions.tests.helpers import depression
from intake.models import OutcomeReview

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")  # the main location's zone (settings.TIME_ZONE)
DENVER = ZoneInfo("America/Denver")
NOW = datetime(2026, 4, 10, 12, 0, tzinfo=LA)
FIRST, LAST = date(2026, 1, 1), date(2026, 3, 31)
RANGE = {"first": "2026-01-01", "last": "2026-03-31"}

C, X, N, S = (
    Appointment.Status.COMPLETED,
    Appointment.Status.CANCELLED,
    Appointment.Status.NO_SHOW,
    Appointment.Status.SCHEDULED,
)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def other_location():
    return LocationFactory(name="Denver", time_zone="America/Denver")


def local(day: date, hour: int, minute: int = 0, tz=LA) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


class Clinic:
    """Rows as the services leave them, built directly."""

    def __init__(self):
        self.user = UserFactory()
        self.protocol = depression()
        self.chairs = {}

    def chair(self, location):
        if location.pk not in self.chairs:
            self.chairs[location.pk] = ChairFactory(location=location, name="Chair 1")
        return self.chairs[location.pk]

    def series(self, patient, location, first_visit, statuses, *, status, kind=InfusionSeries.Kind.INITIAL, gap=3):
        """A series with one visit per status, `gap` days apart from `first_visit` (aware); returns it."""
        series = InfusionSeries.objects.create(
            patient=patient, location=location, protocol=self.protocol, kind=kind, status=status, created_by=self.user
        )
        for number, visit_status in enumerate(statuses, start=1):
            start = first_visit + timedelta(days=gap * (number - 1))
            Appointment.objects.create(
                series=series,
                patient=patient,
                chair=self.chair(location),
                sequence=number,
                start=start,
                end=start + timedelta(minutes=90),
                status=visit_status,
            )
        return series

    def evaluate(self, series, outcome):
        SeriesEvaluation.objects.create(series=series, outcome=outcome, plan="maintenance", decided_by=self.user)

    def review(self, patient, raised_at, *, code=OutcomeReview.Code.LOSS_OF_RESPONSE, resolved=False):
        review = OutcomeReview.objects.create(patient=patient, code=code, measure="phq9", reason="test")
        resolved_at = raised_at + timedelta(hours=1) if resolved else None
        OutcomeReview.objects.filter(pk=review.pk).update(raised_at=raised_at, resolved_at=resolved_at)

    def boosters(self, patient, location, visits):
        """A maintenance series with one visit per (aware start, status)."""
        series = InfusionSeries.objects.create(
            patient=patient,
            location=location,
            protocol=self.protocol,
            kind=InfusionSeries.Kind.MAINTENANCE,
            created_by=self.user,
        )
        for number, (start, visit_status) in enumerate(visits, start=1):
            Appointment.objects.create(
                series=series,
                patient=patient,
                chair=self.chair(location),
                sequence=number,
                start=start,
                end=start + timedelta(minutes=90),
                status=visit_status,
            )


def hand_computed_fixture(other_location):
    """The main location, 2026-01-01 to 2026-03-31 (Los Angeles dates):

    P1 started 01-05 (16:30 local, i.e. 00:30 UTC the next day), 6 completed, series completed, remitter;
       loss of response raised 02-15: last infusion 01-20 local -> 26 days (25 if counted by UTC dates).
       Early non-response review too (not counted). Boosters completed 02-20 and 03-20; one 04-02 (after).
    P2 started 01-12, 6 completed, completed, responder; loss raised 03-01: last infusion 01-27 -> 33 days;
       a second loss review 03-25 (the first resolved): not counted again. Boosters: 03-05 completed,
       03-12 cancelled, 03-19 no-show -> 1.
    P3 started 02-02, 6 completed, completed, non-responder.
    P4 started 02-09, visit 1 completed, visit 2 no-show, the rest cancelled: series cancelled -> drop-out after 1.
    P5 visit 1 (2025-12-28) cancelled, visit 2 no-show 02-16, the rest cancelled: first visit 02-16 (the first
       not cancelled) -> started in range, drop-out after 0.
    P6 started 03-23, 2 completed, 4 scheduled: active -> in progress; not evaluated.
    P8 started 2025-12-01 (outside), completed, responder; loss raised 2026-01-10: last infusion 2025-12-16 ->
       25 days (counted: the review is in the range); booster 01-20 completed.
    P9 started 2025-12-31 23:00 local (2026-01-01 in UTC): outside; completed, remitter.
    P7 at Denver: started 02-01, completed, remitter; loss raised 03-10; booster 03-15: none counted at main.

    Started 6; completed 3 (50%); in progress 1 (17%); dropped out 2 (33%): after 0 -> 1, after 1 -> 1.
    Response 2 (33%), remission 1 (17%), non-response 1 (17%), not evaluated 3 (50%).
    Loss of response: 3 patients (25, 26, 33 days), median 26. Boosters 4 visits / 3 patients = 1.3.
    """
    main = main_location()
    clinic = Clinic()
    p = {n: PatientFactory() for n in range(1, 10)}
    done6 = [C] * 6

    s1 = clinic.series(p[1], main, local(date(2026, 1, 5), 16, 30), done6, status="completed")
    clinic.evaluate(s1, "remitter")
    clinic.review(p[1], local(date(2026, 2, 15), 9))
    clinic.review(p[1], local(date(2026, 1, 14), 9), code=OutcomeReview.Code.EARLY_NON_RESPONSE)
    clinic.boosters(
        p[1],
        main,
        [(local(date(2026, 2, 20), 9), C), (local(date(2026, 3, 20), 9), C), (local(date(2026, 4, 2), 9), C)],
    )

    s2 = clinic.series(p[2], main, local(date(2026, 1, 12), 9), done6, status="completed")
    clinic.evaluate(s2, "responder")
    clinic.review(p[2], local(date(2026, 3, 1), 10), resolved=True)
    clinic.review(p[2], local(date(2026, 3, 25), 10))
    clinic.boosters(
        p[2],
        main,
        [(local(date(2026, 3, 5), 9), C), (local(date(2026, 3, 12), 9), X), (local(date(2026, 3, 19), 9), N)],
    )

    s3 = clinic.series(p[3], main, local(date(2026, 2, 2), 9), done6, status="completed")
    clinic.evaluate(s3, "non_responder")

    clinic.series(p[4], main, local(date(2026, 2, 9), 9), [C, N, X, X, X, X], status="cancelled")

    s5 = clinic.series(p[5], main, local(date(2026, 2, 16), 9), [N, X, X, X, X], status="cancelled")
    Appointment.objects.create(
        series=s5,
        patient=p[5],
        chair=clinic.chair(main),
        sequence=0,  # the visit cancelled before the others were booked
        start=local(date(2025, 12, 28), 9),
        end=local(date(2025, 12, 28), 10, 30),
        status=X,
    )

    clinic.series(p[6], main, local(date(2026, 3, 23), 9), [C, C, S, S, S, S], status="active", gap=4)

    s8 = clinic.series(p[8], main, local(date(2025, 12, 1), 9), done6, status="completed")
    clinic.evaluate(s8, "responder")
    clinic.review(p[8], local(date(2026, 1, 10), 9))
    clinic.boosters(p[8], main, [(local(date(2026, 1, 20), 9), C)])

    s9 = clinic.series(p[9], main, local(date(2025, 12, 31), 23), done6, status="completed")
    clinic.evaluate(s9, "remitter")

    s7 = clinic.series(p[7], other_location, local(date(2026, 2, 1), 9, tz=DENVER), done6, status="completed")
    clinic.evaluate(s7, "remitter")
    clinic.review(p[7], local(date(2026, 3, 10), 9, tz=DENVER))
    clinic.boosters(p[7], other_location, [(local(date(2026, 3, 15), 9, tz=DENVER), C)])
    return p


EXPECTED = {
    "Series started": ("6", ""),
    "Completed": ("3", "50"),
    "In progress": ("1", "17"),
    "Dropped out": ("2", "33"),
    "Dropped out after 0 infusions": ("1", "17"),
    "Dropped out after 1 infusion": ("1", "17"),
    "Dropped out after 2 infusions": ("0", "0"),
    "Dropped out after 3 infusions": ("0", "0"),
    "Dropped out after 4 infusions": ("0", "0"),
    "Dropped out after 5 infusions": ("0", "0"),
    "Dropped out after 6 or more infusions": ("0", "0"),
    "Response at the end of the series": ("2", "33"),
    "Remission at the end of the series": ("1", "17"),
    "Non-response at the end of the series": ("1", "17"),
    "Not evaluated": ("3", "50"),
    "Patients with a loss of response": ("3", ""),
    "Median days to loss of response": ("26", ""),
    "Completed booster visits": ("4", ""),
    "Patients with a booster": ("3", ""),
    "Boosters per patient": ("1.3", ""),
}

ROW = re.compile(
    r'<tr data-testid="figure"><th scope="row" class="fw-normal">(.*?)</th>'
    r'<td class="text-end" data-testid="value">(.*?)</td><td class="text-end">(\d*)%?</td></tr>'
)


def page_figures(html: str) -> dict[str, tuple[str, str]]:
    return {label: (value, share) for label, value, share in ROW.findall(html)}


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_selector_counts_the_hand_computed_fixture(other_location):
    hand_computed_fixture(other_location)
    report = reports.outcome_report(main_location(), FIRST, LAST)
    assert (report.started, report.completed, report.in_progress, report.dropped_out) == (6, 3, 1, 2)
    assert report.dropped_out_after == (1, 1, 0, 0, 0, 0, 0)
    assert (report.response, report.remission, report.non_responders, report.not_evaluated) == (2, 1, 1, 3)
    assert report.loss_of_response_days == (25, 26, 33)
    assert report.median_days_to_loss_of_response == 26
    assert (report.booster_visits, report.booster_patients) == (4, 3)
    assert report.boosters_per_patient == pytest.approx(4 / 3)

    denver = reports.outcome_report(other_location, FIRST, LAST)
    assert (denver.started, denver.completed, denver.remission, denver.dropped_out) == (1, 1, 1, 0)
    assert denver.loss_of_response_days == (22,)  # 2026-02-16 to 2026-03-10
    assert (denver.booster_visits, denver.booster_patients) == (1, 1)


def test_the_selector_takes_three_queries():
    main = main_location()
    with CaptureQueriesContext(connection) as captured:
        reports.outcome_report(main, FIRST, LAST)
    assert len(captured) == 3


def test_an_even_count_of_patients_has_the_mean_of_the_middle_two_as_median():
    report = reports.OutcomeReport(
        location=None,
        first=FIRST,
        last=LAST,
        started=0,
        completed=0,
        in_progress=0,
        dropped_out_after=(0,) * 7,
        remitters=0,
        responders=0,
        non_responders=0,
        not_evaluated=0,
        loss_of_response_days=(10, 19, 20, 40),
        booster_visits=0,
        booster_patients=0,
    )
    assert report.median_days_to_loss_of_response == 19.5
    assert report.boosters_per_patient is None
    figures = {figure.label: figure for figure in report.figures()}
    assert figures["Median days to loss of response"].shown == "19.5"
    assert figures["Boosters per patient"].shown == "–"
    assert figures["Completed"].percent_of_started is None


def test_the_page_shows_every_figure_and_the_definitions(client, other_location):
    patients = hand_computed_fixture(other_location)
    client.force_login(clinician())
    response = client.get(reverse("infusions:reports"), RANGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert page_figures(html) == EXPECTED
    assert 'data-testid="definitions"' in html
    for term, meaning in reports.DEFINITIONS:
        assert term in html
        assert meaning.split(".")[0].replace("'", "&#x27;") in html
    for patient in patients.values():
        assert patient.last_name not in html
    assert "Download CSV" in html


def test_the_csv_has_the_same_figures_and_no_patient(client, other_location):
    patients = hand_computed_fixture(other_location)
    client.force_login(clinician())
    response = client.get(reverse("infusions:reports_csv"), {"location": main_location().pk, **RANGE})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="outcomes-main-location-2026-01-01-2026-03-31.csv"'
    text = response.content.decode()
    assert text.splitlines()[0] == "location,first_date,last_date,figure,value,percent_of_started"
    rows = csv_rows(response)
    assert {row["figure"]: (row["value"], row["percent_of_started"]) for row in rows} == EXPECTED
    assert {(row["location"], row["first_date"], row["last_date"]) for row in rows} == {
        ("Main location", "2026-01-01", "2026-03-31")
    }
    for patient in patients.values():
        assert patient.last_name not in text
        assert patient.first_name not in text


def test_the_page_link_downloads_the_range_shown(client, other_location):
    hand_computed_fixture(other_location)
    client.force_login(clinician())
    html = client.get(reverse("infusions:reports"), RANGE).content.decode()
    href = re.search(r'data-testid="download-csv" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert href == f"{reverse('infusions:reports_csv')}?location={main_location().pk}&first=2026-01-01&last=2026-03-31"
    rows = csv_rows(client.get(href))
    assert {row["figure"]: (row["value"], row["percent_of_started"]) for row in rows} == EXPECTED


def many_patients(count: int) -> None:
    """`count` patients at the main location, each with a completed, evaluated series in the range, a loss of
    response and a booster."""
    clinic = Clinic()
    main = main_location()
    for n in range(count):
        patient = PatientFactory()
        clinic.chairs[main.pk] = ChairFactory(location=main, name=f"Chair of {patient.last_name}")  # no overlaps
        first = local(date(2026, 1, 1) + timedelta(days=n % 40), 8 + n % 9)
        series = clinic.series(patient, main, first, [C] * 6, status="completed")
        clinic.evaluate(series, ("remitter", "responder", "non_responder")[n % 3])
        clinic.review(patient, first + timedelta(days=30 + n % 7))
        clinic.boosters(patient, main, [(first + timedelta(days=35), C)])


def page_queries(client) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("infusions:reports"), RANGE)
    assert response.status_code == 200
    return len(captured), page_figures(response.content.decode())


def test_the_query_count_is_the_same_for_5_or_50_patients(client):
    client.force_login(clinician())
    client.get(reverse("healthz"))  # renews the session (at most once a minute): measure page queries only
    many_patients(5)
    small, figures = page_queries(client)
    assert figures["Series started"] == ("5", "")
    many_patients(45)
    large, figures = page_queries(client)
    assert figures["Series started"] == ("50", "")
    assert figures["Patients with a loss of response"] == ("50", "")
    assert figures["Completed booster visits"] == ("50", "")
    assert large == small


def test_the_front_desk_gets_403_and_no_link(client, front_desk):
    client.force_login(front_desk)
    assert client.get(reverse("infusions:reports")).status_code == 403
    assert client.get(reverse("infusions:reports_csv"), RANGE).status_code == 403
    assert reverse("infusions:reports").encode() not in client.get(reverse("infusions:home")).content


def test_a_clinician_sees_the_link(client):
    client.force_login(clinician())
    assert b"Outcome reports" in client.get(reverse("intake:queue")).content


def test_a_clinician_gets_403_for_a_location_they_do_not_work_at(client, other_location):
    client.force_login(clinician())
    for name in ("infusions:reports", "infusions:reports_csv"):
        assert client.get(reverse(name), {"location": other_location.pk, **RANGE}).status_code == 403
    response = client.get(reverse("infusions:reports"), RANGE)
    assert response.status_code == 200
    assert f'value="{other_location.pk}"' not in response.content.decode()


def test_a_clinician_at_both_locations_chooses_either(client, other_location):
    hand_computed_fixture(other_location)
    client.force_login(clinician(locations=[main_location(), other_location]))
    response = client.get(reverse("infusions:reports"), {"location": other_location.pk, **RANGE})
    assert response.status_code == 200
    assert page_figures(response.content.decode())["Series started"] == ("1", "")


def test_the_staff_admin_sees_every_location_without_working_there(client, other_location):
    hand_computed_fixture(other_location)
    client.force_login(staff_admin(locations=[]))
    response = client.get(reverse("infusions:reports"), {"location": other_location.pk, **RANGE})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{main_location().pk}"' in html and f'value="{other_location.pk}"' in html
    assert page_figures(html)["Series started"] == ("1", "")
    assert client.get(reverse("infusions:reports"), {"location": 999999}).status_code == 404


def test_a_clinician_at_no_location_gets_403(client):
    client.force_login(clinician(locations=[]))
    assert client.get(reverse("infusions:reports")).status_code == 403


def test_without_dates_the_page_shows_the_last_90_days(client):
    client.force_login(clinician())
    response = client.get(reverse("infusions:reports"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2026-01-11"' in html and 'value="2026-04-10"' in html
    assert "Main location, Sun 11 Jan 2026 to Fri 10 Apr 2026" in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"first": "2026-03-31", "last": "2026-01-01"}, "last", "The last date must be on or after the first."),
        ({"first": "not a date", "last": "2026-01-01"}, "first", "Enter a valid date."),
        ({"first": "2026-01-01", "last": ""}, "last", "This field is required."),
        ({"first": "1900-01-01", "last": "2026-01-01"}, "first", "Choose a date between"),
        ({"first": "2026-01-01", "last": "2031-01-01"}, "last", "Choose a date between"),
    ],
)
def test_bad_dates_are_shown_next_to_their_field(client, params, field, message):
    client.force_login(clinician())
    response = client.get(reverse("infusions:reports"), params)
    assert response.status_code == 200
    html = response.content.decode()
    error = re.search(rf'data-testid="field-error-{field}">([^<]*)<', html)
    assert error and message in error.group(1)
    assert re.search(rf'name="{field}" id="id_{field}"[^>]*aria-invalid="true"', html)
    assert 'data-testid="report-table"' not in html
    assert client.get(reverse("infusions:reports_csv"), params).status_code == 400
