"""Appointment reminders by e-mail and SMS: an outbox written with each booking, drained by Celery.

Which module holds what:
- `outbox`: which rows a visit should have (consented channels, due times from the organisation's
  offsets and the quiet hours of the visit's location) and `sync_for`, which the booking services
  call inside their transaction.
- `quiet_hours`: the pure SMS quiet-hours window (no Django; the window and time zone passed in).
- Every visit is reminded at its location (`appointment.chair.location`): its zone, address, phone,
  signed name and quiet hours; the preparation text and offsets are the organisation's.
- `dispatch`: claiming due rows (conditional UPDATE, SKIP LOCKED), lease reclaim, the send-time
  re-check, recording outcomes, retry with backoff, and the front desk's `reminder_retry`.
- `rendering`: what a reminder says, and the e-mail with the visit's .ics.
- `tokens`: the signed confirmation token and link in each reminder.
- `sms`: SMS backends (file, console, locmem, Twilio), chosen by the SMS_BACKEND setting.
- `confirm`: the patient's public confirm page and its service.
- `views`, `selectors`: the front desk's reminder pages (URLs in `infusions/urls_reminders.py`)
  and their reads. The Celery tasks are in `infusions/tasks.py` and call `dispatch`.

Exported here, for the booking side: `sync_for` (write a visit's rows with its booking change),
`with_reminders` (load visits with their reminders) and `failed_reminders` (the front desk's list).
"""

from infusions.reminders.outbox import sync_for
from infusions.reminders.selectors import failed_reminders, with_reminders

__all__ = ["failed_reminders", "sync_for", "with_reminders"]
