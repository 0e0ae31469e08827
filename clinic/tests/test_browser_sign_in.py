import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_each_role_in_to_its_home_page(page, sign_in, coordinator, clinician, front_desk):
    for user, heading in ((coordinator, "Patients"), (clinician, "Review queue"), (front_desk, "Today")):
        sign_in(user)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        expect(page.get_by_test_id("signed-in-as")).to_have_text(user.username)
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_it_shows_an_error_for_a_wrong_password(page, sign_in, coordinator):
    sign_in(coordinator, password="not-the-password")
    expect(page.get_by_test_id("login-error")).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_value(coordinator.username)


def test_it_locks_the_account_on_the_sixth_try(page, sign_in, coordinator):
    for _ in range(4):
        sign_in(coordinator, password="wrong-password")
        expect(page.get_by_test_id("login-error")).to_be_visible()
    # The fifth failure locks the account: django-axes says so at once.
    sign_in(coordinator, password="wrong-password")
    expect(page.get_by_test_id("locked-out")).to_be_visible()
    # The sixth try is refused even with the right password.
    sign_in(coordinator)
    expect(page.get_by_test_id("locked-out")).to_be_visible()
    page.goto("/")
    assert "/accounts/login/" in page.url
