"""Patients, their intake answers, screenings and the clinicians' decisions.

Every model keeps its change history (django-simple-history). Answers are stored as the validated
intake answers JSON (the document `screen_intake` reads, see `intake.screening`) without its
`patient` part, which lives on Patient, so a screening can always be re-run against exactly what
was answered.
"""

import re
import unicodedata
from datetime import date
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic import severity
from clinic import when as fmt
from intake.phones import search_number
from intake.questionnaires import INTAKE_MEASURES, QUESTIONNAIRES
from intake.vocabulary import INDICATION_CHOICES


def _choices(name: str, choices: tuple[tuple[str, str], ...]) -> type[models.TextChoices]:
    # Built from `clinic.severity`, the vocabulary's one home: Outcome.CLEAR == "clear", labelled as there.
    return models.TextChoices(name, [(code.upper(), (code, label)) for code, label in choices])


Outcome = _choices("Outcome", severity.OUTCOME_CHOICES)
Severity = _choices("Severity", severity.SEVERITY_CHOICES)


SEARCH_MAX_LENGTH = 100


def search_text(text: str | None) -> str:
    """A search box's text made safe to query: control characters (NUL included, which PostgreSQL
    refuses in a query parameter) and lone surrogates become spaces, and it is cut to a sane length.
    Every patient search (coordinators' and the front desk's booking search) goes through this."""
    cleaned = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cs") else char for char in (text or "")[: SEARCH_MAX_LENGTH * 2]
    )
    return " ".join(cleaned.split())[:SEARCH_MAX_LENGTH]


# The formats a date of birth may be searched by: the US order (09/02/1991 is 2 September 1991) and ISO.
SEARCH_DATE_HELP = "MM/DD/YYYY or YYYY-MM-DD"
_US_DATE_RE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NAME_SEPARATORS_RE = re.compile(r"[\s,]+")


def search_date(text: str) -> date | None:
    """The date of birth a search box's text names (MM/DD/YYYY or YYYY-MM-DD), or None: a date that is
    not a real one ("13/45/1991") is searched as text instead."""
    try:
        if match := _US_DATE_RE.fullmatch(text):
            month, day, year = (int(part) for part in match.groups())
            return date(year, month, day)
        if _ISO_DATE_RE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    return None


class PatientQuerySet(models.QuerySet):
    def search(self, text: str):
        """Find by name (any part, any order, "Okonkwo, Maya" too), by date of birth (MM/DD/YYYY or
        YYYY-MM-DD) or by phone number (as typed in any usual way; compared in E.164). One query."""
        text = search_text(text)
        if not text:
            return self
        if (born := search_date(text)) is not None:
            return self.filter(date_of_birth=born)
        if (number := search_number(text)) is not None:
            return self.filter(phone=number)
        query = self
        for word in _NAME_SEPARATORS_RE.split(text):
            if word:
                query = query.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        return query


class Patient(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    weight_kg = models.DecimalField(max_digits=4, decimal_places=1)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    consent_email = models.BooleanField("consents to e-mail reminders", default=False)
    consent_sms = models.BooleanField("consents to SMS reminders", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["last_name", "first_name"]), models.Index(fields=["date_of_birth"])]
        permissions = [("view_patient_contact", "Can see contact details and whether a patient may be booked")]
        constraints = [
            models.CheckConstraint(condition=Q(weight_kg__gte=30, weight_kg__lte=300), name="patient_weight_range"),
            models.CheckConstraint(condition=~Q(first_name="") & ~Q(last_name=""), name="patient_name_present"),
            models.CheckConstraint(
                condition=Q(consent_email=False) | ~Q(email=""), name="patient_email_consent_needs_email"
            ),
            models.CheckConstraint(
                condition=Q(consent_sms=False) | ~Q(phone=""), name="patient_sms_consent_needs_phone"
            ),
        ]

    def __str__(self):
        # Used in admin and pages for signed-in staff only; never in logs (log the id).
        return f"{self.last_name}, {self.first_name} ({fmt.birth_date(self.date_of_birth)})"


class Intake(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intakes")
    answers = models.JSONField(help_text="The validated intake answers, without the patient part.")
    indication = models.CharField(max_length=40, choices=INDICATION_CHOICES)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Where the coordinator was working when taking it (the patient belongs to the organisation; this only
    # lets a clinician filter the queue by site). Empty for intakes from before locations, or a command.
    location = models.ForeignKey("clinic.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    taken_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The form's one-time token (server-issued, hidden): a second POST of the same form (a double
    # click, a retried request) finds this intake instead of creating a second patient. Unique, so
    # two POSTs racing each other cannot both insert.
    submission_token = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(indication__in=[value for value, _ in INDICATION_CHOICES]), name="intake_indication_valid"
            ),
        ]

    def __str__(self):
        return f"Intake {self.pk} of patient {self.patient_id}"


class ScreeningQuerySet(models.QuerySet):
    def latest_per_patient(self):
        """Only each patient's newest screening (the one that counts)."""
        newer = Screening.objects.filter(patient=models.OuterRef("patient"), id__gt=models.OuterRef("id"))
        return self.filter(~models.Exists(newer))

    def awaiting_review(self):
        """Cases a clinician must decide: newest screening flagged, no decision yet.

        Urgent first, then exclude, defer, review; oldest first within each.
        """
        rank = models.Case(
            *(models.When(outcome=outcome, then=rank) for outcome, rank in severity.OUTCOME_RANK.items()),
            output_field=models.IntegerField(),
        )
        return (
            self.latest_per_patient()
            .exclude(outcome=Outcome.CLEAR)
            .filter(decision__isnull=True)
            .annotate(rank=rank)
            .order_by("-urgent", "-rank", "screened_at", "id")
        )


class Screening(models.Model):
    """One run of the rule set over one intake. Never changed after it is made."""

    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="screenings")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="screenings")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    urgent = models.BooleanField(default=False)
    scores = models.JSONField(help_text='{"phq9": {"total", "band"} or null, "gad7": ...}')
    phq9_total = models.PositiveSmallIntegerField(null=True, blank=True)
    gad7_total = models.PositiveSmallIntegerField(null=True, blank=True)
    ruleset = models.CharField(max_length=40)
    # What was screened, so a screening can be explained and re-run after the intake is edited:
    # the intake answers without the patient part, and the clinic setting that was in force.
    answers = models.JSONField(default=dict, help_text="The answers this screening ran on (no patient part).")
    breastfeeding_severity = models.CharField(max_length=10, default=severity.NOTE)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    screened_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        ordering = ["-screened_at", "-id"]
        indexes = [models.Index(fields=["patient", "-id"])]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="screening_outcome_valid"),
            models.CheckConstraint(
                condition=Q(breastfeeding_severity__in=list(severity.BREASTFEEDING_SEVERITIES)),
                name="screening_breastfeeding_severity_valid",
            ),
            models.CheckConstraint(condition=~Q(urgent=True, outcome=Outcome.CLEAR), name="screening_urgent_not_clear"),
            models.CheckConstraint(condition=Q(phq9_total__lte=27), name="screening_phq9_range"),
            models.CheckConstraint(condition=Q(gad7_total__lte=21), name="screening_gad7_range"),
        ]

    def __str__(self):
        return f"Screening {self.pk} ({self.outcome})"

    @property
    def needs_decision(self) -> bool:
        return self.outcome != Outcome.CLEAR

    @property
    def review_status(self) -> str:
        """Where the review stands, in words (history tables). `superseded` is set by the selector
        that lists a patient's screenings (`selectors.patient_screenings`): only it knows the order."""
        decision = getattr(self, "decision", None)
        if decision is not None:
            return f"{decision.label} by {decision.decided_by.get_username()}"
        if not self.needs_decision:
            return "no review needed"
        if getattr(self, "superseded", False):
            return "replaced by a newer screening"
        return "waiting for a clinician's review"

    @property
    def approval_needs_justification(self) -> bool:
        """A clinician may approve a case the screening excludes, but only with a written justification."""
        return self.outcome == Outcome.EXCLUDE

    @property
    def score_lines(self) -> list["ScoreLine"]:
        """Each intake questionnaire's stored score, in order, for the result pages."""
        lines = []
        for code in INTAKE_MEASURES:
            questionnaire = QUESTIONNAIRES[code]
            stored = (self.scores or {}).get(code)
            total = None if stored is None else stored["total"]
            band = None if stored is None else questionnaire.band_label(stored["band"])
            lines.append(ScoreLine(code, questionnaire.title, total, band))
        return lines

    def as_dict(self) -> dict:
        """The screening JSON `screen_intake` prints, rebuilt from the stored rows (uses `flags`)."""
        return {
            "outcome": self.outcome,
            "urgent": self.urgent,
            "flags": [{"code": f.code, "severity": f.severity, "reason": f.reason} for f in self.flags.all()],
            "scores": self.scores,
            "ruleset": self.ruleset,
        }


class ScoreLine(NamedTuple):
    code: str
    title: str
    total: int | None  # None: not administered
    band: str | None  # the band's label, e.g. "moderately severe"


class Flag(models.Model):
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="flags")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=60)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    reason = models.CharField(max_length=300)
    source = models.CharField(max_length=200)
    details = models.TextField(blank=True, help_text="e.g. which medication entries were not recognised")

    class Meta:
        ordering = ["screening", "position"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "position"], name="flag_position_unique"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="flag_severity_valid"),
        ]

    def __str__(self):
        return f"{self.code} ({self.severity})"

    @property
    def is_note(self) -> bool:
        """For the clinician's information only: the review queue lists the flags that weigh."""
        return self.severity == Severity.NOTE


class Decision(models.TextChoices):
    APPROVE = "approve", "Approve"
    DECLINE = "decline", "Decline"
    DEFER = "defer", "Defer"


# A decision once made, in words ("Approved by …"; the choice labels are the verbs to choose).
DECIDED_LABELS = {Decision.APPROVE: "Approved", Decision.DECLINE: "Declined", Decision.DEFER: "Deferred"}


class ReviewDecision(models.Model):
    """A clinician's decision on one screening. One per screening: a second is refused."""

    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="decision")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    rescreen_on = models.DateField(null=True, blank=True)
    justification = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=Decision.values), name="decision_valid"),
            models.CheckConstraint(
                condition=Q(decision="defer", rescreen_on__isnull=False)
                | (~Q(decision="defer") & Q(rescreen_on__isnull=True)),
                name="decision_defer_has_rescreen_date",
            ),
        ]

    def __str__(self):
        return f"{self.label} screening {self.screening_id}"

    @property
    def label(self) -> str:
        """The decision made, in words: "Approved", "Declined", "Deferred"."""
        return DECIDED_LABELS[self.decision]


class RecordAccess(models.Model):
    """Who opened which patient's clinical record, and when (an access log, append-only)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    view = models.CharField(max_length=80)

    class Meta:
        verbose_name = "record access"
        verbose_name_plural = "access log"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "-at"])]

    def __str__(self):
        return f"user {self.user_id} opened patient {self.patient_id} at {fmt.when(timezone.localtime(self.at))}"


class SafetyAlertQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class SafetyAlert(models.Model):
    """An urgent item for clinicians outside a screening: a positive PHQ-9 item 9 at a visit's check-in
    (or, next, by a patient's questionnaire link). It counts in the same urgent count as an urgent
    screening, stands at the top of the queue, and stays open until a prescriber records the same-day
    follow-up."""

    class Source(models.TextChoices):
        CHECK_IN = "check_in", "Check-in before an infusion"
        PATIENT_LINK = "patient_link", "The patient's questionnaire link"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="safety_alerts")
    source = models.CharField(max_length=20, choices=Source.choices)
    detail = models.CharField(max_length=200, help_text="What was answered, for clinicians only.")
    raised_at = models.DateTimeField(auto_now_add=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    follow_up = models.TextField(blank=True, help_text="The prescriber's same-day follow-up.")
    history = HistoricalRecords()

    objects = SafetyAlertQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "id"]
        indexes = [models.Index(fields=["resolved_at", "raised_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolved_by__isnull=True)
                | Q(resolved_at__isnull=False, resolved_by__isnull=False),
                name="safety_alert_resolved_with_who",
            )
        ]

    def __str__(self):
        return f"Safety alert {self.pk} for patient {self.patient_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class OutcomeReviewQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class OutcomeReview(models.Model):
    """A rule put the patient in the clinicians' queue: early non-response, or loss of response in maintenance
    (with the suggested booster date)."""

    class Code(models.TextChoices):
        EARLY_NON_RESPONSE = "EARLY_NON_RESPONSE", "Early non-response"
        LOSS_OF_RESPONSE = "LOSS_OF_RESPONSE", "Loss of response"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="outcome_reviews")
    code = models.CharField(max_length=20, choices=Code.choices)
    measure = models.CharField(max_length=10)
    reason = models.CharField(max_length=250)
    suggested_booster = models.DateField(null=True, blank=True)
    suggestion_reason = models.CharField(max_length=200, blank=True)
    raised_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=250, blank=True)
    history = HistoricalRecords()

    objects = OutcomeReviewQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "code"], condition=Q(resolved_at__isnull=True), name="outcome_review_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.code} for patient {self.patient_id}"
