"""How every page that changes something tells staff the outcome."""

from django.contrib import messages

from infusions.booking.services import BookingError


def attempt(request, service, *, success, **arguments):
    """Call a changing service as the signed-in user; show its refusal, or `success` (a message, or a
    function of the service's result that returns one). Returns the result, or None when refused."""
    try:
        result = service(**arguments, by=request.user)
    except BookingError as exc:
        messages.error(request, str(exc))
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result
