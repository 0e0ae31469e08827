from django.shortcuts import render

from clinic.roles import require
from intake.models import Patient, Screening


@require("intake.view_patient")
def home(request):
    """The coordinator's home: find a patient by name or date of birth."""
    q = request.GET.get("q", "")
    patients = Patient.objects.search(q)[:50]
    return render(request, "intake/home.html", {"patients": patients, "q": q})


@require("intake.view_screening", "intake.add_reviewdecision")
def queue(request):
    """The clinician's home: flagged cases waiting for a decision, urgent first."""
    cases = Screening.objects.awaiting_review().select_related("patient")
    return render(request, "intake/queue.html", {"cases": cases})
