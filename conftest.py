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


@pytest.fixture
def nurse(db):
    from clinic.roles import NURSE
    from clinic.tests.factories import UserFactory

    return UserFactory(role=NURSE, username="nurse")


@pytest.fixture
def prescriber(db):
    """A Clinician: the role that orders doses and releases start gates."""
    from clinic.tests.factories import clinician

    return clinician(username="prescriber")


# --- Browser harness: Playwright driving Debian's Chromium against a live test server. ---------
CHROMIUM = "/usr/bin/chromium"
TEST_PASSWORD = "correct-horse-battery"  # what clinic.tests.factories.UserFactory sets


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI must have Chromium: .ci/run installs Debian's chromium package")
        pytest.skip("Browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    """sign_in(user) signs that user in through the real sign-in form."""

    def _sign_in(user, password=TEST_PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return _sign_in
