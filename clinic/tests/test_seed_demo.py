import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from clinic.models import Clinic
from infusions.models import Chair, OpeningHours
from intake.models import Screening

pytestmark = pytest.mark.django_db


def test_it_refuses_to_seed_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.filter(username="frontdesk").exists()


def test_it_seeds_a_demo_clinic_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert Chair.objects.count() == 4
    assert OpeningHours.objects.count() == 7
    assert all(h.opens.hour == 8 and h.closes.strftime("%H:%M") == "17:30" for h in OpeningHours.objects.all())
    for username, role in (
        ("coordinator", "Intake coordinator"),
        ("clinician", "Clinician"),
        ("frontdesk", "Front desk"),
    ):
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.check_password("infusion-demo-2026")
    admin = User.objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser
    assert list(admin.groups.values_list("name", flat=True)) == ["Staff admin"]
    assert Clinic.objects.get().address
    outcomes = sorted(s.outcome for s in Screening.objects.all())
    assert outcomes == ["clear", "exclude", "review"]
    # The demo names say nothing of the screening (front desk sees them).
    names = " ".join(Screening.objects.values_list("patient__last_name", flat=True)).lower()
    assert not any(word in names for word in ("clear", "review", "exclude", "demo"))
