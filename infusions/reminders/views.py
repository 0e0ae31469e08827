"""Front desk pages for reminders: a visit's reminders, the current location's failed list and retry."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clinic.feedback import attempt
from clinic.locations import current_location
from clinic.roles import require
from infusions.access import load_reminder, load_visit
from infusions.models import Appointment
from infusions.reminders.dispatch import reminder_retry
from infusions.reminders.selectors import failed_reminders, with_reminders

VIEW = ("infusions.view_reminder", "infusions.view_appointment")
CHANGE = ("infusions.change_reminder",)


@require(*VIEW)
def visit_reminders(request, pk):
    appointment = load_visit(request, pk, "patient", queryset=with_reminders(Appointment.objects))
    return render(request, "infusions/reminders/reminders_visit.html", {"appointment": appointment})


@require(*VIEW)
def failed_list(request):
    failed = failed_reminders(current_location(request))
    return render(request, "infusions/reminders/reminders_failed.html", {"failed": failed})


@require_POST
@require(*CHANGE)
def retry(request, pk):
    reminder = load_reminder(request, pk)
    attempt(
        request, reminder_retry, reminder_id=reminder.pk, success="The reminder will be sent again within a minute."
    )
    return redirect("infusions:reminders_failed")
