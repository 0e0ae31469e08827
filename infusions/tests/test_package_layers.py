"""The packages of infusions import downwards only, so there is no import circle among them: floor, infusion_day,
outcomes, booking, reminders, then the models; the Celery tasks sit on top and nothing in infusions imports them
(a task is queued by its name). Every import counts, a function's own included. Read from the source (ast), so
the test fails on the import itself, whether or not it would run.

The pure rule modules (no Django, no database) sit below everything, the models included, wherever their package
is: any module may import them, and they import nothing from infusions."""

import ast
from pathlib import Path

import infusions

ROOT = Path(infusions.__file__).parent
# Top to bottom: a package may import the ones below it, never one above.
LAYERS = ["tasks", "floor", "infusion_day", "outcomes", "booking", "reminders", "models"]
PURE = {"infusions.infusion_day.chairside", "infusions.infusion_day.dosing", "infusions.booking.planner"}


def _package(module: str) -> str | None:
    """The layer of a dotted module name inside infusions, or None (another app, or a module off the layers)."""
    parts = module.split(".")
    if parts[0] != "infusions" or len(parts) < 2 or module in PURE:
        return None
    return parts[1] if parts[1] in LAYERS else None


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                # `from infusions.reminders import sending`: the module; `from infusions.models import Reminder`:
                # the package, whose __init__ defines or imports the name.
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if _is_module(submodule) else node.module)
    return found


def _is_module(name: str) -> bool:
    parts = name.split(".")
    if parts[0] != "infusions":
        return False
    path = ROOT.joinpath(*parts[1:])
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def edges() -> set[tuple[str, str, str]]:
    """(importing package, imported package, file) for every import across two layers, tests left out."""
    found = set()
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        source = _package(".".join(("infusions", *relative.with_suffix("").parts)))
        if source is None:
            continue
        for module in _imports(path):
            target = _package(module)
            if target is not None and target != source:
                found.add((source, target, str(relative)))
    return found


def test_each_package_imports_only_the_packages_below_it():
    upwards = sorted(
        f"{file}: {source} imports {target}"
        for source, target, file in edges()
        if LAYERS.index(target) < LAYERS.index(source)
    )
    assert upwards == []


def test_the_pure_rule_modules_and_their_packages_import_nothing_from_infusions():
    for module in PURE:
        package = ROOT.joinpath(*module.split(".")[1:-1])
        for path in (package / "__init__.py", package / f"{module.rsplit('.', 1)[1]}.py"):
            assert not {name for name in _imports(path) if name.split(".")[0] == "infusions"}, path


def test_the_check_sees_function_level_imports_and_the_tasks():
    # The circle this test guards against was closed by an import inside a function.
    source = "def queue():\n    from infusions.tasks import send_patient_notices\n"
    path = ROOT / "reminders" / "__sample_for_test__.py"
    path.write_text(source)
    try:
        assert ("reminders", "tasks", "reminders/__sample_for_test__.py") in edges()
    finally:
        path.unlink()
