import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by the test
# itself (not by the live server) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def coordinator(db):
    from clinic.tests.factories import coordinator

    return coordinator(username="coord")


@pytest.fixture
def clinician(db):
    from clinic.tests.factories import clinician

    return clinician(username="doc")


@pytest.fixture
def front_desk(db):
    from clinic.tests.factories import front_desk

    return front_desk(username="desk")
