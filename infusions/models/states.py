"""A visit's state in the clinic's words, said once for the grid, the infusion room, the day and the week.

A state joins the visit's status, its record's stage, its confirmation and its hold. Each page shows the
word and the colour of the same code (`state-<code>` in grid.css); colour never alone.
"""

from infusions.models.chairside import InfusionRecord
from infusions.models.scheduling import Appointment

STATE_WORDS = {
    "booked": "booked",
    "confirmed": "confirmed",
    "on_hold": "on hold",
    "arrived": "waiting",
    "in_chair": "in chair",
    "observation": "observation",
    "ready": "ready for pickup",
    "completed": "completed",
    "no_show": "no-show",
    "cancelled": "cancelled",
    "deferred": "deferred",
}
# States of a visit that may still be moved (a scheduled visit).
MOVABLE_STATES = ("booked", "confirmed", "on_hold")
# Visits that no longer hold the chair.
ASIDE_STATES = frozenset({"no_show", "cancelled", "deferred"})

_STAGE_STATES = {
    InfusionRecord.Stage.CHECKED_IN: "arrived",
    InfusionRecord.Stage.IN_CHAIR: "in_chair",
    InfusionRecord.Stage.OBSERVATION: "observation",
    InfusionRecord.Stage.READY: "ready",
    InfusionRecord.Stage.DISCHARGED: "completed",
    InfusionRecord.Stage.DEFERRED: "deferred",
}
_STATUS_STATES = {
    Appointment.Status.COMPLETED: "completed",
    Appointment.Status.NO_SHOW: "no_show",
    Appointment.Status.CANCELLED: "cancelled",
    Appointment.Status.DEFERRED: "deferred",
}


def visit_state(visit: Appointment, record: InfusionRecord | None = None) -> str:
    """The state of a visit; its record is read from the visit (loaded with it) unless passed in."""
    status = visit.status
    if status == Appointment.Status.SCHEDULED:
        if visit.hold:
            return "on_hold"
        return "confirmed" if visit.confirmed_at else "booked"
    if status == Appointment.Status.ARRIVED:
        record = record if record is not None else getattr(visit, "record", None)
        return _STAGE_STATES.get(record.stage, "arrived") if record is not None else "arrived"
    return _STATUS_STATES.get(status, "booked")


def state_word(visit: Appointment, record: InfusionRecord | None = None) -> str:
    return STATE_WORDS[visit_state(visit, record)]
