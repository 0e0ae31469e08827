import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clinic.locations import location_switch
from clinic.roles import ROLE_HOME, ROLES, role_names

logger = logging.getLogger(__name__)


@login_required
def home(request):
    """Send each role to the page that shows its work."""
    names = role_names(request.user)
    for role in ROLES:
        if role in names:
            return redirect(ROLE_HOME[role])
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "clinic/no_role.html", status=403)


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        logger.warning("healthz: database check failed: %s", type(exc).__name__)
        return "database"
    return None


def check_broker() -> str | None:
    from clinic.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            if conn.transport_cls == "filesystem" or conn.transport.driver_type == "filesystem":
                # The filesystem transport "connects" to anything: check its folder is usable.
                from pathlib import Path

                folder = Path(conn.transport_options["data_folder_out"])
                if not folder.is_dir():
                    raise OSError("broker folder missing")
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        logger.warning("healthz: broker check failed: %s", type(exc).__name__)
        return "broker"
    return None


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the broker answer; 503 naming what is down. Open to monitors."""
    down = [name for name in (check_database(), check_broker()) if name]
    status = 503 if down else 200
    return JsonResponse({"status": "down" if down else "ok", "down": down}, status=status)


@require_POST
@login_required
def switch_location(request):
    """The navigation's switcher: work at another of the user's locations (403 for one they do not work at)."""
    try:
        location_id = int(request.POST.get("location", ""))
    except ValueError:
        location_id = 0
    location = location_switch(user=request.user, location_id=location_id)
    logger.info("user %s switched to location %s", request.user.pk, location.pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "home"
    return redirect(back)
