"""What holds a patient's start from outside today's check-in: positive item-9 answers no prescriber has followed
up, the patient's eligibility, and a deferral earlier the same local day.

Read by the record's services (at the check-in, the start, a gate's release), by the record page, and, as
query expressions, by the prescriber's list, its count in the navigation and the infusion room.

An item-9 answer is followed up when a prescriber has recorded the same-day follow-up:
- a safety alert (every alert is a positive item 9: at a check-in, by the patient's link) until it is resolved,
  from the clinicians' queue or by the item-9 release on a visit's record (which resolves every open alert of
  the patient);
- the intake's own: a screening that flagged SUICIDE_RISK is followed up by a clinician's decision on it, or by
  any follow-up recorded after it was made (an alert resolved, an item-9 release on a record). A newer screening
  does not follow it up: an intake edited to say "0" leaves the earlier answer owed.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from clinic import when as fmt
from infusions.booking import selectors as booking
from infusions.models import InfusionRecord
from intake.models import SafetyAlert, Screening

SUICIDE_RISK = "SUICIDE_RISK"  # intake.screening's rule for a positive item 9


@dataclass(frozen=True)
class Holds:
    """What stops the start besides the check-in's own values, in words for the record (staff only)."""

    item9_earlier: tuple[str, ...] = ()  # positive item-9 answers before this check-in, not followed up
    on_hold: str = ""  # the eligibility rule's reason when the patient may not be booked now
    deferred_today: str = ""  # the visit deferred earlier this local day, in words


def _followed_up_after(screened_at_ref, patient_ref) -> Q:
    """A follow-up of item 9 recorded for the patient at or after the screening (an alert resolved, a release on a
    visit's record)."""
    resolved = SafetyAlert.objects.filter(patient_id=patient_ref, resolved_at__gte=screened_at_ref)
    released = InfusionRecord.objects.filter(appointment__patient_id=patient_ref, follow_up_at__gte=screened_at_ref)
    return Q(Exists(resolved)) | Q(Exists(released))


def _unreviewed_intake(patient_ref):
    """The patient's screenings that flagged a positive item 9, with no decision on them and no follow-up since."""
    return (
        Screening.objects.filter(patient_id=patient_ref, flags__code=SUICIDE_RISK, decision__isnull=True)
        .exclude(_followed_up_after(OuterRef("screened_at"), OuterRef("patient_id")))
        .order_by()
    )


def item9_open(patient_ref=None) -> Q:
    """As a query condition on rows with a `patient_id` (visits): the patient has an item-9 answer no prescriber
    has followed up (an open alert, an unreviewed intake answer)."""
    patient_ref = patient_ref if patient_ref is not None else OuterRef("patient_id")
    alerts = SafetyAlert.objects.open().filter(patient_id=patient_ref).order_by()
    return Q(Exists(alerts)) | Q(Exists(_unreviewed_intake(patient_ref)))


def item9_earlier(patient_id: int, *, tz, excluding_alert_id: int | None = None) -> tuple[str, ...]:
    """The patient's item-9 answers no prescriber has followed up, in words, oldest first (2 queries); the check-in's
    own alert (`excluding_alert_id`) is today's answer, said by the gate itself."""
    alerts = SafetyAlert.objects.open().filter(patient_id=patient_id)
    if excluding_alert_id is not None:
        alerts = alerts.exclude(pk=excluding_alert_id)
    said = [f"{alert.get_source_display().lower()}, {fmt.when(alert.raised_at, tz)}" for alert in alerts]
    screenings = _unreviewed_intake(patient_id).distinct().order_by("screened_at", "id")
    said += [f"the intake screening of {fmt.when(s.screened_at, tz)}" for s in screenings.only("screened_at")]
    return tuple(said)


def deferred_today(appointment, now) -> str:
    """The patient's other visit deferred at check-in on the local day that holds `now`, in words; "" when none
    (1 query)."""
    for (begin, end), _ in booking.deferred_days(appointment.patient_id, now, now, exclude_ids=[appointment.pk]):
        if begin <= now < end:
            return f"earlier on {fmt.day(begin)}"
    return ""
