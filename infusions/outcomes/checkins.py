"""The maintenance check-in: every few weeks, a link to the questions for each patient in maintenance.

Beat runs `infusions.tasks.invite_maintenance_checkins` hourly in small idempotent steps: `lapse` closes the
expired invitations, `invite` makes one for each patient due, `send` sends them through the reminders' loop
(`sending`) with `INVITATION`. Two runs at once do no harm: the database holds one open invitation per patient,
and the loop's claim lets one run send it.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery

from infusions.models import InfusionSeries, MaintenanceOrder, OutcomeInvitation, OutcomeScore, Reminder
from infusions.outcomes.questions import patient_location
from infusions.reminders import sending
from infusions.reminders.outbox import channels_for
from infusions.reminders.quiet_hours import QuietHours
from infusions.reminders.rendering import Rendered
from infusions.reminders.tokens import checkin_url
from intake.models import Patient


def _in_maintenance():
    """A patient in maintenance: a completed initial series, and an active maintenance series or an open order."""
    series = InfusionSeries.objects.filter(patient=OuterRef("pk"))
    return Exists(series.filter(kind=InfusionSeries.Kind.INITIAL, status=InfusionSeries.Status.COMPLETED)) & (
        Exists(series.filter(kind=InfusionSeries.Kind.MAINTENANCE, status=InfusionSeries.Status.ACTIVE))
        | Exists(MaintenanceOrder.objects.open().filter(patient=OuterRef("pk")))
    )


def _reachable():
    return (Q(consent_email=True) & ~Q(email="")) | (Q(consent_sms=True) & ~Q(phone=""))


def due_patients(now, days: int):
    """The patients to invite now: in maintenance, reachable, not asked (score or invitation) for `days` days."""
    cutoff = now - timedelta(days=days)
    last_score = OutcomeScore.objects.filter(patient=OuterRef("pk")).order_by("-taken_at").values("taken_at")[:1]
    last_invitation = (
        OutcomeInvitation.objects.filter(patient=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    )
    return (
        Patient.objects.filter(_in_maintenance())
        .filter(_reachable())
        .annotate(last_score=Subquery(last_score), last_invitation=Subquery(last_invitation))
        .filter(Q(last_score__isnull=True) | Q(last_score__lte=cutoff))
        .filter(Q(last_invitation__isnull=True) | Q(last_invitation__lte=cutoff))
        .order_by("pk")
    )


def lapse(now) -> int:
    """Close the open invitations past their expiry, unanswered (a conditional update), so the next may be made."""
    return OutcomeInvitation.objects.filter(used_at__isnull=True, lapsed_at__isnull=True, expires_at__lte=now).update(
        lapsed_at=now
    )


def invite(now, days: int) -> int:
    """One invitation for each patient due (see `due_patients`); how many were made."""
    made = 0
    for patient_id in due_patients(now, days).values_list("pk", flat=True):
        try:
            with transaction.atomic():
                OutcomeInvitation.objects.create(
                    patient_id=patient_id, created_at=now, expires_at=now + timedelta(days=days)
                )
        except IntegrityError:  # another run made this patient's invitation a moment ago (one open per patient)
            continue
        made += 1
    return made


def texts(*, first_name: str, url: str, clinic_name: str) -> Rendered:
    """The invitation's words: the first name, the link and the signed name; nothing clinical (DOMAIN §6)."""
    return Rendered(
        subject=f"A few questions from {clinic_name}",
        body=f"Hello {first_name},\n\nYour care team asks you to answer a few questions:\n{url}\n\n"
        f"The link works once.\n\n{clinic_name}\n",
        sms=f"{first_name}, your care team asks you to answer a few questions: {url} {clinic_name}",
    )


class InvitationKind(sending.Kind):
    """A check-in invitation: one row for every consented channel, claimed by stamping `sent_at` (the claim's time
    is its token), no lease and no attempts: a failed send is given back for the next run. The stamp is also the
    record of the send, so a claim is sent by the run that made it (`send`), never queued for another. Without a
    lease, a worker that dies between the claim and the send loses that one message (at most once); the next
    invitation follows after the interval."""

    name = "checkin"
    model = OutcomeInvitation
    header = "X-Clinic-Checkin"
    related = ("patient",)
    claimable = {"sent_at": None}

    def due(self, now):
        return (
            OutcomeInvitation.objects.filter(
                sent_at__isnull=True, used_at__isnull=True, lapsed_at__isnull=True, expires_at__gt=now
            )
            .filter(patient__in=Patient.objects.filter(_in_maintenance()))
            .order_by("pk")
        )

    def new_token(self, now):
        return now

    def claim_fields(self, now, token) -> dict:
        return {"sent_at": token}

    def ours(self, token) -> dict:
        return {"sent_at": token}

    def location(self, row):
        """Where the patient was seen last (its quiet hours, its signed name): read once per row."""
        if not hasattr(row, "_location"):
            row._location = patient_location(row.patient_id)
        return row._location

    def check(self, row, now, ctx):
        if row.used_at is not None or row.lapsed_at is not None or row.expires_at <= now:
            return sending.Settle("skipped", {"sent_at": None})  # closed meanwhile: never sent
        channels = channels_for(row.patient)
        if not channels:
            return sending.Settle("held", {"sent_at": None})  # consent withdrawn: it lapses unless given again
        if Reminder.Channel.SMS in channels and self._quiet_hours(row, ctx).contains(now):
            return sending.Settle("held", {"sent_at": None})  # quiet hours: the next run after them
        return None

    def _quiet_hours(self, row, ctx):
        location = self.location(row)
        if location is not None:
            return ctx.quiet_hours(location)
        organisation = ctx.organisation  # never booked: the organisation's window on the clinic's clock
        return QuietHours(organisation.sms_quiet_start, organisation.sms_quiet_end, ZoneInfo(settings.TIME_ZONE))

    def channels(self, row) -> list[str]:
        return channels_for(row.patient)

    def patient(self, row):
        return row.patient

    def render(self, row, ctx) -> Rendered:
        location = self.location(row)
        signed = location.signed_name(ctx.organisation) if location is not None else ctx.organisation.name
        return texts(first_name=row.patient.first_name, url=checkin_url(row), clinic_name=signed)

    def sent_fields(self, now) -> dict:
        return {}  # the claim stamped `sent_at`

    def failed(self, row, error, now, *, delivered) -> sending.Settle:
        if delivered:  # a message left: sent, as far as the patient is concerned
            return sending.Settle("sent")
        return sending.Settle("failed", {"sent_at": None})  # nothing left: the next run tries again


INVITATION = InvitationKind()


def send(*, email_connection=None, sms_backend=None) -> dict:
    """Send the open, unsent invitations of patients still in maintenance, each claimed by one run (`sent_at` stamped
    where it is NULL) and sent by every consented channel. One whose patient takes SMS while the quiet hours of their
    latest visit's location hold, or who has withdrawn every consent, is given back for the next run (hence hourly).
    """
    outcome = sending.run(INVITATION, email_connection=email_connection, sms_backend=sms_backend)
    return {"sent": outcome.sent, "held": outcome.held, "failed": outcome.failed, "lost": outcome.lost}
