# Scheduling (chairs, hours, protocols, series, appointments) and the reminders outbox live in
# separate modules; everything is importable from infusions.models.
from infusions.models.chairside import *  # noqa: F403
from infusions.models.orders import *  # noqa: F403
from infusions.models.outcomes import *  # noqa: F403
from infusions.models.reminders import *  # noqa: F403
from infusions.models.scheduling import *  # noqa: F403
