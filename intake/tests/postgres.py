"""Marks for the intake tests that need a real PostgreSQL (concurrent connections, its refusals)."""

import pytest
from django.conf import settings

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
ONLY_ON_POSTGRES = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL (real concurrent connections): set DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic",
)
# A module of real threads, each with its own connection, against real PostgreSQL.
CONCURRENT = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), ONLY_ON_POSTGRES]
