"""Passkeys in Chromium, with its virtual authenticator (Chrome DevTools Protocol, WebAuthn domain):
one made at the first sign-in, then the second step of the next sign-in."""

import pytest

from accounts.models import Passkey
from audit.models import AuditEntry, Event
from tests.e2e.conftest import assert_accessible
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def relying_party(settings, live_server):
    """The live server's origin: a passkey is bound to localhost (a secure context without TLS)."""
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]


@pytest.fixture
def authenticator(page):
    """A platform authenticator that keeps passkeys and verifies the person (a fingerprint, say)."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable", {"enableUI": False})
    added = session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return session, added["authenticatorId"]


def _password_step(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_passkey_made_at_set_up_is_the_second_step_of_the_next_sign_in(
    page, practitioner, relying_party, authenticator
):
    session, authenticator_id = authenticator
    _password_step(page, practitioner.email)
    assert page.locator("h1").inner_text() == "Set up two-step sign-in"
    page.get_by_role("button", name="Set up a passkey").click()

    page.get_by_label("Name your passkey").fill("Work laptop")
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Create your passkey"
    assert_accessible(page)
    page.get_by_role("button", name="Create passkey").click()

    page.wait_for_url("**/accounts/two-step/backup-codes/")
    assert page.locator(".app-backup-codes li").count() == 10
    page.get_by_role("link", name="I have saved my codes").click()
    assert page.locator("h1").inner_text() == "Your records"
    (kept,) = session.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    passkey = Passkey.objects.get(user=practitioner)
    assert passkey.name == "Work laptop"
    assert kept["isResidentCredential"]

    page.get_by_role("button", name="Sign out").click()
    _password_step(page, practitioner.email)
    assert page.locator("h1").inner_text() == "Confirm it's you"
    assert_accessible(page)
    page.get_by_role("button", name="Use your passkey").click()

    page.wait_for_url(f"{page.url.split('/accounts/')[0]}/")
    assert page.locator("h1").inner_text() == "Your records"
    signed_in = AuditEntry.objects.filter(event=Event.SIGN_IN, actor=practitioner).order_by("pk").last()
    assert signed_in.additional_data == {"second_factor": "passkey", "passkey": "Work laptop"}
    assert page.console_errors == []


def test_a_device_that_holds_a_passkey_already_is_told_so_in_an_error_summary(
    page, practitioner, relying_party, authenticator
):
    from tests.e2e.conftest import sign_in

    sign_in(page, practitioner.email)  # with the authenticator app
    for attempt in range(2):
        page.goto("/accounts/security/")
        page.get_by_role("button", name="Add a passkey").click()
        page.get_by_label("Name your passkey").fill(f"Laptop {attempt}")
        page.get_by_label("Your password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("button", name="Create passkey").click()
        if attempt == 0:
            page.wait_for_url("**/accounts/security/")
            assert page.get_by_text("Your passkey 'Laptop 0' has been added.").is_visible()

    summary = page.locator(".govuk-error-summary")
    summary.wait_for(state="visible")
    assert "already holds one of your passkeys" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    assert list(Passkey.objects.filter(user=practitioner).values_list("name", flat=True)) == ["Laptop 0"]
