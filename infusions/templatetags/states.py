"""`{{ visit|state_word }}` and `{{ visit|visit_state }}`: a visit's state, in the words of infusions.models.states."""

from django import template

from infusions.models import states

register = template.Library()


@register.filter
def visit_state(visit, record=None) -> str:
    return states.visit_state(visit, record or None)


@register.filter
def state_word(visit, record=None) -> str:
    return states.state_word(visit, record or None)
