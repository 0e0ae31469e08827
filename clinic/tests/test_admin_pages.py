import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from clinic.tests.factories import ScreeningFactory

pytestmark = pytest.mark.django_db


def test_every_admin_list_opens_for_a_staff_admin(client):
    ScreeningFactory()
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "x-long-password-1"))
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_bookings_cannot_be_changed_around_the_services_in_admin(client):
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "x-long-password-1"))
    assert client.get(reverse("admin:infusions_appointment_add")).status_code == 403
    assert client.get(reverse("admin:infusions_reminder_add")).status_code == 403
