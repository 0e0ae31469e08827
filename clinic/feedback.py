"""How every page that changes something tells staff the outcome: `attempt` calls the service and shows
its success or its refusal (`clinic.refusals.Refused`) the one way pages do."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages

from clinic.refusals import Refused


@dataclass(frozen=True)
class Attempt:
    """What `attempt` did: the service's `result`, or its refusal; true when the service did the change."""

    result: Any = None
    refused: Refused | None = None
    bound: bool = False  # the refusal's messages are on the form: re-render it with status 400

    def __bool__(self) -> bool:
        return self.refused is None


def attempt(request, service: Callable, *, success: str | Callable[[Any], str], form=None, **arguments) -> Attempt:
    """Call a changing service as the signed-in user (`by=request.user`) and tell staff the outcome.

    Done: `success` is shown (a message, or a function of the service's result that returns one).
    Refused about what was typed, with the page's `form` given: each message is put next to its field
    (`Refused.bind`) and `bound` is set, so the caller re-renders the form with status 400, losing nothing
    typed. Any other refusal: its message is shown, and the caller redirects (or re-renders). Anything else
    is not a refusal and is not caught: a programming error stays an error (500).
    """
    try:
        result = service(**arguments, by=request.user)
    except Refused as refused:
        if form is not None and refused.fields:
            refused.bind(form)
            return Attempt(refused=refused, bound=True)
        messages.error(request, refused.message)
        return Attempt(refused=refused)
    messages.success(request, success(result) if callable(success) else success)
    return Attempt(result=result)
