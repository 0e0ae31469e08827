"""Every data table sits in Bootstrap's `.table-responsive` box: on a 390 px phone a wide table scrolls inside
its box, not the whole page (a date and time column made the review queue 408 px wide)."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PRINTED = ("record_print.html",)  # paper, not a screen


def _unwrapped(text: str) -> list[int]:
    lines = []
    for match in re.finditer(r"<table\b", text):
        before = text[max(0, match.start() - 200) : match.start()]
        opened = before.rfind("<div")
        boxed = opened != -1 and "table-responsive" in before[opened:] and "</div>" not in before[opened:]
        if not boxed:
            lines.append(text.count("\n", 0, match.start()) + 1)
    return lines


def test_every_table_of_a_page_is_in_a_scrolling_box():
    found = {
        str(path.relative_to(TEMPLATES)): lines
        for path in sorted(TEMPLATES.rglob("*.html"))
        if path.name not in PRINTED and "email" not in path.parts
        if (lines := _unwrapped(path.read_text()))
    }
    assert found == {}, f"tables outside a .table-responsive box (template: lines): {found}"


def test_the_check_finds_a_bare_table():
    assert _unwrapped("<h2>x</h2>\n<table class='table'></table>") == [2]
    assert _unwrapped('<div class="table-responsive"><table class="table"></table></div>') == []
