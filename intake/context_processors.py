"""The clinicians' badge in the navigation: urgent cases waiting for a decision and open safety alerts."""

from clinic.roles import CLINICIAN, role_names


def urgent_count(request) -> dict:
    """One query per request at most (the queue page, which counted already, leaves its figure on the request)."""
    if CLINICIAN not in role_names(request.user):
        return {"urgent_count": 0}
    if getattr(request, "urgent_count", None) is None:
        from intake.selectors import urgent_count as count

        request.urgent_count = count()
    return {"urgent_count": request.urgent_count}
