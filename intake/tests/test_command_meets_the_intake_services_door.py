"""`screen_intake --save` acts through `intake_create` with a real user, and meets the service's own refusal: the
command asks the service's permissions (`intake_create.required_permissions`), and were it not to, the service
refuses anyway (exit 2, nothing stored)."""

import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError

from clinic.tests.factories import UserFactory
from intake import services
from intake.models import Intake, Patient
from intake.tests.helpers import answers

pytestmark = pytest.mark.django_db


def save_as(tmp_path, username):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(answers()))
    call_command("screen_intake", str(path), "--save", "--user", username, stdout=io.StringIO(), stderr=io.StringIO())


def user_with(perms):
    """A user with no role, granted exactly these permissions."""
    user = UserFactory()
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


def test_the_services_permissions_are_what_the_command_asks(tmp_path):
    user = user_with(services.intake_create.required_permissions)
    save_as(tmp_path, user.username)
    assert Intake.objects.get().taken_by == user


@pytest.mark.parametrize("missing", services.intake_create.required_permissions)
def test_one_permission_short_is_refused_and_nothing_is_stored(tmp_path, missing):
    user = user_with(set(services.intake_create.required_permissions) - {missing})
    with pytest.raises(CommandError, match="may not add intakes") as raised:
        save_as(tmp_path, user.username)
    assert raised.value.returncode == 2
    assert not Patient.objects.exists()


def test_the_service_refuses_even_when_the_commands_own_check_is_skipped(tmp_path, monkeypatch, front_desk):
    monkeypatch.setattr("intake.management.commands.screen_intake.may", lambda user, *perms: True)
    with pytest.raises(CommandError, match="may not add intakes") as raised:
        save_as(tmp_path, front_desk.username)
    assert raised.value.returncode == 2
    assert not Patient.objects.exists()
