"""A user who has acted is deactivated, never deleted: the audit trail keeps who."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse

from clinic.tests.factories import ScreeningFactory, UserFactory, coordinator
from clinic.users import UserHasActed
from intake.models import Screening

pytestmark = pytest.mark.django_db


def test_a_user_in_the_change_history_cannot_be_deleted_from_the_shell():
    user = coordinator()
    screening = ScreeningFactory()
    screening.history.update(history_user=user)
    with pytest.raises(UserHasActed), transaction.atomic():
        user.delete()
    with pytest.raises(UserHasActed), transaction.atomic():
        User.objects.filter(pk=user.pk).delete()
    assert User.objects.filter(pk=user.pk).exists()
    assert Screening.history.filter(history_user=user).exists()


def test_a_user_who_signed_in_or_left_an_admin_log_cannot_be_deleted():
    signed_in = UserFactory()
    User.objects.filter(pk=signed_in.pk).update(last_login="2026-11-20T09:00Z")
    signed_in.refresh_from_db()
    logged = UserFactory()
    LogEntry.objects.log_actions(
        user_id=logged.pk, queryset=[ScreeningFactory()], action_flag=CHANGE, change_message="x", single_object=True
    )
    for user in (signed_in, logged):
        with pytest.raises(UserHasActed), transaction.atomic():
            user.delete()
    assert LogEntry.objects.filter(user=logged).count() == 1


def test_a_user_who_never_acted_can_be_deleted():
    user = UserFactory()
    user.delete()
    assert not User.objects.filter(pk=user.pk).exists()


def test_admin_offers_deactivate_not_delete(client):
    boss = User.objects.create_superuser("boss", "boss@example.org", "x-long-password-1")
    worker = coordinator()
    User.objects.filter(pk=worker.pk).update(last_login="2026-11-20T09:00Z")
    client.force_login(boss)
    assert client.get(reverse("admin:auth_user_delete", args=[worker.pk])).status_code == 403
    changelist = reverse("admin:auth_user_changelist")
    assert b"delete_selected" not in client.get(changelist).content
    response = client.post(changelist, {"action": "deactivate", "_selected_action": [worker.pk]})
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.is_active is False
    assert ContentType.objects.get_for_model(User)  # the user row is still there to point at
