"""Settings for the clinic application, read from the environment (see README.md, Configuration)."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import phonenumbers
from csp.constants import NONE, SELF

from clinic.env import ConfigError, env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105 (DEBUG only)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # django-bootstrap-static: Bootstrap's own files, served locally
    "axes",
    "csp",
    "django_htmx",
    "simple_history",
    "clinic",
    "intake",
    "infusions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the views and their transactions: a change has committed when the kept counts are retired.
    "clinic.middleware.RefreshNavCountsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "clinic.middleware.RenewIdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clinic.middleware.NoStoreForSignedInMiddleware",
    "clinic.middleware.LocationTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.htmx: True on the requests htmx makes (the infusion room's board refresh).
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the authentication outcome of every view.
    "axes.middleware.AxesMiddleware",
]

# History is viewable in admin, never revertible (clinic.admin refuses the revert POST as well).
SIMPLE_HISTORY_REVERT_DISABLED = True

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.roles",
                "intake.context_processors.urgent_count",
                "infusions.context_processors.worklist_counts",
                "infusions.context_processors.prescriber_count",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'clinic.sqlite3'}")
# Persistent connections (checked before reuse): a new PostgreSQL connection per request was the
# largest fixed cost of every page.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two booking transactions serialise instead of
    # both reading "free" and both writing. WAL lets readers carry on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after SESSION_IDLE_MINUTES without a request. The expiry is renewed at most once a
# minute (clinic.middleware.RenewIdleSessionMiddleware), not written on every request.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 15, minimum=1, maximum=24 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes: 5 failures lock that username from that address for 15 minutes. Keyed on both, so
# one mistyped account does not lock the whole front desk behind the clinic's shared address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
# One date and time format across the application (clinic/when.py); Django's named formats match it.
FORMAT_MODULE_PATH = ["clinic.formats"]
TIME_ZONE = env_str("TIME_ZONE", "America/Los_Angeles")
# The country of phone numbers typed without their country code (stored in E.164, see intake/phones.py).
PHONE_REGION = env_str("PHONE_REGION", "US")
if PHONE_REGION not in phonenumbers.SUPPORTED_REGIONS:
    raise ConfigError(f"PHONE_REGION must be a country code in capitals, e.g. US or GB, not {PHONE_REGION!r}")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Content-Security-Policy: no inline scripts or styles, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Transport security: on unless DEBUG.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG and env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# E-mail: written to files under var/outbox/email unless EMAIL_BACKEND says otherwise.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "outbox" / "email"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "clinic@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SMS: a file backend under var/outbox/sms unless SMS_BACKEND names a provider's.
SMS_BACKEND = env_str("SMS_BACKEND", "infusions.reminders.sms.FileBackend")
SMS_FILE_PATH = VAR_DIR / "outbox" / "sms"
SMS_FROM = env_str("SMS_FROM", "")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")

# Reminders: the public address for the patient's confirmation link, and how long a worker may hold
# a claimed reminder before another may take it over (the one at-least-once gap, README).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
REMINDER_LEASE_SECONDS = env_int("REMINDER_LEASE_SECONDS", 600, minimum=60)

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/, which
# needs no server (worker, beat and web server exchange messages through files).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # The broadcast exchange table (worker control, e.g. `celery inspect`) also lives under
        # var/, not in a `control/` folder wherever the process happened to start.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
# Django's cache holds only the navigation's worklist counts (clinic/navcache.py): Redis when REDIS_URL is
# set, so every web process sees a change at once; otherwise each process keeps its own in memory.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "clinic"),
        }
    }
NAV_COUNTS_SECONDS = env_int("NAV_COUNTS_SECONDS", 30, minimum=0, maximum=300)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Every minute: claim due reminders and queue their sends (infusions.tasks).
    "dispatch-due-reminders": {"task": "infusions.tasks.dispatch_due_reminders", "schedule": 60.0},
    # Every minute: send the patient notices of moved or cancelled visits still pending (infusions.tasks).
    "send-patient-notices": {"task": "infusions.tasks.send_patient_notices", "schedule": 60.0},
}

# Logging: no patient data is ever logged; records carry ids only.
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_query_strings": {"()": "clinic.logging.StripQueryStrings"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_query_strings"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Request lines (development server, request errors) without query strings: a search
        # for a patient carries the name in ?q=.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
