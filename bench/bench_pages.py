"""Page throughput against a bare-Django ceiling, measured in the same run, at clinic volume.

A clinic of 1,500 patients (intakes screened by the real rules, about 1 in 6 flagged) and 400
six-visit series booked through the real services on 8 chairs. Each main page is requested
through Django's WSGI handler with the project's whole middleware stack (sessions, auth, CSP,
axes, history...), signed in as the role that uses it, for a fixed time; so is the ceiling: a bare
Django handler with no middleware that reads 50 patients in one query and renders them as a table
with the template engine (the page bench/wrk/bare.py serves). The ratio of the two
rates is the figure the aim is set on (every page at least 0.5x the ceiling).

In-process, single-threaded: it measures the server's own work per request, not a network or a
WSGI server. The ceiling is measured before and after the pages and averaged.

Pages: patient search, review queue, case page, booking search, day and week views, plan series, and
the newer infusion room, day grid, week grid, worklists and course page. The same pages over HTTP
(gunicorn, 2 workers, wrk, PostgreSQL): `bash bench/wrk/run.sh`.
"""

import random
import time as clock
from datetime import timedelta
from importlib import import_module
from io import BytesIO

PATIENTS = 1500
SERIES = 400
SECONDS_PER_PAGE = 2.0
AIM = 0.5
FIRST = ["Ana", "Ben", "Chloe", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lena", "Mo", "Nia"]
LAST = ["Rivera", "Okafor", "Nguyen", "Smith", "Kowalski", "Haddad", "Ito", "Larsen", "Mehta", "Costa"]

BARE_TEMPLATE = (
    "<!doctype html><html><body><table>{% for r in rows %}"
    "<tr><td>{{ r.0 }}</td><td>{{ r.1 }}</td><td>{{ r.2 }}</td><td>{{ r.3 }}</td></tr>"
    "{% endfor %}</table></body></html>"
)


def _answers(rng, i):
    from intake.tests.answers import intake_data

    flagged = rng.random() < 0.17
    data = intake_data(
        indication="depression",
        failed_antidepressant_trials=rng.randint(2, 5),
        medications=["sertraline"],
        phq9=[rng.randint(1, 3) for _ in range(8)] + [0],
        gad7=[rng.randint(0, 3) for _ in range(7)],
        blood_pressure={"systolic": rng.randint(105, 135), "diastolic": rng.randint(65, 85)},
    )
    data["patient"].update(
        first_name=rng.choice(FIRST),
        last_name=f"{rng.choice(LAST)}{i}",
        date_of_birth=f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        weight_kg=rng.randint(50, 110),
        phone=f"+1555010{i % 10000:04d}",
        email=f"p{i}@example.org",
    )
    if flagged:
        data["blood_pressure"] = {"systolic": rng.randint(145, 190), "diastolic": rng.randint(92, 105)}
        data["medications"] = ["sertraline", rng.choice(["lorazepam", "phenelzine", "lamotrigine"])]
    return data


def _seed() -> dict:
    from django.db import connection

    from clinic.context import clinic_context
    from clinic.roles import CLINICIAN, COORDINATOR, FRONT_DESK, NURSE
    from clinic.tests.factories import ChairFactory, UserFactory, main_location, open_every_day
    from infusions.booking import selectors, services
    from intake.models import Screening
    from intake.services import intake_create

    rng = random.Random(7)
    open_every_day()
    for n in range(1, 9):
        ChairFactory(name=f"Chair {n}", position=n)
    users = {role: UserFactory(role=role) for role in (COORDINATOR, CLINICIAN, FRONT_DESK, NURSE)}
    clear = []
    for i in range(PATIENTS):
        screening = intake_create(answers=_answers(rng, i), by=users[COORDINATOR], consent_email=True, consent_sms=True)
        if screening.outcome == "clear":
            clear.append(screening.patient)
    protocol = services.protocol_for("depression")
    context = clinic_context(main_location())
    today, now = context.today(), context.now()
    booked = 0
    for k, patient in enumerate(clear[:SERIES]):
        earliest = today + timedelta(days=(k * 7) // 40)
        plan = selectors.propose_series(patient, protocol, clinic=context, earliest=earliest, now=now)
        visits = getattr(plan, "visits", None)
        if visits:
            services.series_book(patient=patient, visits=[(v.start, v.chair_id) for v in visits], by=users[FRONT_DESK])
            booked += 1
    if connection.vendor == "postgresql":
        # Fresh tables have no planner statistics yet: analyze them as autovacuum would on a live database
        # (and as bench/wrk/run.sh does), or the navigation's counts run on guessed plans.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "users": users,
        "booked": booked,
        "clear_patient": clear[-1].pk,
        # Booked first, from today: a course with visits, and the room's patients today.
        "course_patient": clear[0].pk,
        "flagged_screening": Screening.objects.exclude(outcome="clear").order_by("-id").values_list("pk", flat=True)[0],
        "busy_day": f"{today + timedelta(days=3):%Y-%m-%d}",
    }


def _session_cookie(user) -> str:
    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _environ(path: str, cookie: str) -> dict:
    route, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": cookie,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "https",
        "wsgi.input": BytesIO(b""),
        "wsgi.errors": BytesIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _rate(handler, path: str, cookie: str = "") -> dict:
    """Requests per second for `path` during SECONDS_PER_PAGE, and the first response's status and size."""
    status = {}

    def start_response(code, headers, exc_info=None):
        status.setdefault("code", int(code.split()[0]))

    body = b"".join(handler(_environ(path, cookie), start_response))
    count, began = 0, clock.perf_counter()
    while (elapsed := clock.perf_counter() - began) < SECONDS_PER_PAGE:
        for chunk in handler(_environ(path, cookie), start_response):
            del chunk
        count += 1
    return {"status": status["code"], "bytes": len(body), "req_per_s": round(count / elapsed, 1)}


def _bare_handler():
    """A WSGI handler with no middleware and one view: bare.py's 50-row table."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.http import HttpResponse
    from django.template import Context, Engine

    template = Engine().from_string(BARE_TEMPLATE)

    def table(request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, first_name, last_name, date_of_birth FROM intake_patient ORDER BY id LIMIT 50")
            rows = cursor.fetchall()
        return HttpResponse(template.render(Context({"rows": rows})))

    class Bare(WSGIHandler):
        def load_middleware(self, is_async=False):
            self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
            self._middleware_chain = lambda request: table(request)

    return Bare()


def run() -> dict:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings, setup_test_environment, teardown_test_environment
    from django.urls import reverse

    from clinic import settings as deployed_settings
    from clinic.roles import CLINICIAN, COORDINATOR, FRONT_DESK, NURSE

    began = clock.perf_counter()
    seeded = _seed()
    seed_seconds = round(clock.perf_counter() - began, 1)
    cookies = {role: _session_cookie(user) for role, user in seeded["users"].items()}
    pages = [
        ("coordinator patient search", COORDINATOR, reverse("intake:home") + "?q=Rivera"),
        ("clinician review queue", CLINICIAN, reverse("intake:queue")),
        ("clinician case page", CLINICIAN, reverse("intake:case", args=[seeded["flagged_screening"]])),
        ("front desk booking search", FRONT_DESK, reverse("infusions:book") + "?q=Nguyen"),
        ("front desk day view", FRONT_DESK, reverse("infusions:day") + f"?date={seeded['busy_day']}"),
        ("front desk week view", FRONT_DESK, reverse("infusions:week") + f"?date={seeded['busy_day']}"),
        ("front desk plan series", FRONT_DESK, reverse("infusions:book_plan", args=[seeded["clear_patient"]])),
        ("nurse infusion room", NURSE, reverse("infusions:room")),
        ("front desk day grid", FRONT_DESK, reverse("infusions:grid") + f"?date={seeded['busy_day']}"),
        ("front desk week grid", FRONT_DESK, reverse("infusions:grid_week") + f"?date={seeded['busy_day']}"),
        ("front desk worklists", FRONT_DESK, reverse("infusions:worklists")),
        ("clinician course page", CLINICIAN, reverse("infusions:course", args=[seeded["course_patient"]])),
        ("healthz", None, reverse("healthz")),
    ]
    # Measure what a deployment serves: no test-runner template instrumentation, no DEBUG, the navigation's
    # counts kept as the settings' default keeps them (the test settings turn that off).
    teardown_test_environment()
    try:
        deployed = {"DEBUG": False, "SECURE_SSL_REDIRECT": False, "ALLOWED_HOSTS": ["testserver"]}
        # clinic/settings.py's value (the test settings, imported over it, set 0)
        with override_settings(**deployed, NAV_COUNTS_SECONDS=deployed_settings.NAV_COUNTS_SECONDS):
            app, bare = WSGIHandler(), _bare_handler()
            before = _rate(bare, "/table/")["req_per_s"]
            results = {name: {"path": path, **_rate(app, path, cookies.get(role, ""))} for name, role, path in pages}
            after = _rate(bare, "/table/")["req_per_s"]
    finally:
        setup_test_environment()
    ceiling = (before + after) / 2
    for result in results.values():
        result["ratio"] = round(result["req_per_s"] / ceiling, 2)
    main = [r for name, r in results.items() if name != "healthz"]
    misses = sorted(
        name for name, r in results.items() if name != "healthz" and (r["status"] != 200 or r["ratio"] < AIM)
    )
    return {
        "patients": PATIENTS,
        "series_booked": seeded["booked"],
        "seed_seconds": seed_seconds,
        "ceiling_req_per_s": {"before": before, "after": after},
        "aim_ratio": AIM,
        "slowest_ratio": min(r["ratio"] for r in main),
        "misses": misses,
        "pages": results,
    }
