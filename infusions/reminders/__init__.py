"""Appointment reminders by e-mail and SMS, and the one claim-and-send loop every message to a patient goes through.

The lowest package of infusions above the models (it imports neither booking nor outcomes nor the tasks), so the
booking services can write a visit's reminder rows inside their own transaction. Exported for them: `sync_for`,
`with_reminders`, `failed_reminders`. Which module holds what: docs/architecture.md#layout.
"""

from infusions.reminders.outbox import sync_for
from infusions.reminders.selectors import failed_reminders, with_reminders

__all__ = ["failed_reminders", "sync_for", "with_reminders"]
