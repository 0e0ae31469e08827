"""The project's URLs with the reminder pages included the way infusions/urls.py will include them.

Used by the reminder tests (override_settings(ROOT_URLCONF=...)) and by the worker processes they
start, until infusions/urls.py carries `path("", include("infusions.urls_reminders"))`.
"""

from django.urls import include, path

from clinic import urls as clinic_urls
from infusions import urls as infusions_urls
from infusions import urls_reminders

_infusions = [*infusions_urls.urlpatterns, *urls_reminders.urlpatterns]
urlpatterns = [
    *(p for p in clinic_urls.urlpatterns if str(p.pattern) != "infusions/"),
    path("infusions/", include((_infusions, "infusions"))),
]
