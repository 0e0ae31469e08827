from datetime import datetime, time, timedelta

from django.shortcuts import render
from django.utils import timezone

from clinic.roles import require
from infusions.models import Appointment


@require("infusions.view_appointment")
def home(request):
    """The front desk's home: today's visits."""
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    start = datetime.combine(today, time.min, tzinfo=tz)
    visits = (
        Appointment.objects.filter(start__gte=start, start__lt=start + timedelta(days=1))
        .select_related("chair", "patient")
        .order_by("start", "chair__position")
    )
    return render(request, "infusions/home.html", {"visits": visits, "today": today})
