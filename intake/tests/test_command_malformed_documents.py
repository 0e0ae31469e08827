"""screen_intake exits 2 on malformed documents, naming the field and never echoing the value."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from intake.management.commands.screen_intake import Command
from intake.models import Intake, Patient, Screening
from intake.tests.helpers import answers
from intake.tests.postgres import ON_POSTGRES

pytestmark = pytest.mark.django_db


def exit_code_and_stderr(tmp_path, capsys, text: str, *args) -> tuple[int, str]:
    """Run the command; a CommandError is what run_from_argv prints as one line and exits with."""
    path = tmp_path / "intake.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("screen_intake", str(path), *args, stdout=out, stderr=err)
    assert out.getvalue() == ""
    return raised.value.returncode, str(raised.value) + err.getvalue()


def with_number(key_path: str, literal: str) -> str:
    """The answers document as JSON with `literal` (a raw JSON number) at key_path."""
    doc = answers()
    head, _, tail = key_path.partition(".")
    marker = "__NUMBER__"
    if tail:
        doc[head][tail] = marker
    else:
        doc[head] = marker
    return json.dumps(doc).replace(f'"{marker}"', literal)


def test_deep_nesting_exits_2(tmp_path, capsys):
    code, err = exit_code_and_stderr(tmp_path, capsys, "[" * 100_000 + "]" * 100_000)
    assert code == 2 and "nested more than" in err


def test_deep_nesting_inside_an_answer_exits_2(tmp_path, capsys):
    text = with_number("indication", "[" * 50_000 + "]" * 50_000)
    code, err = exit_code_and_stderr(tmp_path, capsys, text)
    assert code == 2 and "nested more than" in err


@pytest.mark.parametrize(
    "key_path", ["patient.weight_kg", "failed_antidepressant_trials", "blood_pressure", "patient.first_name"]
)
def test_an_integer_of_thousands_of_digits_exits_2_naming_the_field(tmp_path, capsys, key_path):
    digits = "7" * 5000
    code, err = exit_code_and_stderr(tmp_path, capsys, with_number(key_path, digits))
    assert code == 2
    assert key_path in err
    assert "7777" not in err


def test_a_huge_integer_weight_exits_2(tmp_path, capsys):
    code, err = exit_code_and_stderr(tmp_path, capsys, with_number("patient.weight_kg", "1" + "0" * 400))
    assert code == 2 and "patient.weight_kg: The weight must be between" in err


def test_a_huge_exponent_weight_exits_2(tmp_path, capsys):
    code, err = exit_code_and_stderr(tmp_path, capsys, with_number("patient.weight_kg", "1e999"))
    assert code == 2 and "patient.weight_kg" in err


def test_not_utf8_exits_2(tmp_path, capsys):
    path = tmp_path / "intake.json"
    path.write_bytes(b'{"patient": "\xff"}')
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "screen_intake", str(path)])
    assert exited.value.code == 2 and "not UTF-8" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["\\u0000", "\\ud800", "\\udfff"])
@pytest.mark.parametrize("key", ["first_name", "phone"])
def test_nul_or_a_lone_surrogate_exits_2_naming_the_field(tmp_path, capsys, bad, key):
    doc = answers()
    doc["patient"][key] = doc["patient"][key][:3] + "@@" + doc["patient"][key][3:]
    text = json.dumps(doc).replace("@@", bad)
    code, err = exit_code_and_stderr(tmp_path, capsys, text)
    assert code == 2 and f"patient.{key}: This contains characters that cannot be stored" in err


@pytest.mark.parametrize("bad", ["\\u0000", "\\ud800"])
def test_save_with_nul_or_a_lone_surrogate_stores_nothing(tmp_path, capsys, coordinator, bad):
    # On PostgreSQL the database used to refuse these with the value in its message (exit 1).
    doc = answers(medications=["Zoloft @@50 mg"])
    doc["patient"]["last_name"] = "Oka@@for"
    text = json.dumps(doc).replace("@@", bad)
    code, err = exit_code_and_stderr(tmp_path, capsys, text, "--save", "--user", coordinator.username)
    assert code == 2
    assert "patient.last_name" in err and "medications.1" in err
    assert "Oka" not in err and "Zoloft" not in err
    assert not Patient.objects.exists() and not Intake.objects.exists() and not Screening.objects.exists()


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (it refuses NUL in text)")
def test_on_postgres_save_with_nul_exits_2_and_stores_nothing(tmp_path, capsys, coordinator):
    text = json.dumps(answers(patient={"first_name": "Ro@@bin"})).replace("@@", "\\u0000")
    code, err = exit_code_and_stderr(tmp_path, capsys, text, "--save", "--user", coordinator.username)
    assert code == 2 and "patient.first_name" in err and "Ro" not in err.replace("Robin", "")
    assert Patient.objects.count() == 0
