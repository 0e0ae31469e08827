"""A clinician's order for maintenance visits, which front desk then books.

Maintenance is booked after a completed initial series, or earlier when a clinician orders it.
An order stays open until a maintenance booking fulfils it or a clinician cancels it; the
database allows at most one open order per patient.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from infusions.models.scheduling import InfusionSeries
from intake.models import Patient

__all__ = ["MaintenanceOrder"]

OPEN = Q(fulfilled_series__isnull=True, cancelled_at__isnull=True)


class MaintenanceOrderQuerySet(models.QuerySet):
    def open(self):
        return self.filter(OPEN)


class MaintenanceOrder(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="maintenance_orders")
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(
        max_length=200,
        blank=True,
        help_text="An instruction for the front desk, e.g. “boosters every 4 weeks”. "
        "Front desk reads it: no clinical details.",
    )
    fulfilled_series = models.ForeignKey(
        InfusionSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The maintenance booking that fulfilled this order",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = MaintenanceOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-ordered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient"], condition=OPEN, name="maintenance_order_one_open_per_patient"),
            models.CheckConstraint(
                condition=Q(fulfilled_series__isnull=True) | Q(cancelled_at__isnull=True),
                name="maintenance_order_fulfilled_or_cancelled",
            ),
        ]

    def __str__(self):
        return f"Maintenance order {self.pk} for patient {self.patient_id}"

    @property
    def is_open(self) -> bool:
        return self.fulfilled_series_id is None and self.cancelled_at is None
