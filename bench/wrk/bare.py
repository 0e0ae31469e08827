# The ceiling: a bare Django page on the same PostgreSQL database and the same gunicorn, reading 50
# patients through one query and rendering them as an HTML table with the Django template engine.
import os

import django
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.template import Context, Engine
from django.urls import path

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    SECRET_KEY="bare-ceiling-" + "x" * 50,
    ROOT_URLCONF=__name__,
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["BARE_DB"],
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": "5432",
            "CONN_MAX_AGE": 60,
        }
    },
)
django.setup()

TEMPLATE = Engine().from_string(
    "<!doctype html><html><body><table>{% for r in rows %}"
    "<tr><td>{{ r.0 }}</td><td>{{ r.1 }}</td><td>{{ r.2 }}</td><td>{{ r.3 }}</td></tr>"
    "{% endfor %}</table></body></html>"
)


def page(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, first_name, last_name, date_of_birth FROM intake_patient ORDER BY id LIMIT 50")
        rows = cursor.fetchall()
    return HttpResponse(TEMPLATE.render(Context({"rows": rows})))


def hello(request):
    return HttpResponse("hello")


urlpatterns = [path("table/", page), path("hello/", hello)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
