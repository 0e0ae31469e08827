"""The infusion pages, one module per job.

- `booking`: front desk finds a patient and books an initial series or maintenance visits.
- `schedule`: the front desk's home, the day and the week.
- `visits`: a series page and the changes to its visits (move, cancel, mark), the patient's calendar.
- `clinician`: the clinicians' pages: the infusion day sheet and maintenance orders.

Views parse the request, call one service or selector, and render or redirect; the rules live in
`infusions.services`, `infusions.planner` and `infusions.dosing`. Reminder pages are in
`infusions.reminders.views`.
"""
