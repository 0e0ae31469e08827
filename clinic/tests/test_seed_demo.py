from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from clinic.models import Clinic, Location
from infusions.models import Chair, OpeningHours
from intake.models import Patient, Screening

pytestmark = pytest.mark.django_db


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot():
    """Everything the seed writes, as comparable values."""
    return {
        "clinic": list(Clinic.objects.values()),
        "locations": list(Location.objects.order_by("pk").values()),
        "chairs": list(Chair.objects.order_by("pk").values()),
        "hours": list(OpeningHours.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values("pk", "username", "password", "is_staff", "is_superuser")),
        "groups": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        "staff": sorted(Location.staff.through.objects.values_list("location_id", "user_id")),
        "patients": list(Patient.objects.order_by("pk").values_list("pk", flat=True)),
        "screenings": list(Screening.objects.order_by("pk").values_list("pk", flat=True)),
    }


def test_it_refuses_to_seed_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.filter(username="frontdesk").exists()


def test_it_seeds_a_demo_clinic_once(settings):
    settings.DEBUG = True
    assert "Demo clinic ready." in seed()
    first = snapshot()
    assert "Demo clinic already seeded." in seed()
    assert snapshot() == first  # the second run changes nothing and duplicates nothing

    for username, role in (
        ("coordinator", "Intake coordinator"),
        ("clinician", "Clinician"),
        ("frontdesk", "Front desk"),
        ("frontdesk2", "Front desk"),
        ("nurse", "Infusion nurse"),
    ):
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.check_password("infusion-demo-2026")
    admin = User.objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser
    assert list(admin.groups.values_list("name", flat=True)) == ["Staff admin"]
    assert Clinic.objects.get().name == "Demo Wellness Clinic"
    outcomes = sorted(s.outcome for s in Screening.objects.all())
    assert outcomes == ["clear", "exclude", "review"]
    # The demo names say nothing of the screening (front desk sees them).
    names = " ".join(Screening.objects.values_list("patient__last_name", flat=True)).lower()
    assert not any(word in names for word in ("clear", "review", "exclude", "demo"))


def test_it_seeds_two_locations_in_different_time_zones(settings):
    settings.DEBUG = True
    main = Location.objects.get(name="Main location")  # made by migration clinic 0007
    seed()
    seed()
    assert list(Location.objects.values_list("name", "time_zone")) == [
        ("Seattle", "America/Los_Angeles"),
        ("Denver", "America/Denver"),
    ]
    seattle, denver = Location.objects.get(name="Seattle"), Location.objects.get(name="Denver")
    assert seattle.pk == main.pk  # the migration's location was renamed, not left beside a new one
    assert seattle.active and denver.active
    assert "Seattle, WA" in seattle.address and "Denver, CO" in denver.address
    assert seattle.phone and denver.phone

    assert list(seattle.chairs.values_list("name", flat=True)) == ["Chair 1", "Chair 2", "Chair 3", "Chair 4"]
    assert list(denver.chairs.values_list("name", flat=True)) == ["Chair 1", "Chair 2", "Chair 3"]
    assert Chair.objects.count() == 7

    def hours(location):
        return [(h.weekday, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}") for h in location.opening_hours.all()]

    assert hours(seattle) == [(day, "08:00", "17:30") for day in range(7)]
    assert hours(denver) == [(day, "08:00", "18:00") for day in range(6)]  # closed on Sunday
    assert OpeningHours.objects.count() == 13

    def works_at(username):
        return sorted(User.objects.get(username=username).locations.values_list("name", flat=True))

    assert works_at("frontdesk") == ["Seattle"]
    assert works_at("frontdesk2") == ["Denver"]
    assert works_at("clinician") == ["Denver", "Seattle"]
    assert works_at("coordinator") == ["Seattle"]
    assert works_at("nurse") == ["Seattle"]
    assert works_at("admin") == ["Denver", "Seattle"]


def test_it_keeps_what_the_staff_admin_has_set_up(settings):
    settings.DEBUG = True
    seed()
    denver = Location.objects.get(name="Denver")
    denver.opening_hours.filter(weekday=5).delete()  # Denver closes on Saturdays now
    denver.chairs.filter(name="Chair 3").update(name="Window")
    Location.objects.filter(name="Seattle").update(phone="(555) 010-9999")
    assert "Demo clinic already seeded." in seed()
    assert denver.opening_hours.count() == 5
    assert sorted(denver.chairs.values_list("name", flat=True)) == ["Chair 1", "Chair 2", "Window"]
    assert Location.objects.get(name="Seattle").phone == "(555) 010-9999"
