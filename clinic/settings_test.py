"""Settings for the test suite: the real settings, with a fast password hasher.

DATABASE_URL and REDIS_URL still choose the real services, so CI runs the same tests on both.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("DEBUG", "False")

from clinic.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests see the worklist counts as they are; clinic/tests/test_nav_counts_kept.py turns the keeping on.
NAV_COUNTS_SECONDS = 0
if REDIS_URL:  # noqa: F405 - a test run's keys apart from a demo's or another run's on the same Redis
    CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}"  # noqa: F405
