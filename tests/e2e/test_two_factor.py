"""The first sign-in in a real browser: set up the app from the QR page, keep the backup codes."""

import re

import pytest
from django_otp.oath import TOTP

from tests.e2e.conftest import assert_accessible
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_sign_in_sets_up_two_step_sign_in(page, practitioner):
    from base64 import b32decode

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(practitioner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    assert page.locator("h1").inner_text() == "Set up two-step sign-in"
    qr = page.get_by_role("img", name=re.compile("QR code"))
    assert qr.evaluate("img => img.naturalWidth") > 0  # the browser drew it under the CSP
    assert_accessible(page)

    page.get_by_text("I cannot scan the QR code").click()
    key = page.locator(".app-setup-key").inner_text().replace(" ", "")
    code = TOTP(b32decode(key)).token()
    page.get_by_label("Code from the app").fill(f"{code:06d}")
    page.get_by_role("button", name="Turn on two-step sign-in").click()

    assert page.locator("h1").inner_text() == "Your backup codes"
    assert page.locator(".app-backup-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have saved my codes").click()
    assert page.locator("h1").inner_text() == "Your records"
    assert page.console_errors == []
