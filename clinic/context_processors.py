"""What every page's navigation needs from the project: the user's roles, permissions and locations.

The apps add their own counts (intake.context_processors, infusions.context_processors), so the base app
imports neither.
"""

from clinic.locations import user_locations
from clinic.roles import CLINICIAN, COORDINATOR, FRONT_DESK, role_names, template_perms


def roles(request):
    names = role_names(request.user)
    locations = user_locations(request.user)
    return {
        "is_coordinator": COORDINATOR in names,
        "is_clinician": CLINICIAN in names,
        "is_front_desk": FRONT_DESK in names,
        # Replaces django.contrib.auth's `perms` (listed before this one), which passes superusers.
        "perms": template_perms(request.user),
        # The navigation's location switcher: the user's locations, the current one marked (one query).
        "my_locations": locations,
        "current_location": next((loc for loc in locations if loc.is_current), None),
    }
