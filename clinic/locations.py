"""Where a staff user works: their locations, the one they are working at now, and the access check.

Staff work at one or more locations (`Location.staff`); the navigation's switcher remembers the
current one per user (`CurrentLocation`). A page about a location's chairs, visits or day asks
`current_location(request)` (403 for a user who works at none) or `check_location(request, location)`
for a record that belongs to a location (403 unless the user works there); a service asks
`check_works_at(by, location_id)` of the row it acts on.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef

from clinic.compiled import bind, compiled_query
from clinic.models import CurrentLocation, Location

NO_LOCATION = "You do not work at any location yet: ask the staff admin to add you to one."
NOT_HERE = "You do not work at that location."


def _locations_query(user_id):
    current = CurrentLocation.objects.filter(user__id=user_id, location=OuterRef("pk"))
    return Location.objects.active().filter(staff__id=user_id).annotate(is_current=Exists(current))


def user_locations(user) -> list[Location]:
    """The active locations the user works at, each marked `is_current` (one query, cached on the user)."""
    cached = getattr(user, "_clinic_locations", None)
    if cached is None:
        if not user.is_authenticated:
            return []
        sql, slots = compiled_query("user_locations", _locations_query, user_id=-730_003)
        cached = list(Location.objects.raw(sql, bind(slots, {"user_id": user.pk})))
        for location in cached:
            location.is_current = bool(location.is_current)  # SQLite answers 0 or 1
        if cached and not any(loc.is_current for loc in cached):
            cached[0].is_current = True  # the first in the organisation's order until the user chooses
        user._clinic_locations = cached
    return cached


def current_location_or_none(user) -> Location | None:
    return next((loc for loc in user_locations(user) if loc.is_current), None)


def current_location(request) -> Location:
    """The location the user is working at now; 403 when they work at none."""
    location = current_location_or_none(request.user)
    if location is None:
        raise PermissionDenied(NO_LOCATION)
    return location


def works_at(user, location_id: int | None) -> bool:
    """Does this user work at that location now? The one answer for loaders (a request) and services (`by`)."""
    return location_id is not None and any(location.pk == location_id for location in user_locations(user))


def check_works_at(by, location_id: int | None) -> None:
    """A service's location check: PermissionDenied unless `by` works at the location of what it acts on."""
    if not works_at(by, location_id):
        raise PermissionDenied(NOT_HERE)


def check_location(request, location_id: int) -> Location:
    """The user's location with this id; 403 unless they work there."""
    for location in user_locations(request.user):
        if location.pk == location_id:
            return location
    raise PermissionDenied(NOT_HERE)


def location_switch(*, user, location_id: int) -> Location:
    """Make one of the user's locations their current one (remembered across sign-ins)."""
    location = next((loc for loc in user_locations(user) if loc.pk == location_id), None)
    if location is None:
        raise PermissionDenied(NOT_HERE)
    with transaction.atomic():
        CurrentLocation.objects.update_or_create(user=user, defaults={"location": location})
    user._clinic_locations = None
    return location
