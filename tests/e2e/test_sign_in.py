import pytest

from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANDING_HEADINGS = {
    "practitioner": "Your records",
    "lead": "Decisions to review",
    "ig_officer": "Reports and audit",
    "admin": "Partnership agencies",
}


def test_sign_in_page_is_accessible_and_shows_errors_the_govuk_way(page, practitioner):
    page.goto("/accounts/login/")
    assert_accessible(page)

    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter your email address" in summary.inner_text()
    assert "Enter your password" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    assert page.console_errors == []


@pytest.mark.parametrize("role", LANDING_HEADINGS)
def test_each_role_signs_in_to_its_landing_page(page, personas, role):
    user = personas[role]
    sign_in(page, user.email)
    assert page.locator("h1").inner_text() == LANDING_HEADINGS[role]
    assert_accessible(page)
    assert page.console_errors == []

    page.get_by_role("button", name="Sign out").click()
    assert page.locator("h1").inner_text() == "Sign in to ISA Portal"
