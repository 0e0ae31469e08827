"""Front desk pages for reminders: a visit's reminders, the clinic-wide failed list and retry."""

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinic.feedback import attempt
from clinic.locations import user_locations
from clinic.roles import require
from infusions.models import Appointment, Reminder
from infusions.reminders.dispatch import reminder_retry
from infusions.reminders.selectors import failed_reminders, with_reminders

VIEW = ("infusions.view_reminder", "infusions.view_appointment")
CHANGE = ("infusions.change_reminder",)


@require(*VIEW)
def visit_reminders(request, pk):
    queryset = with_reminders(Appointment.objects.select_related("patient", "chair__location"))
    appointment = get_object_or_404(queryset, pk=pk)
    return render(request, "infusions/reminders/reminders_visit.html", {"appointment": appointment})


@require(*VIEW)
def failed_list(request):
    context = {
        "failed": failed_reminders(),
        "my_location_ids": {location.pk for location in user_locations(request.user)},  # retry there only
    }
    return render(request, "infusions/reminders/reminders_failed.html", context)


@require_POST
@require(*CHANGE)
def retry(request, pk):
    get_object_or_404(Reminder, pk=pk)
    attempt(request, reminder_retry, reminder_id=pk, success="The reminder will be sent again within a minute.")
    return redirect("infusions:reminders_failed")
