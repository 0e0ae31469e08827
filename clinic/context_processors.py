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
        context["urgent_count"] = urgent_count(request)
    context["worklist_counts"] = worklist_counts(request, context)
    return context


def worklist_counts(request, context) -> dict:
    """The navigation's worklist counts, only for the front desk and coordinators: one query for all the lists,
    at most once per request (cached on it), and kept a few seconds between requests (clinic/navcache.py)
    except on the worklists page, which counts afresh."""
    if not (context["is_front_desk"] or context["is_coordinator"]):
        return {}
    if getattr(request, "worklist_counts", None) is None:
        from clinic import navcache
        from clinic.roles import may
        from infusions.booking.views.plan import BOOK

        # The base app asks infusions here, deliberately: the front desk's and coordinators' pages show the counts.
        from infusions.floor.selectors import worklist_counts as counts
        from infusions.floor.views import COORDINATE

        front_desk = context["is_front_desk"] and may(request.user, *BOOK)
        coordinator = context["is_coordinator"] and may(request.user, *COORDINATE)
        location = context["current_location"]

        def count():
            return counts(front_desk=front_desk, coordinator=coordinator, location=location)

        shape = f"worklists:{int(front_desk)}{int(coordinator)}:{location.pk if location else 0}"
        fresh = getattr(request, "fresh_worklist_counts", False)
        request.worklist_counts = navcache.kept(shape, count, fresh=fresh)
    return request.worklist_counts


def urgent_count(request) -> int:
    """Urgent cases waiting for a decision: one query per request at most (a view that counted the
    queue already, the queue page, leaves its figure on the request)."""
    if getattr(request, "urgent_count", None) is None:
        # The base app asks intake here, deliberately: every clinician page shows the badge (urgent
        # screenings and open safety alerts).
        from intake.selectors import urgent_count as count

        request.urgent_count = count()
    return request.urgent_count
