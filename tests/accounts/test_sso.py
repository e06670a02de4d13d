"""Single sign-on, end to end against a real OpenID Connect provider running in the test process.

The browser's part is played by Django's test client (this service) and ``requests`` (the
provider's authorisation endpoint); the service itself fetches discovery, exchanges the code and
fetches the keys from the provider over HTTP, as in production.
"""

import dataclasses
import time
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts import oidc
from accounts.middleware import PROVIDER_MFA_KEY
from accounts.oidc_providers import Provider
from audit.models import AuditEntry, Event
from tests.auth import authenticator_for, current_code
from tests.oidc_provider import OIDCProvider, new_key

ENTRA_TENANT = "0b5c1a7e-6c1f-4c4e-9b0a-2f1d3c4b5a69"


def provider_for(idp: OIDCProvider, **changes) -> Provider:
    provider = Provider(
        slug="northshire",
        name="Northshire Council",
        issuer=idp.issuer,
        discovery_url=idp.issuer + "/.well-known/openid-configuration",
        client_id=idp.client_id,
        client_secret=idp.client_secret,
        email_domains=frozenset({"example.org"}),
        email_claims=("email",),
    )
    return dataclasses.replace(provider, **changes)


@pytest.fixture
def idp():
    provider = OIDCProvider().start()
    oidc.forget_discovery()
    yield provider
    provider.stop()
    oidc.forget_discovery()


@pytest.fixture
def configure(settings, idp):
    """Configure the service for the test provider, with any setting of ``Provider`` changed."""

    def configure(**changes) -> Provider:
        provider = provider_for(idp, **changes)
        settings.SSO_PROVIDERS = (provider,)
        return provider

    configure()
    return configure


@pytest.fixture
def browser():
    return Client()


def sign_in_through(browser: Client, slug: str = "northshire", query: str = ""):
    """Press "Sign in with ...", let the provider sign the person in, and come back with its code."""
    start = browser.get(reverse("accounts:sso_start", args=[slug]) + query)
    assert start.status_code == 302, start
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == reverse("accounts:sso_callback")
    return browser.get(f"{back.path}?{back.query}")


def signed_in_as(browser: Client):
    return browser.session.get("_auth_user_id")


def refusal_shown(browser: Client, response) -> str:
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert signed_in_as(browser) is None
    page = browser.get(response["Location"]).content.decode()
    assert "govuk-error-summary" in page
    assert "<title>Error: " in page
    return page


def last_entry(event: Event) -> AuditEntry:
    return AuditEntry.objects.filter(event=event).order_by("-pk").first()


@pytest.mark.django_db
def test_a_person_signs_in_end_to_end_and_still_gives_the_products_second_step(
    browser, idp, configure, practitioner
):
    idp.claims = {"email": practitioner.email.upper(), "amr": ["pwd"]}
    response = sign_in_through(browser)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_as(browser) == str(practitioner.pk)
    # Discovery, the authorisation request, the code exchanged (client secret and PKCE checked by
    # the provider) and the keys fetched to check the ID token's signature.
    assert idp.hits == ["/.well-known/openid-configuration", "/authorize", "/token", "/jwks"]
    assert idp.token_requests[0]["code_verifier"]
    entry = last_entry(Event.SIGN_IN)
    assert entry.actor_id == practitioner.pk
    assert entry.additional_data == {
        "provider": "northshire",
        "provider_name": "Northshire Council",
        "second_step": "product",
    }
    # The provider did not say it used more than one factor: the product's own step still applies.
    second_step = browser.get(reverse("home"))
    assert second_step["Location"].startswith(reverse("accounts:two_factor"))
    device = authenticator_for(practitioner)
    browser.post(reverse("accounts:two_factor"), {"code": current_code(device)})
    assert browser.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_after_sign_in_the_person_goes_back_to_the_page_they_asked_for(browser, idp, configure, practitioner):
    idp.claims = {"email": practitioner.email}
    response = sign_in_through(browser, query="?next=/accounts/sessions/")
    assert response["Location"] == "/accounts/sessions/"


@pytest.mark.django_db
def test_a_next_address_on_another_site_is_ignored(browser, idp, configure, practitioner):
    idp.claims = {"email": practitioner.email}
    response = sign_in_through(browser, query="?next=https://evil.example/")
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_discovery_is_fetched_once_and_kept(browser, idp, configure, practitioner):
    idp.claims = {"email": practitioner.email}
    sign_in_through(browser)
    sign_in_through(Client())
    assert idp.hits.count("/.well-known/openid-configuration") == 1


@pytest.mark.django_db
def test_the_sign_in_page_offers_each_provider_as_a_secondary_button(browser, configure):
    page = browser.get(reverse("accounts:login")).content.decode()
    assert "govuk-button--secondary" in page
    assert "Sign in with Northshire Council" in page
    assert reverse("accounts:sso_start", args=["northshire"]) in page


@pytest.mark.django_db
def test_without_providers_the_page_has_no_buttons_and_the_address_is_not_found(browser, settings):
    settings.SSO_PROVIDERS = ()
    assert "Sign in with" not in browser.get(reverse("accounts:login")).content.decode()
    assert browser.get(reverse("accounts:sso_start", args=["northshire"])).status_code == 404


@pytest.mark.django_db
def test_an_unknown_email_address_is_refused_and_no_account_is_made(browser, idp, configure, practitioner):
    from accounts.models import User

    before = User.objects.count()
    idp.claims = {"email": "stranger@example.org"}
    page = refusal_shown(browser, sign_in_through(browser))
    assert "There is no ISA Portal account for stranger@example.org" in page
    assert User.objects.count() == before
    entry = last_entry(Event.SIGN_IN_FAILED)
    assert entry.additional_data["reason"] == "unknown_account"
    assert entry.additional_data["provider"] == "northshire"
    assert entry.object_repr == "stranger@example.org"


@pytest.mark.django_db
def test_a_turned_off_account_is_refused(browser, idp, configure, practitioner):
    practitioner.is_active = False
    practitioner.save()
    idp.claims = {"email": practitioner.email}
    page = refusal_shown(browser, sign_in_through(browser))
    assert "has been turned off" in page
    entry = last_entry(Event.SIGN_IN_FAILED)
    assert entry.additional_data["reason"] == "account_off"
    assert entry.agency_id == practitioner.agency_id


@pytest.mark.django_db
def test_an_email_outside_the_providers_domains_is_refused_even_for_an_existing_account(
    browser, idp, configure, practitioner
):
    practitioner.email = "practitioner@elsewhere.test"
    practitioner.save()
    idp.claims = {"email": practitioner.email}
    page = refusal_shown(browser, sign_in_through(browser))
    assert "set up only for email addresses ending @example.org" in page
    assert last_entry(Event.SIGN_IN_FAILED).additional_data["reason"] == "domain_not_allowed"


@pytest.mark.django_db
def test_a_provider_not_serving_the_persons_agency_is_refused(
    browser, idp, configure, practitioner, other_agency
):
    configure(agencies=frozenset({other_agency.pk}))
    idp.claims = {"email": practitioner.email}
    page = refusal_shown(browser, sign_in_through(browser))
    assert escape(f"Northshire Council is not set up for {practitioner.agency.name}") in page
    assert last_entry(Event.SIGN_IN_FAILED).additional_data["reason"] == "agency_not_served"


@pytest.mark.django_db
def test_a_provider_serving_the_persons_agency_signs_them_in(browser, idp, configure, practitioner):
    configure(agencies=frozenset({practitioner.agency_id}))
    idp.claims = {"email": practitioner.email}
    sign_in_through(browser)
    assert signed_in_as(browser) == str(practitioner.pk)


@pytest.mark.django_db
def test_an_email_the_provider_has_not_checked_is_refused(browser, idp, configure, practitioner):
    idp.claims = {"email": practitioner.email, "email_verified": False}
    refusal_shown(browser, sign_in_through(browser))
    assert last_entry(Event.SIGN_IN_FAILED).additional_data["reason"] == "no_email"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param({"sign_with": "another key"}, id="bad signature"),
        pytest.param({"token_changes": {"aud": "another-client"}}, id="wrong audience"),
        pytest.param({"token_changes": {"iss": "https://impostor.example"}}, id="wrong issuer"),
        pytest.param(
            {"token_changes": {"exp": int(time.time()) - 600, "iat": int(time.time()) - 900}}, id="expired"
        ),
        pytest.param({"token_changes": {"nonce": "replayed-nonce"}}, id="wrong nonce"),
        pytest.param({"token_changes": {"exp": None}}, id="no expiry"),
        pytest.param(
            {"token_changes": {"aud": ["isa-portal", "another-client"]}}, id="several audiences without azp"
        ),
    ],
)
def test_an_id_token_that_cannot_be_trusted_is_refused(browser, idp, configure, practitioner, spoil):
    idp.claims = {"email": practitioner.email}
    if "sign_with" in spoil:
        idp.sign_with = new_key()
    idp.token_changes = spoil.get("token_changes", {})
    page = refusal_shown(browser, sign_in_through(browser))
    assert "could not be trusted" in page
    entry = last_entry(Event.SIGN_IN_FAILED)
    assert entry.additional_data["reason"] == "token_invalid"
    assert entry.additional_data["provider"] == "northshire"
    assert not AuditEntry.objects.filter(event=Event.SIGN_IN).exists()


@pytest.mark.django_db
def test_a_wrong_client_secret_is_refused_by_the_provider(browser, idp, configure, practitioner):
    configure(client_secret="not-the-secret")
    idp.claims = {"email": practitioner.email}
    refusal_shown(browser, sign_in_through(browser))
    assert last_entry(Event.SIGN_IN_FAILED).additional_data["reason"] == "token_refused"


@pytest.mark.django_db
def test_a_person_who_cancels_at_the_provider_is_told_and_the_refusal_audited(
    browser, idp, configure, practitioner
):
    idp.authorize_error = "access_denied"
    page = refusal_shown(browser, sign_in_through(browser))
    assert "Northshire Council did not sign you in" in page
    entry = last_entry(Event.SIGN_IN_FAILED)
    assert entry.additional_data["reason"] == "provider_refused"
    assert entry.additional_data["cause"] == "access_denied"


@pytest.mark.django_db
def test_an_answer_this_browser_did_not_ask_for_is_refused_and_a_code_works_once(
    browser, idp, configure, practitioner
):
    idp.claims = {"email": practitioner.email}
    start = browser.get(reverse("accounts:sso_start", args=["northshire"]))
    back = urlsplit(requests.get(start["Location"], allow_redirects=False, timeout=10).headers["Location"])
    callback = f"{back.path}?{back.query}"
    # Another browser (login CSRF: an attacker's code pushed into someone's session) is refused.
    refusal_shown(stranger := Client(), stranger.get(callback))
    assert last_entry(Event.SIGN_IN_FAILED).additional_data["reason"] == "unexpected_answer"
    browser.get(callback)
    assert signed_in_as(browser) == str(practitioner.pk)
    browser.post(reverse("accounts:logout"))
    refusal_shown(browser, browser.get(callback))


@pytest.mark.django_db
def test_a_provider_that_cannot_be_reached_is_refused_in_plain_english(browser, settings, practitioner):
    dead = OIDCProvider()  # never started: nothing listens on its port
    dead.server.server_close()
    settings.SSO_PROVIDERS = (provider_for(dead),)
    oidc.forget_discovery()
    page = refusal_shown(browser, browser.get(reverse("accounts:sso_start", args=["northshire"])))
    assert "We could not reach Northshire Council" in page
    assert last_entry(Event.SIGN_IN_FAILED).additional_data["reason"] == "provider_unreachable"


@pytest.mark.django_db
def test_a_discovery_document_naming_another_issuer_is_not_used(browser, idp, settings):
    settings.SSO_PROVIDERS = (provider_for(idp, issuer="https://login.example.test"),)
    refusal_shown(browser, browser.get(reverse("accounts:sso_start", args=["northshire"])))
    assert "another issuer" in last_entry(Event.SIGN_IN_FAILED).additional_data["cause"]


# --- The provider's MFA claim ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_providers_mfa_stands_in_for_the_second_step_when_the_operator_says_so(
    browser, idp, configure, practitioner
):
    configure(mfa_counts=True)
    idp.claims = {"email": practitioner.email, "amr": ["pwd", "mfa"]}
    sign_in_through(browser)
    assert browser.get(reverse("home")).status_code == 200
    assert browser.session[PROVIDER_MFA_KEY] == "northshire"
    assert last_entry(Event.SIGN_IN).additional_data["second_step"] == "provider"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mfa_counts", "claims"),
    [
        pytest.param(False, {"amr": ["pwd", "mfa"]}, id="claim present, operator has not said it counts"),
        pytest.param(True, {"amr": ["pwd"]}, id="operator trusts it, but one factor only"),
        pytest.param(True, {"amr": ["otp"]}, id="a one-time code alone is not listed by default"),
        pytest.param(True, {"acr": "urn:example:mfa"}, id="acr not configured"),
    ],
)
def test_otherwise_the_products_own_second_step_still_applies(
    browser, idp, configure, practitioner, mfa_counts, claims
):
    configure(mfa_counts=mfa_counts)
    idp.claims = {"email": practitioner.email, **claims}
    sign_in_through(browser)
    assert signed_in_as(browser) == str(practitioner.pk)
    assert browser.get(reverse("home"))["Location"].startswith(reverse("accounts:two_factor"))
    assert last_entry(Event.SIGN_IN).additional_data["second_step"] == "product"


@pytest.mark.django_db
def test_a_configured_acr_value_counts_as_mfa(browser, idp, configure, practitioner):
    configure(mfa_counts=True, mfa_acr=frozenset({"urn:example:mfa"}))
    idp.claims = {"email": practitioner.email, "acr": "urn:example:mfa"}
    sign_in_through(browser)
    assert browser.get(reverse("home")).status_code == 200


# --- Entra ID's conventions --------------------------------------------------------------------


@pytest.fixture
def entra(settings):
    """A provider whose issuer and discovery follow Entra ID's (tenant in the path, /v2.0)."""
    provider = OIDCProvider(issuer_path=f"/{ENTRA_TENANT}/v2.0").start()
    oidc.forget_discovery()
    settings.SSO_PROVIDERS = (
        provider_for(
            provider,
            slug="entra",
            name="Northshire (Microsoft)",
            email_claims=("email", "upn", "preferred_username"),
            mfa_counts=True,
        ),
    )
    yield provider
    provider.stop()
    oidc.forget_discovery()


@pytest.mark.django_db
@pytest.mark.parametrize("claim", ["preferred_username", "upn"])
def test_entra_accounts_without_a_mailbox_are_matched_by_their_sign_in_name(
    browser, entra, practitioner, claim
):
    entra.claims = {
        claim: practitioner.email.title(),
        "name": practitioner.full_name,
        "tid": ENTRA_TENANT,
        "amr": ["pwd", "mfa"],
    }
    sign_in_through(browser, slug="entra")
    assert signed_in_as(browser) == str(practitioner.pk)
    assert browser.get(reverse("home")).status_code == 200  # Entra's "mfa" amr, trusted here
    assert entra.hits[0] == f"/{ENTRA_TENANT}/v2.0/.well-known/openid-configuration"


@pytest.mark.django_db
def test_entras_email_claim_comes_first_when_there_is_one(browser, entra, practitioner, lead):
    entra.claims = {"email": practitioner.email, "preferred_username": lead.email}
    sign_in_through(browser, slug="entra")
    assert signed_in_as(browser) == str(practitioner.pk)


@pytest.mark.django_db
def test_a_sign_in_name_that_is_not_an_email_address_is_refused(browser, entra, practitioner):
    entra.claims = {"preferred_username": "+447700900123"}
    refusal_shown(browser, sign_in_through(browser, slug="entra"))
    assert last_entry(Event.SIGN_IN_FAILED).additional_data["reason"] == "no_email"


# --- Agencies that sign in only through single sign-on ------------------------------------------


def passwords_off(agency) -> None:
    agency.password_sign_in = False
    agency.save()


@pytest.mark.django_db
def test_the_right_password_is_refused_for_an_agency_that_signs_in_only_through_sso(
    browser, configure, practitioner
):
    from tests.factories import PASSWORD

    passwords_off(practitioner.agency)
    response = browser.post(reverse("accounts:login"), {"username": practitioner.email, "password": PASSWORD})
    page = response.content.decode()
    assert response.status_code == 200
    assert signed_in_as(browser) is None
    assert "govuk-error-summary" in page
    assert "signs in to ISA Portal through single sign-on, not a password" in page
    assert escape("Use \u201cSign in with Northshire Council\u201d on the sign-in page") in page
    entry = last_entry(Event.SIGN_IN_FAILED)
    assert entry.additional_data["reason"] == "password_sign_in_off"
    assert entry.agency_id == practitioner.agency_id


@pytest.mark.django_db
def test_a_wrong_password_for_such_an_agency_says_nothing_more_than_for_anyone(browser, practitioner):
    passwords_off(practitioner.agency)
    page = browser.post(
        reverse("accounts:login"), {"username": practitioner.email, "password": "wrong"}
    ).content.decode()
    assert "Enter a correct email address and password" in page
    assert "through single sign-on, not a password" not in page


@pytest.mark.django_db
def test_people_of_such_an_agency_still_sign_in_through_their_provider(browser, idp, configure, practitioner):
    passwords_off(practitioner.agency)
    idp.claims = {"email": practitioner.email}
    sign_in_through(browser)
    assert signed_in_as(browser) == str(practitioner.pk)


@pytest.mark.django_db
def test_password_reset_tells_them_how_to_sign_in_and_sets_no_password(browser, configure, practitioner):
    import re

    from django.core import mail

    from accounts.services import invitation_link

    passwords_off(practitioner.agency)
    browser.post(reverse("accounts:password_reset"), {"email": practitioner.email})
    assert len(mail.outbox) == 1
    assert "There is no password to reset" in mail.outbox[0].body
    assert "Sign in with Northshire Council" in mail.outbox[0].body
    assert not re.search(r"/accounts/password-reset/\S+/\S+/", mail.outbox[0].body)
    # A link sent before the agency turned passwords off (an invitation, a reset) sets nothing.
    link = invitation_link(practitioner, base_url="http://testserver")
    page = browser.get(link, follow=True)
    assert "You sign in through single sign-on" in page.content.decode()
    set_url = page.redirect_chain[-1][0]
    browser.post(
        set_url,
        {"new_password1": "a brand new long passphrase", "new_password2": "a brand new long passphrase"},
    )
    practitioner.refresh_from_db()
    assert not practitioner.check_password("a brand new long passphrase")


@pytest.mark.django_db
def test_an_invitation_to_such_an_agency_points_to_single_sign_on_not_a_password(client, admin):
    from django.core import mail

    passwords_off(admin.agency)
    client.force_login(admin)
    data = {
        "email": "new.person@example.org",
        "full_name": "New Person",
        "job_title": "Health visitor",
        "agency": admin.agency_id,
        "role": "practitioner",
    }
    assert client.post(reverse("accounts:user_create"), data).status_code == 302
    body = mail.outbox[-1].body
    assert "signs in through single sign-on" in body
    assert "http://testserver/accounts/login/" in body
    assert "/password-reset/" not in body
