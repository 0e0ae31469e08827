"""The navigation's counts: the worklists for the front desk and coordinators, the prescriber's list for clinicians."""

from clinic import navcache
from clinic.locations import current_location_or_none
from clinic.roles import COORDINATOR, FRONT_DESK, may, role_names


def worklist_counts(request) -> dict:
    """One query for all the lists, at most once per request (cached on it), and kept a few seconds between
    requests (clinic/navcache.py) except on the worklists page, which counts afresh."""
    names = role_names(request.user)
    if not (FRONT_DESK in names or COORDINATOR in names):
        return {"worklist_counts": {}}
    if getattr(request, "worklist_counts", None) is None:
        from infusions.booking.views.plan import BOOK
        from infusions.floor.selectors import worklist_counts as counts
        from infusions.floor.views import COORDINATE

        front_desk = FRONT_DESK in names and may(request.user, *BOOK)
        coordinator = COORDINATOR in names and may(request.user, *COORDINATE)
        location = current_location_or_none(request.user)

        def count():
            return counts(front_desk=front_desk, coordinator=coordinator, location=location)

        shape = f"worklists:{int(front_desk)}{int(coordinator)}:{location.pk if location else 0}"
        fresh = getattr(request, "fresh_worklist_counts", False)
        request.worklist_counts = navcache.kept(shape, count, fresh=fresh)
    return {"worklist_counts": request.worklist_counts}


def prescriber_count(request) -> dict:
    """The clinicians' menu: how many of today's patients at their current location wait for a prescriber (a BP
    decision, an item-9 follow-up, a dose order). Counted afresh on every page, like the urgent count (a patient
    waits in a chair), in one query whose size is the day's visits at one location; once per request (the
    list's page leaves its figure on the request). None for whoever may not open the list."""
    from infusions.infusion_day.services import ORDER

    if not may(request.user, *ORDER):
        return {"prescriber_count": None}
    if getattr(request, "prescriber_count", None) is None:
        location = current_location_or_none(request.user)
        if location is None:
            return {"prescriber_count": None}
        from infusions.infusion_day.selectors import prescriber_count as count

        request.prescriber_count = count(location)
    return {"prescriber_count": request.prescriber_count}
