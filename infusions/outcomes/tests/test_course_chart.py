"""The course chart: a server-rendered SVG of a patient's scores across the course, clean under the strict CSP."""

import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string

from infusions.outcomes.charts import (
    HEIGHT_PLOT,
    MARGIN_TOP,
    ChartPoint,
    chart_rows,
    course_chart,
    y_for,
)

SVG = "{http://www.w3.org/2000/svg}"

COURSE = [
    ChartPoint("Baseline", 21, "baseline"),
    ChartPoint("Inf 1", 18, "series"),
    ChartPoint("Inf 2", None, "series"),
    ChartPoint("Inf 3", 12, "series"),
    ChartPoint("Inf 4", 9, "series"),
    ChartPoint("Inf 5", 6, "series"),
    ChartPoint("Inf 6", 4, "series"),
]


def phq9(points=COURSE, response_line=10.5, remission_line=5, **kwargs):
    return course_chart(
        title="PHQ-9", points=points, max_total=27, response_line=response_line, remission_line=remission_line, **kwargs
    )


def parse(markup):
    return ET.fromstring(str(markup))  # noqa: S314 - the markup is our own, made in the test


def circles(root):
    return root.findall(f".//{SVG}circle")


def ref_line(root, kind):
    group = root.find(f".//{SVG}g[@class='chart-ref chart-ref-{kind}']")
    assert group is not None, kind
    return group.find(f"{SVG}line"), group.find(f"{SVG}text")


def test_the_chart_parses_as_svg_with_a_title_and_a_summary_for_screen_readers():
    root = parse(phq9())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 ")
    title = root.find(f"{SVG}title")
    assert title.get("id") == root.get("aria-labelledby")
    assert title.text == "PHQ-9"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == root.get("aria-describedby")
    assert desc.text.startswith("PHQ-9 from 21 at baseline to 4 at infusion 6.")
    assert "Not recorded: Inf 2." in desc.text


def test_one_circle_per_known_total_at_its_height_none_for_a_missing_one():
    dots = circles(parse(phq9()))
    titles = [dot.find(f"{SVG}title").text for dot in dots]
    assert titles == ["Baseline: 21", "Inf 1: 18", "Inf 3: 12", "Inf 4: 9", "Inf 5: 6", "Inf 6: 4"]
    for dot, total in zip(dots, [21, 18, 12, 9, 6, 4], strict=True):
        assert float(dot.get("cy")) == pytest.approx(y_for(total, 27), abs=0.05)
    ys = [float(dot.get("cy")) for dot in dots]
    assert ys == sorted(ys), "a lower score is drawn lower, i.e. at a larger y"
    assert dots[0].get("class") == "chart-point chart-point-baseline"


def test_the_scale_runs_from_zero_at_the_bottom_to_the_maximum_at_the_top():
    assert y_for(27, 27) == MARGIN_TOP
    assert y_for(0, 27) == MARGIN_TOP + HEIGHT_PLOT
    points = [ChartPoint("Baseline", 0, "baseline"), ChartPoint("Inf 1", 27, "series")]
    low, high = circles(parse(phq9(points)))
    assert float(low.get("cy")) == MARGIN_TOP + HEIGHT_PLOT
    assert float(high.get("cy")) == MARGIN_TOP


def test_points_are_evenly_spaced_in_order():
    xs = [float(dot.get("cx")) for dot in circles(parse(phq9([ChartPoint(f"Inf {i}", 5, "series") for i in range(5)])))]
    gaps = {round(b - a, 1) for a, b in zip(xs, xs[1:], strict=False)}
    assert len(gaps) == 1 and gaps.pop() > 0


def test_the_line_breaks_at_a_missing_total_into_two_segments():
    lines = parse(phq9()).findall(f"{SVG}polyline")
    assert len(lines) == 2
    first, second = ([float(xy.split(",")[1]) for xy in line.get("points").split()] for line in lines)
    assert first == pytest.approx([y_for(21, 27), y_for(18, 27)], abs=0.05)
    assert second == pytest.approx([y_for(t, 27) for t in (12, 9, 6, 4)], abs=0.05)
    assert all(line.get("fill") == "none" for line in lines)


def test_a_lone_known_total_between_gaps_is_a_dot_without_a_line():
    points = [ChartPoint("Baseline", 20, "baseline"), ChartPoint("Inf 1", None, "series")]
    root = parse(phq9(points))
    assert root.findall(f"{SVG}polyline") == []
    assert len(circles(root)) == 1


def test_the_response_and_remission_lines_are_at_their_scores_and_labelled_at_the_right_end():
    root = parse(phq9())
    for kind, value, label in (("response", 10.5, "50% of baseline"), ("remission", 5, "Remission")):
        line, text = ref_line(root, kind)
        assert float(line.get("y1")) == float(line.get("y2")) == pytest.approx(y_for(value, 27), abs=0.05)
        assert text.text == label
        assert float(text.get("x")) > float(line.get("x2"))


def test_reference_lines_are_optional():
    root = parse(phq9(response_line=None, remission_line=None))
    assert root.findall(f".//{SVG}g[@class='chart-ref chart-ref-response']") == []
    assert root.findall(f".//{SVG}g[@class='chart-ref chart-ref-remission']") == []


def test_two_reference_lines_at_one_score_keep_their_labels_apart():
    root = parse(phq9(response_line=5, remission_line=5))
    (_, response), (_, remission) = ref_line(root, "response"), ref_line(root, "remission")
    assert abs(float(response.get("y")) - float(remission.get("y"))) >= 11


def test_labels_and_the_title_are_escaped():
    points = [ChartPoint("Baseline", 20, "baseline"), ChartPoint("Inf <1> & co", 10, "series")]
    markup = course_chart(
        title='PCL-5 <b>"&', points=points, max_total=80, response_line=None, remission_line=None, chart_id="pcl5"
    )
    assert "<b>" not in markup and "<1>" not in markup
    assert "Inf &lt;1&gt; &amp; co" in markup
    root = parse(markup)
    assert root.find(f"{SVG}title").text == 'PCL-5 <b>"&'
    assert circles(root)[1].find(f"{SVG}title").text == "Inf <1> & co: 10"
    assert "Inf <1> & co" in [text.text for text in root.iter(f"{SVG}text")]


def test_control_characters_in_a_label_do_not_break_the_markup():
    parse(phq9([ChartPoint("Inf\x00 1\x1b", 3, "series")]))


def test_no_inline_style_or_script_for_the_content_security_policy():
    markup = phq9()
    assert "style=" not in markup
    assert "<style" not in markup
    assert "<script" not in markup.lower()
    assert "http" not in markup.replace("http://www.w3.org/2000/svg", "")


def test_the_result_is_safe_for_a_template():
    assert hasattr(phq9(), "__html__")


def test_the_ids_come_from_the_title_or_the_caller():
    assert parse(phq9()).get("aria-labelledby") == "chart-phq-9-title"
    assert parse(phq9(chart_id="gad7-course")).get("aria-labelledby") == "gad7-course-title"
    with pytest.raises(ValueError, match="chart_id"):
        phq9(chart_id='x" onload="alert(1)')


def test_scores_off_the_scale_and_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="outside"):
        phq9([ChartPoint("Inf 1", 28, "series")])
    with pytest.raises(ValueError, match="outside"):
        phq9(remission_line=30)
    with pytest.raises(ValueError, match="kind"):
        ChartPoint("Inf 1", 3, "booster")


def test_no_points_still_gives_axes_and_says_so():
    root = parse(phq9([]))
    assert circles(root) == []
    assert root.find(f"{SVG}desc").text.startswith("PHQ-9: no scores recorded.")


def test_long_and_many_labels_are_turned_and_the_drawing_grows_to_hold_them():
    points = [ChartPoint("Baseline", 20, "baseline")] + [
        ChartPoint(f"Booster 2026-{m:02}-01", 8, "maintenance") for m in range(1, 13)
    ]
    root = parse(phq9(points))
    assert root.find(f"{SVG}g[@class='chart-labels-x chart-labels-x-rotated']") is not None
    short = parse(phq9([ChartPoint("Baseline", 20, "baseline"), ChartPoint("Eval", 5, "evaluation")]))
    assert short.find(f"{SVG}g[@class='chart-labels-x']") is not None
    assert float(root.get("viewBox").split()[3]) > float(short.get("viewBox").split()[3])


def test_the_summary_speaks_the_evaluation_and_boosters_in_words():
    points = [
        ChartPoint("Baseline", 18, "baseline"),
        ChartPoint("Eval", 6, "evaluation"),
        ChartPoint("Booster 2026-12-30", 7, "maintenance", spoken="the booster of 30 December"),
    ]
    desc = parse(phq9(points)).find(f"{SVG}desc").text
    assert desc.startswith("PHQ-9 from 18 at baseline to 7 at the booster of 30 December.")


def test_rows_give_the_change_from_the_baseline():
    rows = chart_rows(COURSE[:4] + [ChartPoint("Eval", 25, "evaluation")])
    assert [(row.label, row.total, row.change_pct) for row in rows] == [
        ("Baseline", 21, None),
        ("Inf 1", 18, -14),
        ("Inf 2", None, None),
        ("Inf 3", 12, -43),
        ("Eval", 25, 19),
    ]
    assert [row.change_text for row in rows] == ["", "\N{MINUS SIGN}14%", "", "\N{MINUS SIGN}43%", "+19%"]
    assert all(row.change_pct is None for row in chart_rows([ChartPoint("Inf 1", 3, "series")]))


def test_the_template_puts_the_chart_and_its_table_in_a_figure():
    html = render_to_string(
        "infusions/outcomes/_course_chart.html",
        {"chart": phq9(), "rows": chart_rows(COURSE), "caption": "PHQ-9 <across> the course"},
    )
    assert html.count("<figure") == 1
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="course-chart"' in html, "the SVG is not escaped"
    assert '<table class="table table-sm' in html
    assert "<caption>PHQ-9 &lt;across&gt; the course, by visit</caption>" in html
    assert "\N{MINUS SIGN}43%" in html
    assert "not recorded" in html
    assert "style=" not in html
