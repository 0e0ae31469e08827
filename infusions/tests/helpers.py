"""Set-up shared by the booking tests: a clinic open every day with chairs and a bookable patient."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from clinic.context import clinic_context
from clinic.tests.factories import ChairFactory, ScreeningFactory, main_location, open_every_day
from infusions.models import Protocol

LA = ZoneInfo("America/Los_Angeles")


def clinic(chairs=2):
    """Opening hours, chairs, and the depression protocol the bookable patients are screened for."""
    open_every_day(time(8, 0), time(17, 30))
    depression()
    return [ChairFactory(name=f"Chair {n}", position=n) for n in range(1, chairs + 1)]


def bookable_patient(**patient):
    screening = ScreeningFactory(outcome="clear", **{f"intake__patient__{k}": v for k, v in patient.items()})
    return screening.patient


def depression():
    # Migration 0003 seeds it; transactional tests flush it away, so make it again when needed.
    protocol, _ = Protocol.objects.get_or_create(
        indication="depression",
        defaults={"chair_minutes": 90, "infusion_minutes": 40, "dose_mg_per_kg": Decimal("0.50")},
    )
    return protocol


def at(day, hour, minute=0):
    """An aware instant: local clinic wall-clock time on a date."""
    return datetime.combine(day, time(hour, minute), tzinfo=LA)


def series_visits(first_day, chair, *, gap_days=3, count=6, hour=9):
    return [(at(first_day + timedelta(days=gap_days * n), hour), chair.pk) for n in range(count)]


def main_clinic():
    """The main location's clinic context: what the selectors that plan one location's chairs take."""
    return clinic_context(main_location())
