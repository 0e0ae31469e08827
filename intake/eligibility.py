"""The one answer to "may this patient be booked now, and if not, why?".

Booking (infusions) asks only this. The reason is worded for the front desk: it says where the case
stands, never what was found (minimum necessary).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.json import KT
from django.utils import timezone

from clinic import when as fmt
from intake.models import Decision, Outcome, Patient, Screening


@dataclass(frozen=True)
class Eligibility:
    bookable: bool
    status: str  # bookable | no_screening | awaiting_review | deferred | declined | screening_expired
    reason: str
    indication: str | None = None
    screened_at: datetime | None = None
    rescreen_on: date | None = None

    def __bool__(self):
        return self.bookable


def booking_eligibility(patient: Patient, *, max_screening_age_days: int | None = None, now=None) -> Eligibility:
    """Eligibility from the patient's newest screening and the decision on it.

    Bookable when the newest screening is clear, or a clinician approved it. A newer screening
    supersedes an older approval. With `max_screening_age_days` (maintenance visits) a screening
    older than that must be renewed first.
    """
    row = _newest().filter(patient=patient).order_by("-id").first()
    return _eligibility(row and _Newest._make(row), max_screening_age_days=max_screening_age_days, now=now)


def bookable_now(patient_ref=None) -> Q:
    """`booking_eligibility(patient).bookable` (no maximum screening age) as a query condition on rows with a
    `patient_id` (visits): the patient's newest screening is clear, or a clinician approved it. For lists that
    must say it of many rows within their own query (a test keeps the two answers equal)."""
    patient_ref = patient_ref if patient_ref is not None else OuterRef("patient_id")
    newer = Screening.objects.filter(patient_id=OuterRef("patient_id"), id__gt=OuterRef("id"))
    newest_allows = (
        Screening.objects.filter(patient_id=patient_ref)
        .filter(~Exists(newer))
        .filter(Q(outcome=Outcome.CLEAR) | Q(decision__decision=Decision.APPROVE))
        .order_by()
    )
    return Q(Exists(newest_allows))


def booking_eligibility_for(patients, *, max_screening_age_days: int | None = None, now=None) -> dict[int, Eligibility]:
    """The same answer for many patients (a search result), in one query: {patient id: Eligibility}."""
    ids = [p.pk for p in patients]
    rows = map(_Newest._make, _newest().filter(patient_id__in=ids).latest_per_patient())
    newest = {row.patient_id: row for row in rows}
    return {pk: _eligibility(newest.get(pk), max_screening_age_days=max_screening_age_days, now=now) for pk in ids}


class _Newest(NamedTuple):
    """What the answer needs of a patient's newest screening and the decision on it."""

    patient_id: int
    outcome: str
    screened_at: datetime
    screened_indication: str | None  # the indication as screened (the answers' snapshot)
    intake_indication: str
    decision: str | None
    rescreen_on: date | None


def _newest():
    """Only the columns the answer needs, as plain rows: the day and week views ask this for every patient on
    the schedule, and model instances of the screening, its intake and its decision cost more than the query.
    The answers and scores (JSON documents decoded row by row) stay in the database: the indication screened is
    read from the snapshot by the query itself."""
    return Screening.objects.annotate(screened_indication=KT("answers__indication")).values_list(
        "patient_id",
        "outcome",
        "screened_at",
        "screened_indication",
        "intake__indication",
        "decision__decision",
        "decision__rescreen_on",
    )


def _eligibility(screening: _Newest | None, *, max_screening_age_days: int | None, now) -> Eligibility:
    now = now or timezone.now()
    if screening is None:
        return Eligibility(False, "no_screening", "No intake screening yet: the intake must be completed first.")
    # The indication that was screened (the snapshot), not whatever the intake says now.
    indication = screening.screened_indication or screening.intake_indication
    common = {"indication": indication, "screened_at": screening.screened_at}
    decision = screening.decision

    if screening.outcome != Outcome.CLEAR:
        if decision is None:
            return Eligibility(False, "awaiting_review", "Waiting for a clinician's review.", **common)
        if decision == Decision.DECLINE:
            return Eligibility(False, "declined", "Declined by a clinician.", **common)
        if decision == Decision.DEFER:
            return Eligibility(
                False,
                "deferred",
                f"Deferred by a clinician: re-screen on or after {fmt.day(screening.rescreen_on)}.",
                rescreen_on=screening.rescreen_on,
                **common,
            )
    if max_screening_age_days is not None and screening.screened_at < now - timedelta(days=max_screening_age_days):
        return Eligibility(
            False,
            "screening_expired",
            f"The last screening is older than {max_screening_age_days} days: renew the intake first.",
            **common,
        )
    if decision is not None:
        return Eligibility(True, "bookable", "Approved by a clinician: may be booked.", **common)
    return Eligibility(True, "bookable", "May be booked.", **common)
