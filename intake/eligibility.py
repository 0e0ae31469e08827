"""The one answer to "may this patient be booked now, and if not, why?".

Booking (infusions) asks only this. The reason is worded for the front desk: it says where the case
stands, never what was found (minimum necessary).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

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
    screening = _screenings().filter(patient=patient).order_by("-id").first()
    return _eligibility(screening, max_screening_age_days=max_screening_age_days, now=now)


def booking_eligibility_for(patients, *, max_screening_age_days: int | None = None, now=None) -> dict[int, Eligibility]:
    """The same answer for many patients (a search result), in one query: {patient id: Eligibility}."""
    ids = [p.pk for p in patients]
    newest = {s.patient_id: s for s in _screenings().filter(patient_id__in=ids).latest_per_patient()}
    return {pk: _eligibility(newest.get(pk), max_screening_age_days=max_screening_age_days, now=now) for pk in ids}


def _screenings():
    """Only the columns the answer needs. The answers and scores (JSON documents decoded row by row)
    stay in the database: the indication screened is read from the snapshot by the query itself.
    The day and week views ask this for every patient on the schedule."""
    return (
        Screening.objects.select_related("intake", "decision")
        .only(
            "id",
            "patient_id",
            "outcome",
            "screened_at",
            "intake__indication",
            "decision__decision",
            "decision__rescreen_on",
        )
        .annotate(screened_indication=KT("answers__indication"))
    )


def _eligibility(screening: Screening | None, *, max_screening_age_days: int | None, now) -> Eligibility:
    now = now or timezone.now()
    if screening is None:
        return Eligibility(False, "no_screening", "No intake screening yet: the intake must be completed first.")
    # The indication that was screened (the snapshot), not whatever the intake says now.
    indication = screening.screened_indication or screening.intake.indication
    common = {"indication": indication, "screened_at": screening.screened_at}
    decision = getattr(screening, "decision", None)

    if screening.outcome != Outcome.CLEAR:
        if decision is None:
            return Eligibility(False, "awaiting_review", "Waiting for a clinician's review.", **common)
        if decision.decision == Decision.DECLINE:
            return Eligibility(False, "declined", "Declined by a clinician.", **common)
        if decision.decision == Decision.DEFER:
            return Eligibility(
                False,
                "deferred",
                f"Deferred by a clinician: re-screen on or after {fmt.day(decision.rescreen_on)}.",
                rescreen_on=decision.rescreen_on,
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
