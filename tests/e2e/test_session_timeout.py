"""The idle time-out in a real browser, with a one-minute limit (issue 14, item 4).

At the deadline the page goes to "You have been signed out", the server has ended the session (it
ends it at the limit, not after), and what the person had typed comes back when they sign in again.
"""

import pytest
from django.contrib.sessions.models import Session
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import UserSession
from tests.e2e.conftest import assert_accessible, next_code, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session_of(page) -> dict:
    keys = [cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "sessionid"]
    session = Session.objects.filter(session_key__in=keys).first()
    return session.get_decoded() if session else {}

TYPED = "Kept through the time-out"


def test_the_idle_time_out_signs_out_on_the_server_and_keeps_what_was_typed(page, practitioner, settings):
    settings.SESSION_IDLE_TIMEOUT = 60
    settings.SESSION_IDLE_WARNING = 20
    sign_in(page, practitioner.email)
    page.goto("/children/new/")
    page.get_by_label("First name").fill(TYPED)

    # Nothing more is done: a minute later the page itself goes to the signed-out page.
    page.wait_for_url("**/accounts/signed-out/**", timeout=100_000)
    assert page.locator("h1").inner_text() == "You have been signed out"
    assert_accessible(page)
    # The server had ended the session by then: the page's countdown only says so.
    assert not UserSession.objects.filter(user=practitioner).exists()
    assert "_auth_user_id" not in _session_of(page)

    page.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Email address").fill(practitioner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.get_by_label("Code").fill(next_code(TOTPDevice.objects.get(user=practitioner)))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/children/new/")
    assert page.get_by_label("First name").input_value() == TYPED
    assert "We have filled in what you had typed" in page.locator("main").inner_text()
    assert page.console_errors == []
