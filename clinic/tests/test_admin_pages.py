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


def _inline_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_the_staff_admin_sets_up_a_location_with_its_chairs_hours_and_staff(client):
    from clinic.models import Location
    from clinic.tests.factories import front_desk, staff_admin

    boss = staff_admin()
    desk = front_desk(locations=[])
    client.force_login(boss)
    form = client.get(reverse("admin:clinic_location_add"))
    assert form.status_code == 200
    assert b'<option value="America/Denver">America/Denver</option>' in form.content  # a select of IANA zones
    data = {
        "name": "Denver",
        "active": "on",
        "position": "2",
        "address": "300 Sample St, Denver, CO 80202",
        "phone": "(555) 010-4000",
        "sender_name": "",
        "time_zone": "America/Denver",
        "sms_quiet_start": "",
        "sms_quiet_end": "",
        "starts_per_quarter_hour": "1",
        "staff": [str(desk.pk)],
        **_inline_management("chairs", total=1),
        "chairs-0-name": "Chair 1",
        "chairs-0-active": "on",
        "chairs-0-position": "1",
        **_inline_management("opening_hours", total=1),
        "opening_hours-0-weekday": "0",
        "opening_hours-0-opens": "08:00",
        "opening_hours-0-closes": "18:00",
        **_inline_management("closures"),
    }
    response = client.post(reverse("admin:clinic_location_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    denver = Location.objects.get(name="Denver")
    assert denver.time_zone == "America/Denver"
    assert list(denver.staff.all()) == [desk]
    assert list(denver.chairs.values_list("name", flat=True)) == ["Chair 1"]
    assert denver.opening_hours.get().closes.hour == 18

    # An unknown zone is refused; a location is deactivated, never deleted.
    refused = client.post(reverse("admin:clinic_location_add"), {**data, "name": "Mars", "time_zone": "Mars/Olympus"})
    assert refused.status_code == 200 and not Location.objects.filter(name="Mars").exists()
    assert client.get(reverse("admin:clinic_location_change", args=[denver.pk])).status_code == 200
    assert client.get(reverse("admin:clinic_location_delete", args=[denver.pk])).status_code == 403


def test_set_up_lists_show_and_filter_by_location(client):
    from datetime import date

    from clinic.tests.factories import ChairFactory, LocationFactory, main_location, open_every_day, staff_admin
    from infusions.models import Closure

    denver = LocationFactory(name="Denver")
    ChairFactory(name="Seattle chair")
    ChairFactory(name="Denver chair", location=denver)
    open_every_day()
    open_every_day(location=denver)
    Closure.objects.create(location=denver, date=date(2030, 7, 5), reason="Denver only")
    Closure.objects.create(date=date(2030, 12, 25), reason="Holiday")
    client.force_login(staff_admin())

    def listed(name, **query):
        response = client.get(reverse(f"admin:infusions_{name}_changelist"), query)
        assert response.status_code == 200
        return list(response.context["cl"].result_list)

    assert [chair.name for chair in listed("chair", location__id__exact=denver.pk)] == ["Denver chair"]
    for location in (main_location(), denver):
        hours = listed("openinghours", location__id__exact=location.pk)
        assert len(hours) == 7 and {row.location for row in hours} == {location}
    assert [c.reason for c in listed("closure", location__isnull="True")] == ["Holiday"]
    assert b"Every location" in client.get(reverse("admin:infusions_closure_changelist")).content


def test_the_organisation_settings_page_still_saves(client):
    from clinic.models import Clinic
    from clinic.tests.factories import clinic_settings, staff_admin

    clinic = clinic_settings()
    client.force_login(staff_admin())
    url = reverse("admin:clinic_clinic_change", args=[clinic.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'name="address"' not in page.content
    response = client.post(
        url,
        {
            "name": "Northwest Wellness",
            "preparation_text": clinic.preparation_text,
            "reminder_offsets_hours": "48,24",
            "sms_quiet_start": "21:00",
            "sms_quiet_end": "08:00",
            "breastfeeding_severity": clinic.breastfeeding_severity,
            "screening_valid_days": "183",
            "maintenance_interval_weeks": "4",
            "maintenance_checkin_days": "14",
            "late_cancel_hours": "24",
            **{
                name: str(getattr(clinic, name))
                for name in (
                    "bp_no_start_systolic",
                    "bp_no_start_diastolic",
                    "bp_decision_systolic",
                    "bp_decision_diastolic",
                    "alert_systolic",
                    "alert_diastolic",
                    "alert_heart_rate",
                    "alert_spo2",
                    "reading_interval_minutes",
                    "observation_interval_minutes",
                    "observation_minutes",
                )
            },
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Clinic.objects.get().name == "Northwest Wellness"
