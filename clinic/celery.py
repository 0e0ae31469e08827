import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def maintenance_checkins_beat(sender, **kwargs):
    """Every hour (at :07): invite the patients in maintenance to the check-in (infusions.tasks). Hourly, not daily,
    so an invitation that waits for a location's SMS quiet hours to end goes out soon after they do; each patient
    is still invited once per interval (the organisation's maintenance_checkin_days)."""
    sender.add_periodic_task(
        crontab(minute=7),
        sender.signature("infusions.tasks.invite_maintenance_checkins"),
        name="invite-maintenance-checkins",
    )
