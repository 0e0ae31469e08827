"""The course page: a six-infusion course with falling scores as a chart (server-rendered SVG, no style
attribute: the Content-Security-Policy allows none), a table with the change from baseline, and the badges."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from infusions.tests.helpers import clinic, course_through_services

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 12, 7)
PHQ9 = [14, 11, 9, 7, 5, 4]  # from 20
GAD7 = [12, 10, 8, 6, 4, 3]  # from 15


@pytest.fixture
def page(client, clinician, front_desk):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=False):
        chair, _ = clinic()
        patient, _ = course_through_services(
            MONDAY, chair, phq9=PHQ9, gad7=GAD7, baseline_phq9=20, baseline_gad7=15, by=front_desk,
            first_name="Ines", last_name="Varga",
        )  # fmt: skip
        client.force_login(clinician)
        response = client.get(reverse("infusions:course", args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


def section(content, measure):
    start = content.index(f'data-testid="measure-{measure}"')
    return content[start : content.index("</section>", start)]


def test_a_falling_phq9_course_shows_as_a_chart_a_table_and_its_badges(page):
    phq9 = section(page, "phq9")
    (svg,) = re.findall(r"<svg.*?</svg>", phq9, flags=re.S)
    assert 'role="img"' in svg
    assert svg.count("<circle") == 7  # the baseline and six infusions
    assert svg.count('class="chart-point chart-point-baseline"') == 1
    assert svg.count('class="chart-point chart-point-series"') == 6
    assert "<title>Baseline: 20</title>" in svg and "<title>Inf 6: 4</title>" in svg
    assert "PHQ-9 from 20 at baseline to 4 at infusion 6." in svg
    assert 'class="chart-ref chart-ref-response"' in svg and 'class="chart-ref chart-ref-remission"' in svg
    assert "style=" not in svg

    assert "Change from baseline" in phq9
    rows = re.findall(
        r'<tr><th scope="row">(.*?)</th>\s*<td class="text-end">(.*?)</td>\s*<td class="text-end">(.*?)</td>', phq9
    )
    assert rows == [
        ("Baseline", "20", ""),
        ("Inf 1", "14", "\N{MINUS SIGN}30%"),
        ("Inf 2", "11", "\N{MINUS SIGN}45%"),
        ("Inf 3", "9", "\N{MINUS SIGN}55%"),
        ("Inf 4", "7", "\N{MINUS SIGN}65%"),
        ("Inf 5", "5", "\N{MINUS SIGN}75%"),
        ("Inf 6", "4", "\N{MINUS SIGN}80%"),
    ]
    assert "Baseline 20 · latest 4" in phq9
    assert '<span data-testid="change">80% below baseline</span>' in phq9
    assert 'data-testid="remission">remission</span>' in phq9  # 4 is below 5
    assert 'data-testid="response">response</span>' in phq9  # and an 80% fall is a response too


def test_the_gad7_course_is_drawn_beside_it(page):
    gad7 = section(page, "gad7")
    assert "GAD-7" in gad7
    assert gad7.count("<circle") == 7
    assert "<title>Baseline: 15</title>" in gad7 and "<title>Inf 6: 3</title>" in gad7
    assert "Baseline 15 · latest 3" in gad7
    assert 'data-testid="remission">remission</span>' in gad7
    assert 'data-testid="response">response</span>' in gad7
    assert 'id="chart-phq9-title"' in page and 'id="chart-gad7-title"' in page  # two charts, distinct ids


def test_no_style_attribute_reaches_the_page(page):
    assert "style=" not in page
    assert "<style" not in page
    assert "css/charts.css" in page


def test_a_series_not_yet_evaluated_offers_the_evaluation_form(page):
    assert 'data-testid="series-evaluation"' in page
    assert "Record the evaluation" in page
    assert '<option value="remitter">Remitter</option>' in page
