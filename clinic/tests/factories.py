"""Factories shared by every app's tests. Build rows directly; services are tested through them."""

from datetime import date, time
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User

from clinic.models import Location
from clinic.roles import CLINICIAN, COORDINATOR, FRONT_DESK, STAFF_ADMIN
from infusions.models import Chair, OpeningHours
from intake.models import Intake, Patient, Screening
from intake.tests.answers import intake_data

# A clean intake answer set (without the patient part): screens "clear", with scores.
CLEAN_ANSWERS = {
    **{key: value for key, value in intake_data().items() if key != "patient"},
    "indication": "depression",
    "failed_antidepressant_trials": 2,
    "phq9": [1, 1, 1, 1, 1, 1, 1, 0, 0],
    "gad7": [1, 1, 1, 1, 0, 0, 0],
}


MAIN = "Main location"  # the one location migration clinic 0007 makes from a single-clinic database


def main_location():
    """The installation's first location (made by migration; transactional tests flush it, so made again)."""
    from django.conf import settings

    location, _ = Location.objects.get_or_create(name=MAIN, defaults={"time_zone": settings.TIME_ZONE})
    return location


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Site {n + 1}")
    address = factory.LazyAttribute(lambda loc: f"{len(loc.name)} {loc.name} Street")
    phone = "(555) 010-3000"
    time_zone = "America/Denver"
    position = factory.Sequence(lambda n: n + 1)


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user; with a role, working at the main location unless `locations=[...]` says where."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        self.save()

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if extracted is not None:
            self.locations.set(extracted)
        elif self.groups.exists():
            self.locations.add(main_location())


def coordinator(**kwargs):
    return UserFactory(role=COORDINATOR, **kwargs)


def clinician(**kwargs):
    return UserFactory(role=CLINICIAN, **kwargs)


def front_desk(**kwargs):
    return UserFactory(role=FRONT_DESK, **kwargs)


def staff_admin(**kwargs):
    return UserFactory(role=STAFF_ADMIN, is_staff=True, **kwargs)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = factory.Sequence(lambda n: f"Example{n}")
    date_of_birth = date(1980, 5, 17)
    weight_kg = Decimal("70.0")
    phone = "+15550100000"
    email = factory.LazyAttribute(lambda p: f"{p.first_name.lower()}@example.org")
    consent_email = True
    consent_sms = True
    created_by = factory.SubFactory(UserFactory)


class IntakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intake

    patient = factory.SubFactory(PatientFactory)
    answers = factory.LazyFunction(lambda: dict(CLEAN_ANSWERS))
    indication = factory.LazyAttribute(lambda i: i.answers["indication"])
    taken_by = factory.SubFactory(UserFactory)


class ScreeningFactory(factory.django.DjangoModelFactory):
    """A stored screening row with the outcome you ask for (no rules run)."""

    class Meta:
        model = Screening

    intake = factory.SubFactory(IntakeFactory)
    patient = factory.SelfAttribute("intake.patient")
    outcome = "clear"
    urgent = False
    scores = factory.LazyFunction(lambda: {"phq9": None, "gad7": None})
    ruleset = "test"


class ChairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chair
        django_get_or_create = ("location", "name")

    location = factory.LazyFunction(main_location)
    name = factory.Sequence(lambda n: f"Chair {n + 1}")
    position = factory.Sequence(lambda n: n + 1)


def open_every_day(opens=time(8, 0), closes=time(17, 30), *, location=None):
    location = location or main_location()
    for weekday in range(7):
        OpeningHours.objects.get_or_create(location=location, weekday=weekday, opens=opens, defaults={"closes": closes})


def clinic_settings(**fields):
    """Set the clinic's settings row for a test (reads never write, so tests write it explicitly)."""
    from clinic.models import Clinic

    clinic, _ = Clinic.objects.get_or_create(pk=Clinic.SINGLE_ROW_PK)
    for name, value in fields.items():
        setattr(clinic, name, value)
    clinic.save()
    return clinic
