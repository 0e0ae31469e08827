from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clinic.blood_pressure import PRESCRIBER_DECIDES, STABILISE_FIRST
from clinic.severity import BREASTFEEDING_SEVERITY_CHOICES

DEFAULT_PREPARATION = (
    "Please arrange for someone to drive you home: do not drive until the next day. "
    "No solid food for 6 hours before your visit; clear liquids are fine until 2 hours before."
)


def _parse_offsets(text: str) -> list[int]:
    hours = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 24 * 14:
            raise ValidationError("Give whole hours between 1 and 336, separated by commas, e.g. 72,24.")
        hours.append(int(part))
    if not hours:
        raise ValidationError("Give at least one reminder offset, e.g. 72,24.")
    if len(set(hours)) != len(hours):
        raise ValidationError("Each reminder offset may appear only once.")
    return sorted(hours, reverse=True)


def validate_offsets(text: str) -> None:
    _parse_offsets(text)


def validate_time_zone(name: str) -> None:
    if name not in available_timezones():
        raise ValidationError("Give an IANA time zone name, e.g. America/Los_Angeles or America/Denver.")


class Clinic(models.Model):
    """The organisation's shared settings: one row (created by migration 0004), edited in Django admin.

    Everything a location does not override lives here: the name reminders are signed with, the
    preparation text, reminder offsets, screening settings, and the default SMS quiet hours. Each
    `Location` has its own address, phone, time zone, chairs, hours and closures. Read both through
    `clinic.context.clinic_context(location)`.
    """

    SINGLE_ROW_PK = 1

    # The name goes into every reminder: keep it neutral (it should not reveal the treatment).
    name = models.CharField(max_length=120, default="The Clinic")
    preparation_text = models.TextField(
        default=DEFAULT_PREPARATION, help_text="Sent with every reminder. Never include clinical details."
    )
    breastfeeding_severity = models.CharField(
        max_length=10,
        # A deliberate import from a feature app into the base app: this setting chooses
        # among screening's severities, and that vocabulary has one home (clinic.severity, pure).
        choices=BREASTFEEDING_SEVERITY_CHOICES,
        default="note",
        help_text=(
            "Sources disagree (Lighthouse Infusions' provider information: safe; The Kingsley Clinic: avoid): "
            "the clinic decides how a breastfeeding patient is screened."
        ),
    )
    screening_valid_days = models.PositiveIntegerField(
        default=183,
        validators=[MinValueValidator(1)],
        help_text="A screening older than this must be renewed before maintenance visits are booked.",
    )
    maintenance_interval_weeks = models.PositiveIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(26)]
    )
    maintenance_checkin_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MaxValueValidator(90)],
        help_text="In maintenance, a patient not asked the questions for this many days gets a link to answer "
        "them (by the e-mail or SMS they consented to); the link expires after as many days. 0: never.",
    )
    reminder_offsets_hours = models.CharField(
        max_length=60,
        default="72,24",
        validators=[validate_offsets],
        help_text="Hours before each visit at which reminders go out, e.g. 72,24.",
    )
    sms_quiet_start = models.TimeField(
        default=time(21, 0), help_text="No SMS from this time… (each location's own time; a location may override)"
    )
    sms_quiet_end = models.TimeField(default=time(8, 0), help_text="…until this time.")
    late_cancel_hours = models.PositiveSmallIntegerField(
        default=24,
        validators=[MaxValueValidator(24 * 14)],
        help_text="A visit cancelled less than this many hours before its start is marked a late cancel.",
    )

    # The infusion day's thresholds: defaults from published protocols, the medical director's to change.
    bp_no_start_systolic = models.PositiveSmallIntegerField(
        "do not start above systolic",
        default=STABILISE_FIRST.systolic,
        help_text="Resting BP above this or the diastolic below: no infusion "
        "today (Swiss ketamine label). The same thresholds as screening.",
    )
    bp_no_start_diastolic = models.PositiveSmallIntegerField(
        "do not start above diastolic", default=STABILISE_FIRST.diastolic
    )
    bp_decision_systolic = models.PositiveSmallIntegerField(
        "prescriber decides above systolic",
        default=PRESCRIBER_DECIDES.systolic,
        help_text="Above this or the diastolic below: start only on a prescriber's recorded decision "
        "(esketamine label).",
    )
    bp_decision_diastolic = models.PositiveSmallIntegerField(
        "prescriber decides above diastolic", default=PRESCRIBER_DECIDES.diastolic
    )
    alert_systolic = models.PositiveSmallIntegerField(
        default=180, help_text="During the visit: a reading above this needs an action note (example local protocol)."
    )
    alert_diastolic = models.PositiveSmallIntegerField(default=110)
    alert_heart_rate = models.PositiveSmallIntegerField(default=120)
    alert_spo2 = models.PositiveSmallIntegerField("alert below SpO2 (%)", default=92)
    reading_interval_minutes = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Vital signs during the infusion (Emory, Yale: every 10 minutes).",
    )
    observation_interval_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(1), MaxValueValidator(60)], help_text="…and during observation."
    )
    observation_minutes = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(240)],
        help_text="At least this long observed after the infusion ends before discharge (20-30 min).",
    )

    class Meta:
        verbose_name = "organisation settings"
        verbose_name_plural = "organisation settings"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="clinic_single_row")]
        permissions = [("look_up_records", "Can look up clinical and booking records in admin (read-only)")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = self.SINGLE_ROW_PK
        super().save(*args, **kwargs)

    @property
    def reminder_offsets(self) -> list[int]:
        return _parse_offsets(self.reminder_offsets_hours)


class LocationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_user(self, user):
        """The active locations this user works at (staff membership), in the organisation's order."""
        if not user.is_authenticated:
            return self.none()
        return self.active().filter(staff=user)


class Location(models.Model):
    """One site of the organisation: where chairs stand, with its own hours, closures and time zone.

    Patients belong to the organisation; a series is booked at one location (its chairs), and every
    time of a visit is shown, checked against opening hours and reminded in its location's zone.
    """

    name = models.CharField(max_length=80, unique=True, help_text="For staff, e.g. Seattle or Denver.")
    # Address and phone go into every reminder and calendar file of the visits here.
    address = models.CharField(max_length=250, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    time_zone = models.CharField(
        max_length=64, validators=[validate_time_zone], help_text="IANA name, e.g. America/Denver."
    )
    sender_name = models.CharField(
        max_length=120,
        blank=True,
        help_text="The name reminders from this location are signed with; empty: the organisation's name. "
        "Keep it neutral (it should not reveal the treatment).",
    )
    sms_quiet_start = models.TimeField(
        null=True, blank=True, help_text="Override the organisation's SMS quiet hours here (local time)."
    )
    sms_quiet_end = models.TimeField(null=True, blank=True)
    starts_per_quarter_hour = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Infusions that may start in the same 15 minutes: one nurse places one IV at a time",
    )
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="locations", blank=True, help_text="Who works here."
    )

    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sms_quiet_start__isnull=True, sms_quiet_end__isnull=True)
                | models.Q(sms_quiet_start__isnull=False, sms_quiet_end__isnull=False),
                name="location_quiet_hours_both_or_neither",
                violation_error_message="Give both ends of the quiet hours, or neither.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):  # refused by the validator; an old row still reads
            return ZoneInfo(settings.TIME_ZONE)

    def signed_name(self, organisation: Clinic) -> str:
        return self.sender_name or organisation.name

    def quiet_hours(self, organisation: Clinic) -> tuple[time, time]:
        if self.sms_quiet_start is not None and self.sms_quiet_end is not None:
            return self.sms_quiet_start, self.sms_quiet_end
        return organisation.sms_quiet_start, organisation.sms_quiet_end


class CurrentLocation(models.Model):
    """Where a staff user is working now: the navigation's switcher remembers it across sign-ins."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")

    def __str__(self):
        return f"{self.user} at {self.location}"
