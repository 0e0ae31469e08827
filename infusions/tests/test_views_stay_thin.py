"""The pages parse, call one service or selector and render: no page plans, doses or decides eligibility."""

import ast
from pathlib import Path

import pytest

import infusions.views

VIEWS = sorted(Path(infusions.views.__file__).parent.glob("*.py"))
FORBIDDEN_MODULES = ("infusions.planner", "infusions.dosing", "intake.eligibility")
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
    assert {path.stem for path in VIEWS} >= {"booking", "schedule", "visits", "clinician"}


@pytest.mark.parametrize("path", VIEWS, ids=lambda path: path.stem)
def test_no_view_imports_the_planner_dosing_or_eligibility(path):
    tree = ast.parse(path.read_text())
    modules = set(imported_modules(tree))
    assert not {m for m in modules if m.startswith(FORBIDDEN_MODULES)}


@pytest.mark.parametrize("path", VIEWS, ids=lambda path: path.stem)
def test_no_view_computes_a_dose_or_decides_eligibility(path):
    tree = ast.parse(path.read_text())
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert not names & FORBIDDEN_NAMES
