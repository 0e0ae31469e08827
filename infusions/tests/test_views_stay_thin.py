"""The pages parse, call one service or selector and render: no page plans, doses or decides eligibility."""

import ast
from pathlib import Path

import pytest

import infusions

ROOMS = Path(infusions.__file__).parent
VIEWS = sorted([*ROOMS.glob("*/views.py"), *ROOMS.glob("*/views/*.py")])
FORBIDDEN_MODULES = ("infusions.booking.planner", "infusions.infusion_day.dosing", "intake.eligibility")
# Names that would mean a view computes a dose or rounds one itself.
FORBIDDEN_NAMES = {"Decimal", "quantize", "ROUND_HALF_UP", "booking_eligibility", "booking_eligibility_for"}


def imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module or ""
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_there_are_view_modules_to_check():
    assert {f"{path.parent.name}/{path.stem}" for path in VIEWS} >= {
        "views/plan",
        "views/schedule",
        "views/visits",
        "views/orders",
        "floor/views",
        "infusion_day/views",
    }


@pytest.mark.parametrize("path", VIEWS, ids=lambda path: str(path.relative_to(ROOMS)))
def test_no_view_imports_the_planner_dosing_or_eligibility(path):
    tree = ast.parse(path.read_text())
    modules = set(imported_modules(tree))
    assert not {m for m in modules if m.startswith(FORBIDDEN_MODULES)}


@pytest.mark.parametrize("path", VIEWS, ids=lambda path: str(path.relative_to(ROOMS)))
def test_no_view_computes_a_dose_or_decides_eligibility(path):
    tree = ast.parse(path.read_text())
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert not names & FORBIDDEN_NAMES
