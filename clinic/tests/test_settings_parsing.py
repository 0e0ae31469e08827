import os
import subprocess
import sys
from pathlib import Path

import pytest

from clinic.env import ConfigError, env_bool, env_choice, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"), [("True", True), ("true", True), ("1", True), ("False", False), ("0", False)]
)
def test_it_reads_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", not expected) is expected


@pytest.mark.parametrize("raw", ["yes", "on", "ture", "TRUE ", "2"])
def test_it_refuses_anything_else_as_a_boolean_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ConfigError, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)


def test_it_uses_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("SOME_NUMBER", raising=False)
    assert env_int("SOME_NUMBER", 15) == 15
    monkeypatch.setenv("SOME_NUMBER", "")
    assert env_int("SOME_NUMBER", 15) == 15


@pytest.mark.parametrize("raw", ["fifteen", "1.5", "15m"])
def test_it_refuses_a_number_that_is_not_whole(monkeypatch, raw):
    monkeypatch.setenv("SOME_NUMBER", raw)
    with pytest.raises(ConfigError, match="SOME_NUMBER must be a whole number"):
        env_int("SOME_NUMBER", 15)


def test_it_refuses_a_number_out_of_range(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "0")
    with pytest.raises(ConfigError, match="SOME_NUMBER must be at least 1"):
        env_int("SOME_NUMBER", 15, minimum=1)
    monkeypatch.setenv("SOME_NUMBER", "99")
    with pytest.raises(ConfigError, match="SOME_NUMBER must be at most 60"):
        env_int("SOME_NUMBER", 15, maximum=60)


def test_it_splits_lists_and_checks_choices(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("LEVEL", "LOUD")
    with pytest.raises(ConfigError, match="LEVEL must be one of"):
        env_choice("LEVEL", "INFO", ("INFO", "DEBUG"))


def _start_settings(**env):
    """Load the real settings module in a fresh interpreter with the given environment."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "SESSION_IDLE_MINUTES")}
    clean.update(env, DJANGO_SETTINGS_MODULE="clinic.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_start_up_stops_on_a_bad_boolean_naming_the_variable():
    result = _start_settings(DEBUG="yes", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG must be True or False, not 'yes'" in result.stderr


def test_start_up_stops_without_a_secret_key_when_debug_is_off():
    result = _start_settings(DEBUG="False")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_start_up_stops_on_a_bad_idle_timeout():
    result = _start_settings(DEBUG="True", SESSION_IDLE_MINUTES="soon")
    assert result.returncode != 0
    assert "SESSION_IDLE_MINUTES must be a whole number" in result.stderr


def test_start_up_succeeds_with_good_values():
    result = _start_settings(DEBUG="False", SECRET_KEY="x" * 50, SESSION_IDLE_MINUTES="20")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
