"""One refusal type: every exception class the application defines (clinic/, infusions/, intake/, tests and
migrations aside) is `clinic.refusals.Refused` or a subclass of it, or one of the few exceptions that are not
a refusal at all (listed below with why). A new `...Refused`, `...Error` or `Refusal` class beside it fails."""

import ast
import builtins
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGES = ("clinic", "infusions", "intake")

# Exceptions that are not a service refusing a change, with why; anything else must derive from Refused.
NOT_REFUSALS = {
    ("clinic/env.py", "ConfigError"): "a setting that cannot be read, at start-up",
    ("infusions/reminders/sms.py", "SmsError"): "the SMS provider failed to send",
    ("infusions/infusion_day/dosing.py", "DoseAboveCeiling"): "the pure dose rule; the service refuses with it",
    ("intake/phones.py", "PhoneInvalid"): "the pure phone parser; forms and services refuse with its words",
    ("intake/screening.py", "AnswersInvalid"): "the pure screening rules' check of an answers document",
    ("intake/services.py", "ImplausibleValues"): "an AnswersInvalid: the answers document's own errors",
}
BUILTIN_EXCEPTIONS = {
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
}
REFUSAL_NAME = re.compile(r"(Refused|Error|Refusal)$")


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def classes(sources: dict[str, str]) -> list[tuple[str, str, list[str]]]:
    """(file, class name, base names) of every class in `sources` {file: text}."""
    found = []
    for path, text in sources.items():
        for node in ast.walk(ast.parse(text, filename=path)):
            if isinstance(node, ast.ClassDef):
                found.append((path, node.name, [_base_name(base) for base in node.bases]))
    return found


def offending(sources: dict[str, str]) -> list[str]:
    """Exception classes that neither derive from Refused nor are a listed non-refusal, and classes named like a
    refusal (…Refused, …Error, …Refusal) that do not derive from Refused."""
    found = classes(sources)
    refusals, exceptions = {"Refused"}, set(BUILTIN_EXCEPTIONS)
    changed = True
    while changed:  # by name, across every module: a subclass of a subclass counts
        changed = False
        for _, name, bases in found:
            if name not in refusals and refusals.intersection(bases):
                refusals.add(name)
                changed = True
            if name not in exceptions and exceptions.intersection(bases):
                exceptions.add(name)
                changed = True
    bad = []
    for path, name, _ in found:
        if name in refusals or (path, name) in NOT_REFUSALS:
            continue
        if name in exceptions or REFUSAL_NAME.search(name):
            bad.append(f"{path}: {name}")
    return bad


def application_sources() -> dict[str, str]:
    sources = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/tests/" in relative or "/migrations/" in relative:
                continue
            sources[relative] = path.read_text()
    return sources


def test_every_exception_the_application_defines_is_refused_or_listed_as_no_refusal():
    sources = application_sources()
    assert "clinic/refusals.py" in sources and "infusions/booking/services.py" in sources
    assert offending(sources) == []


def test_the_listed_non_refusals_still_exist_so_the_list_does_not_hide_a_new_one():
    defined = {(path, name) for path, name, _ in classes(application_sources())}
    assert set(NOT_REFUSALS) <= defined


def test_the_scan_finds_a_new_refusal_class_beside_refused():
    sources = {
        "infusions/new/services.py": (
            "from clinic.refusals import Refused\n"
            "class SlotGone(Refused): pass\n"  # a subclass: fine
            "class Later(SlotGone): pass\n"  # a subclass of a subclass: fine
            "class ChairRefused(Exception): pass\n"
            "class PlanError(ValueError): pass\n"
            "class Refusal(Exception): pass\n"
            "class Oops(ChairRefused): pass\n"
            "class NotAnException: pass\n"
        )
    }
    assert offending(sources) == [
        "infusions/new/services.py: ChairRefused",
        "infusions/new/services.py: PlanError",
        "infusions/new/services.py: Refusal",
        "infusions/new/services.py: Oops",
    ]
