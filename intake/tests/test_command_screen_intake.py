import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clinic.models import Clinic
from clinic.tests.factories import clinic_settings
from intake.management.commands.screen_intake import Command
from intake.models import Intake, Patient, Screening
from intake.tests.helpers import answers

pytestmark = pytest.mark.django_db


def write(tmp_path, doc) -> str:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(doc))
    return str(path)


def run(*args, stdin=None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("screen_intake", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_the_screening_json_and_stores_nothing(tmp_path):
    clinic_before = list(Clinic.objects.values())
    doc = answers(seizure_history="disorder", phq9=[0] * 8 + [1], gad7=None, medications=["Zoloft 50 mg"])
    out, _ = run(write(tmp_path, doc))
    result = json.loads(out)
    assert set(result) == {"outcome", "urgent", "flags", "scores", "ruleset"}
    assert result["outcome"] == "exclude" and result["urgent"] is True
    assert [f["code"] for f in result["flags"]] == ["SUICIDE_RISK", "SEIZURE_DISORDER", "INTERACTION_ANTIDEPRESSANT"]
    assert all(set(f) == {"code", "severity", "reason"} for f in result["flags"])
    assert result["scores"] == {"phq9": {"total": 1, "band": "minimal"}, "gad7": None}
    assert isinstance(result["ruleset"], str) and result["ruleset"]
    assert not Patient.objects.exists() and list(Clinic.objects.values()) == clinic_before


def test_it_reads_standard_input(monkeypatch):
    out, _ = run("-", stdin=json.dumps(answers()), monkeypatch=monkeypatch)
    assert json.loads(out)["outcome"] == "clear"


def test_it_uses_the_clinics_breastfeeding_setting(tmp_path):
    clinic_settings(breastfeeding_severity="review")
    out, _ = run(write(tmp_path, answers(breastfeeding=True)))
    assert json.loads(out)["outcome"] == "review"


def test_invalid_input_exits_2_naming_the_field(tmp_path, capsys):
    doc = answers(hypertension="sometimes")
    del doc["kidney"]
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "screen_intake", write(tmp_path, doc)])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "hypertension: Choose one of" in captured.err and "kidney: This field is required" in captured.err
    assert "sometimes" not in captured.err


def test_broken_json_exits_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{nope")
    with pytest.raises(CommandError, match="not valid JSON") as raised:
        run(str(path))
    assert raised.value.returncode == 2


def test_save_imports_as_a_coordinator_would(tmp_path, coordinator):
    out, err = run(write(tmp_path, answers(cardiac="severe")), "--save", "--user", "coord", "--consent-sms")
    screening = Screening.objects.get()
    assert json.loads(out) == screening.as_dict() and screening.outcome == "exclude"
    patient = Patient.objects.get()
    assert patient.created_by == coordinator and patient.consent_sms and not patient.consent_email
    assert Intake.objects.get().taken_by == coordinator
    assert f"screening {screening.pk}" in err and "Okafor" not in err


@pytest.mark.parametrize("user", [None, "nobody", "desk", "root"])
def test_save_needs_a_coordinator(tmp_path, front_desk, user):
    from django.contrib.auth.models import User

    User.objects.create_superuser("root", "root@example.org", "x-long-password-1")  # the flag is no role
    args = [write(tmp_path, answers()), "--save"] + (["--user", user] if user else [])
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert raised.value.returncode == 2
    assert not Patient.objects.exists()


def test_save_with_invalid_input_stores_nothing(tmp_path, coordinator):
    with pytest.raises(CommandError, match="patient.weight_kg"):
        run(write(tmp_path, answers(patient={"weight_kg": 5})), "--save", "--user", "coord")
    assert not Patient.objects.exists()
