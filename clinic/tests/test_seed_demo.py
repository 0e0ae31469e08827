from datetime import time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from clinic.context import clinic_context
from clinic.models import Clinic, Location
from infusions.models import (
    Appointment,
    Chair,
    InfusionRecord,
    InfusionSeries,
    OpeningHours,
    OutcomeScore,
    Protocol,
    SeriesEvaluation,
)
from infusions.outcomes import course
from intake.models import OutcomeReview, Patient, Screening

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
        "series": list(InfusionSeries.objects.order_by("pk").values()),
        "appointments": list(Appointment.objects.order_by("pk").values()),
        "records": list(InfusionRecord.objects.order_by("pk").values()),
        "scores": list(OutcomeScore.objects.order_by("pk").values()),
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
    assert outcomes == ["clear"] * 6 + ["exclude", "review"]
    # The demo names say nothing of the screening (front desk sees them).
    names = " ".join(Screening.objects.values_list("patient__last_name", flat=True)).lower()
    assert not any(word in names for word in ("clear", "review", "exclude", "demo", "remit", "respond"))


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


def test_it_seeds_a_completed_course_with_falling_scores_at_seattle(settings, client):
    settings.DEBUG = True
    seed()
    seed()
    seattle = Location.objects.get(name="Seattle")
    context = clinic_context(seattle)
    (series,) = InfusionSeries.objects.filter(status=InfusionSeries.Status.COMPLETED)
    patient = series.patient
    assert (patient.first_name, patient.last_name) == ("Morgan", "Ellery")
    assert InfusionSeries.objects.filter(patient=patient).count() == 1
    assert (series.kind, series.status, series.location) == ("initial", "completed", seattle)
    protocol = Protocol.objects.get(indication="depression")
    assert series.protocol == protocol

    visits = list(series.appointments.order_by("start"))
    assert [v.sequence for v in visits] == [1, 2, 3, 4, 5, 6]
    assert {v.status for v in visits} == {Appointment.Status.COMPLETED}
    days = [context.local_date(v.start) for v in visits]
    assert days[-1] < context.today() and context.today() - days[0] <= timedelta(days=28)  # the past few weeks
    gaps = {(b - a).days for a, b in zip(days, days[1:], strict=False)}
    assert all(protocol.min_gap_days <= gap <= protocol.max_gap_days for gap in gaps)
    assert (days[-1] - days[0]).days <= protocol.window_days
    for visit in visits:
        assert visit.chair.location == seattle
        hours = seattle.opening_hours.get(weekday=context.local(visit.start).weekday())
        assert hours.opens <= context.local(visit.start).time() and context.local(visit.end).time() <= hours.closes
        assert visit.end - visit.start == timedelta(minutes=protocol.chair_minutes)
        record = visit.record
        assert record.stage == InfusionRecord.Stage.DISCHARGED and record.is_signed
        assert record.checked_in_at < record.ordered_at < record.started_at < record.ended_at < record.discharged_at
        assert visit.start - timedelta(hours=1) <= record.checked_in_at and record.discharged_at <= visit.end
        assert time(8, 0) <= context.local(record.checked_in_at).time()
        assert record.dose_mg_per_kg <= protocol.max_dose_mg_per_kg
        assert record.dose_mg == (record.dose_mg_per_kg * record.weight_kg).quantize(Decimal("0.1"))
        assert record.dose_given_mg == record.dose_mg
        assert record.item9 == 0 and record.questionnaires["phq9"][8] == 0
        assert record.systolic < 140 and record.fasting_kept and record.escort_name and not record.intoxicated

    screening = Screening.objects.get(patient=patient)
    assert screening.outcome == "clear"
    assert screening.scores["phq9"]["total"] == 21
    assert screening.screened_at < series.created_at < visits[0].start
    scores = OutcomeScore.objects.filter(patient=patient, measure="phq9").order_by("taken_at")
    assert [s.total for s in scores] == [15, 12, 9, 7, 5, 4]
    assert {s.source for s in OutcomeScore.objects.filter(patient=patient)} == {"check_in"}
    assert [s.appointment_id for s in scores] == [v.pk for v in visits]
    assert all(s.total == sum(s.items) for s in OutcomeScore.objects.filter(patient=patient))

    # The rules have nothing to say of a remitter in no maintenance: the demo queue is not cluttered.
    assert course.rules_apply(patient_id=patient.pk) == []
    assert not OutcomeReview.objects.exists()

    # The course page as the demo clinician sees it: the chart, the remission, the evaluation still to record.
    client.force_login(User.objects.get(username="clinician"))
    response = client.get(reverse("infusions:course", args=[patient.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('role="img"') == 2  # PHQ-9 and GAD-7
    assert "PHQ-9 from 21 at baseline to 4 at infusion 6." in content
    assert 'data-testid="remission"' in content and 'data-testid="response"' in content
    assert "Record the evaluation" in content and not SeriesEvaluation.objects.exists()
    assert "style=" not in content


def test_it_seeds_tomorrows_floor_through_the_booking_services(settings):
    """Four series start tomorrow at Seattle: one IV start per quarter hour (the location's cap), a reminder
    for each visit, the first confirmed and the other three on tomorrow's call list."""
    from clinic.context import clinic_context
    from infusions.floor import selectors as floor
    from infusions.models import Appointment, Reminder

    settings.DEBUG = True
    seed()
    seattle = Location.objects.get(name="Seattle")
    context = clinic_context(seattle)
    begin, end = context.day_bounds(context.today() + timedelta(days=1))
    firsts = list(Appointment.objects.filter(start__gte=begin, start__lt=end).order_by("start"))
    assert [a.patient.last_name for a in firsts] == ["Reyes", "Natarajan", "Whitfield", "Kowalski"]
    quarters = {floor_quarter(a.start) for a in firsts}
    assert len(quarters) == 4  # staggered: no two start in the same quarter hour
    assert [a.confirmed_at is not None for a in firsts] == [True, False, False, False]
    assert all(a.series.appointments.count() == 6 for a in firsts)
    assert Reminder.objects.filter(appointment__in=firsts).exists()
    lists = floor.worklists(front_desk=True, coordinator=False, location=seattle)
    assert [a.patient.last_name for a in lists["tomorrow"]] == ["Natarajan", "Whitfield", "Kowalski"]


def floor_quarter(moment):
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def test_every_demo_intake_says_where_it_was_taken_and_every_patient_has_a_phone_of_their_own(settings, client):
    settings.DEBUG = True
    seed()
    from intake.models import Intake

    assert not Intake.objects.filter(location__isnull=True).exists()
    phones = list(Patient.objects.values_list("phone", flat=True))
    assert len(phones) == len(set(phones)) >= 8
    # So Denver's front desk opens none of Seattle's patients' pages.
    client.force_login(User.objects.get(username="frontdesk2"))
    for patient in Patient.objects.all():
        assert client.get(reverse("infusions:patient_calendar", args=[patient.pk])).status_code == 403
