import re

from django import template

from clinic import severity
from intake.screening import SOURCE_DOCUMENTS

register = template.Library()
_NUMBER = re.compile(r"\b(00\d)\b")
# How each outcome looks in a badge; keyed by the vocabulary so no template lists the codes.
_OUTCOME_BADGES = {
    severity.CLEAR: "bg-success",
    severity.REVIEW: "bg-warning text-dark",
    severity.DEFER: "bg-secondary",
    severity.EXCLUDE: "bg-danger",
}


@register.filter
def source_titles(source: str) -> str:
    """'000, 001; esketamine label' -> the numbered documents named, for a clinician to read."""
    return _NUMBER.sub(
        lambda m: f"{m.group(1)} ({SOURCE_DOCUMENTS[m.group(1)]})" if m.group(1) in SOURCE_DOCUMENTS else m.group(1),
        source,
    )


@register.filter
def outcome_badge(outcome: str) -> str:
    """The badge's CSS classes for a screening outcome."""
    return _OUTCOME_BADGES[outcome]
