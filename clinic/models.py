from datetime import time

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from intake.severity import BREASTFEEDING_SEVERITY_CHOICES

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


class Clinic(models.Model):
    """The clinic's own settings: one row (created by migration 0004), edited by a staff admin in Django admin.

    Read it through `clinic.context.clinic_context().clinic`. The clinic's time zone is the
    deployment's TIME_ZONE setting (one clinic per deployment), also read through that accessor.
    """

    SINGLE_ROW_PK = 1

    # The name goes into every reminder: keep it neutral (it should not reveal the treatment).
    name = models.CharField(max_length=120, default="The Clinic")
    address = models.CharField(max_length=250, default="")
    phone = models.CharField(max_length=40, default="")
    preparation_text = models.TextField(
        default=DEFAULT_PREPARATION, help_text="Sent with every reminder. Never include clinical details."
    )
    breastfeeding_severity = models.CharField(
        max_length=10,
        # A deliberate import from a feature app into the base app: this setting chooses
        # among screening's severities, and that vocabulary has one home (intake.severity, pure).
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
    reminder_offsets_hours = models.CharField(
        max_length=60,
        default="72,24",
        validators=[validate_offsets],
        help_text="Hours before each visit at which reminders go out, e.g. 72,24.",
    )
    sms_quiet_start = models.TimeField(default=time(21, 0), help_text="No SMS from this time…")
    sms_quiet_end = models.TimeField(default=time(8, 0), help_text="…until this time (clinic time).")

    class Meta:
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
