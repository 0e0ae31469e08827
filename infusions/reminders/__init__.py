"""Appointment reminders by e-mail and SMS: an outbox written with each booking, drained by Celery; and the one
claim-and-send loop that also sends the patient notices and the maintenance check-in invitations.

The lowest package of infusions above the models: it imports neither booking nor outcomes nor the tasks (which
sit on top; a task is queued by its name). Which module holds what:
- `outbox`: which rows a visit should have (consented channels, due times from the organisation's
  offsets and the quiet hours of the visit's location) and `sync_for`, which the booking services
  call inside their transaction.
- `quiet_hours`: the pure SMS quiet-hours window (no Django; the window and time zone passed in).
- Every visit is reminded at its location (`appointment.chair.location`): its zone, address, phone,
  signed name and quiet hours; the preparation text and offsets are the organisation's.
- `sending`: the claim-and-send loop (conditional UPDATE claim, SKIP LOCKED, lease reclaim, the send-time
  re-check, recording outcomes, retries), parameterised by a kind: `dispatch.REMINDER`, `notices.NOTICE`,
  and `infusions.outcomes.checkins.INVITATION` (which outcomes provides).
- `dispatch`: the reminders' kind (due rows, re-check, backoff) and the front desk's `reminder_retry`.
- `notices`: the move and cancel notices' outbox rows, their texts and their kind.
- `rendering`: what a reminder says; `ics`: a patient's visits as an iCalendar file (the reminder's attachment,
  and the series page's download).
- `tokens`: the signed confirmation token and link in each reminder.
- `sms`: SMS backends (file, console, locmem, Twilio), chosen by the SMS_BACKEND setting.
- `confirm`: the patient's public confirm page and its service.
- `views`, `selectors`: the front desk's reminder pages (URLs in `urls`) and their reads. The Celery tasks
  are in `infusions/tasks.py` and call `dispatch`, `notices` and the check-ins through the loop.

Exported here, for the booking side: `sync_for` (write a visit's rows with its booking change),
`with_reminders` (load visits with their reminders) and `failed_reminders` (the front desk's list).
"""

from infusions.reminders.outbox import sync_for
from infusions.reminders.selectors import failed_reminders, with_reminders

__all__ = ["failed_reminders", "sync_for", "with_reminders"]
