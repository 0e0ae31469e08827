from clinic.locations import user_locations
from clinic.roles import CLINICIAN, COORDINATOR, FRONT_DESK, role_names, template_perms


def roles(request):
    names = role_names(request.user)
    context = {
        "is_coordinator": COORDINATOR in names,
        "is_clinician": CLINICIAN in names,
        "is_front_desk": FRONT_DESK in names,
        "urgent_count": 0,
        # Replaces django.contrib.auth's `perms` (listed before this one), which passes superusers.
        "perms": template_perms(request.user),
        # The navigation's location switcher: the user's locations, the current one marked (one query).
        "my_locations": user_locations(request.user),
    }
    context["current_location"] = next((loc for loc in context["my_locations"] if loc.is_current), None)
    if context["is_clinician"]:
        from intake.selectors import urgent_count

        context["urgent_count"] = urgent_count()
    return context
