import re

from django import template

from intake.screening import SOURCE_DOCUMENTS

register = template.Library()
_NUMBER = re.compile(r"\b(00\d)\b")


@register.filter
def source_titles(source: str) -> str:
    """'000, 001; esketamine label' -> the numbered documents named, for a clinician to read."""
    return _NUMBER.sub(
        lambda m: f"{m.group(1)} ({SOURCE_DOCUMENTS[m.group(1)]})" if m.group(1) in SOURCE_DOCUMENTS else m.group(1),
        source,
    )
