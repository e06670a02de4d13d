"""Single sign-on with OpenID Connect, through mozilla-django-oidc, for several providers at once.

mozilla-django-oidc reads one provider from settings; here each provider of ``SSO_PROVIDERS``
(``accounts.oidc_providers``) is handed to its views and backend through ``get_settings``. What the
library does: the authorisation request (state, nonce, PKCE), the code-for-token exchange, the
provider's keys (JWKS) and the ID token's signature. What this module adds:

- **Discovery.** Endpoints come from the provider's ``/.well-known/openid-configuration``, fetched
  the first time someone signs in with it and kept for an hour (``DISCOVERY_TTL``), not at
  start-up: a provider that is down must not stop the service starting or password sign-in. The
  document's ``issuer`` must be the configured one.
- **The ID token checked in full**: the algorithm configured, its signature, ``iss``, ``aud`` (and
  ``azp``), ``exp``, ``iat`` and the nonce. Claims are read from the ID token only (Entra ID's
  token carries ``email``/``upn`` and ``amr``; its userinfo is Microsoft Graph's).
- **The account must already exist.** A provider never creates an account or grants a role: it
  proves an email address, which must be in the provider's domains and belong to an active
  account of an agency the provider serves (``account_for``). Each refusal says why in plain
  English and is audited; a sign-in is audited naming the provider.
- **The second step.** If the operator says the provider's MFA claim counts
  (``SSO_<NAME>_MFA_COUNTS``) and the token carries it, the product's own second step is
  satisfied by the provider, and the sign-in's audit entry says so; otherwise it still applies.

The session is held by ``accounts.backends.UserBackend``, as after a password: this module's
backend is not in ``AUTHENTICATION_BACKENDS``, so nothing but the callback can reach it.
"""

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_safe
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from accounts.lockouts import normalise_username
from accounts.middleware import PROVIDER_MFA_KEY
from accounts.models import User
from accounts.oidc_providers import Provider
from audit.models import Event
from audit.services import record_event

DISCOVERY_TTL = 60 * 60
# Allowed clock difference between the provider and this server, for exp and iat.
LEEWAY_SECONDS = 60
SESSION_STATES = "oidc_states"  # mozilla-django-oidc's: state -> nonce, PKCE verifier, (ours) provider
REFUSAL_SESSION_KEY = "sso_refusal"
SESSION_BACKEND = "accounts.backends.UserBackend"

_discovery_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def providers() -> dict[str, Provider]:
    return {provider.slug: provider for provider in settings.SSO_PROVIDERS}


def provider_or_404(slug: str) -> Provider:
    try:
        return providers()[slug]
    except KeyError:
        raise Http404 from None


class ProviderUnavailable(Exception):
    """The provider could not be reached, or answered with something that is not OpenID Connect."""


def discover(provider: Provider) -> dict[str, Any]:
    """The provider's discovery document, fetched once an hour at most (a failure is not kept)."""
    cached = _discovery_cache.get(provider.discovery_url)
    if cached and time.monotonic() - cached[0] < DISCOVERY_TTL:
        return cached[1]
    try:
        response = requests.get(provider.discovery_url, timeout=settings.SSO_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"discovery failed: {exc}") from exc
    if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != provider.issuer:
        # OpenID Connect Discovery 1.0, section 4.3: the issuer must be exactly the one asked for.
        raise ProviderUnavailable("discovery document names another issuer")
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(endpoint), str):
            raise ProviderUnavailable(f"discovery document has no {endpoint}")
    _discovery_cache[provider.discovery_url] = (time.monotonic(), document)
    return document


def forget_discovery() -> None:
    """Drop every cached discovery document (a provider moved its endpoints; the tests)."""
    _discovery_cache.clear()


class _ProviderSettings:
    """mozilla-django-oidc's settings, answered for one provider instead of from Django's settings."""

    provider: Provider

    def get_settings(self, attr: str, *default: Any) -> Any:
        provider = self.provider
        endpoints = {
            "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
            "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
            "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
        }
        if attr in endpoints:
            return discover(provider)[endpoints[attr]]
        values = {
            "OIDC_OP_USER_ENDPOINT": None,  # claims come from the ID token
            "OIDC_RP_CLIENT_ID": provider.client_id,
            "OIDC_RP_CLIENT_SECRET": provider.client_secret,
            "OIDC_RP_SIGN_ALGO": provider.sign_algo,
            "OIDC_RP_IDP_SIGN_KEY": None,
            "OIDC_RP_SCOPES": provider.scopes,
            "OIDC_USE_NONCE": True,
            "OIDC_USE_PKCE": True,
            "OIDC_TIMEOUT": settings.SSO_TIMEOUT,
            "OIDC_AUTHENTICATION_CALLBACK_URL": "accounts:sso_callback",
            "OIDC_STORE_ACCESS_TOKEN": False,
            "OIDC_STORE_ID_TOKEN": False,
            "OIDC_ALLOW_UNSECURED_JWT": False,
        }
        if attr in values:
            return values[attr]
        return getattr(settings, attr, *default)


@dataclass
class SignInRefused(Exception):
    """Why a single sign-on did not sign anyone in: a code for the audit trail, words for the person."""

    reason: str
    message: str
    email: str = ""
    user: User | None = None


class ProviderBackend(_ProviderSettings, OIDCAuthenticationBackend):
    def __init__(self, provider: Provider):
        self.provider = provider
        self.claims: dict[str, Any] = {}
        super().__init__()

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.provider.sign_algo:
            raise SuspiciousOperation(f"ID token signed with {header.get('alg')!r}")
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[self.provider.sign_algo],
                audience=self.provider.client_id,
                issuer=self.provider.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc
        audience = claims["aud"]
        if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != self.provider.client_id:
            raise SuspiciousOperation("ID token for several audiences without this client as azp")
        return claims

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            self.claims = super().verify_token(token, **kwargs)
        except jwt.InvalidTokenError as exc:  # a token that is not a JWT at all
            raise SuspiciousOperation(f"ID token unreadable: {exc}") from exc
        return self.claims

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        return account_for(self.provider, payload)


def email_from_claims(provider: Provider, claims: dict[str, Any]) -> str:
    """The email address the provider vouches for: the first of its email claims that holds one."""
    for claim in provider.email_claims:
        value = claims.get(claim)
        if isinstance(value, str) and "@" in value:
            if claim == "email" and claims.get("email_verified") is False:
                continue  # the provider says it has not checked this address
            return normalise_username(value)
    return ""


def account_for(provider: Provider, claims: dict[str, Any]) -> User:
    """The existing, active account the provider's verified email address belongs to, or why not."""
    email = email_from_claims(provider, claims)
    if not email:
        raise SignInRefused(
            "no_email",
            f"{provider.name} did not give us a checked email address for you, so you cannot sign in "
            "with it. Contact your IT service desk.",
        )
    if not provider.allows_email(email):
        raise SignInRefused(
            "domain_not_allowed",
            f"You cannot use {provider.name} to sign in as {email}: it is set up only for email "
            f"addresses ending {', '.join(sorted('@' + domain for domain in provider.email_domains))}.",
            email=email,
        )
    user = User.objects.select_related("agency").filter(email__iexact=email).first()
    if user is None:
        raise SignInRefused(
            "unknown_account",
            f"There is no {settings.SERVICE_NAME} account for {email}. "
            "Ask an administrator at your agency to add you.",
            email=email,
        )
    if not user.is_active:
        raise SignInRefused(
            "account_off",
            f"Your account ({email}) has been turned off. Contact your administrator.",
            email=email,
            user=user,
        )
    if not provider.serves(user.agency_id):
        raise SignInRefused(
            "agency_not_served",
            f"{provider.name} is not set up for {user.agency or 'partnership-wide accounts'}. "
            "Sign in the way your agency does.",
            email=email,
            user=user,
        )
    return user


class SignInStartView(_ProviderSettings, OIDCAuthenticationRequestView):
    """Send the person to their provider; the state it will return is tied to that provider."""

    def __init__(self, **kwargs: Any):
        # The library reads the provider from settings here; ours is known only from the URL.
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def get(self, request: HttpRequest, provider: str) -> HttpResponse:
        self.provider = provider_or_404(provider)
        if request.user.is_authenticated:
            return redirect("home")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable as exc:
            return refuse(
                request,
                self.provider,
                SignInRefused("provider_unreachable", _unreachable(self.provider)),
                exc,
            )
        self.OIDC_RP_CLIENT_ID = self.provider.client_id
        response = super().get(request)
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        request.session[SESSION_STATES][state]["provider"] = self.provider.slug
        request.session.modified = True
        return response


def _unreachable(provider: Provider) -> str:
    return f"We could not reach {provider.name}. Try again in a few minutes, or sign in another way."


@require_safe
def sign_in_callback(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the person back, with a code to exchange (or an error)."""
    states = request.session.get(SESSION_STATES) or {}
    entry = states.pop(request.GET.get("state", ""), None)
    request.session.modified = True
    provider = providers().get(entry.get("provider", "")) if entry else None
    if provider is None:
        # No sign-in of this browser's is waiting for this answer: expired, replayed, or forged.
        return refuse(
            request,
            None,
            SignInRefused(
                "unexpected_answer",
                "Your sign-in took too long or was started in another window. Try again.",
            ),
        )
    if request.GET.get("error") or not request.GET.get("code"):
        return refuse(
            request,
            provider,
            SignInRefused(
                "provider_refused", f"{provider.name} did not sign you in. Try again, or sign in another way."
            ),
            request.GET.get("error", "no code")[:100],
        )
    try:
        backend = ProviderBackend(provider)
        user = backend.authenticate(request, nonce=entry["nonce"], code_verifier=entry["code_verifier"])
    except SignInRefused as refusal:
        return refuse(request, provider, refusal)
    except ProviderUnavailable as exc:
        return refuse(request, provider, SignInRefused("provider_unreachable", _unreachable(provider)), exc)
    except requests.RequestException as exc:
        return refuse(
            request,
            provider,
            SignInRefused(
                "token_refused",
                f"{provider.name} did not confirm your sign-in. Try again, or sign in another way.",
            ),
            exc,
        )
    except SuspiciousOperation as exc:
        return refuse(
            request,
            provider,
            SignInRefused(
                "token_invalid",
                f"The answer from {provider.name} could not be trusted, so you have not been signed in. "
                "Try again; if it happens again, contact support.",
            ),
            exc,
        )
    if user is None:  # the library found no ID token in the answer
        return refuse(
            request,
            provider,
            SignInRefused("token_invalid", f"{provider.name} did not confirm your sign-in. Try again."),
        )
    next_url = request.session.get("oidc_login_next") or reverse("home")
    user_sign_in_by_provider(request=request, user=user, provider=provider, claims=backend.claims)
    return redirect(next_url)


def user_sign_in_by_provider(
    *, request: HttpRequest, user: User, provider: Provider, claims: dict[str, Any]
) -> bool:
    """Sign ``user`` in as their provider vouched; returns whether the provider's MFA stands in for
    the product's second step. The sign-in's audit entry (``audit.signals``) names the provider."""
    by_provider = provider.mfa_counts and provider.mfa_claimed(claims)
    request.sign_in_detail = {
        "provider": provider.slug,
        "provider_name": provider.name,
        "second_step": "provider" if by_provider else "product",
    }
    with transaction.atomic():
        login(request, user, backend=SESSION_BACKEND)
    if by_provider:
        request.session[PROVIDER_MFA_KEY] = provider.slug
    return by_provider


def password_sign_in_allowed(user: User) -> bool:
    """Whether ``user`` may sign in with a password: not when their agency signs in only through
    single sign-on (``Agency.password_sign_in``, set by a partnership administrator)."""
    return user.agency is None or user.agency.password_sign_in


def providers_serving(user: User) -> list[Provider]:
    return [provider for provider in settings.SSO_PROVIDERS if provider.serves(user.agency_id)]


def password_refusal(user: User) -> str:
    """What the password form and password reset say to someone whose agency uses single sign-on."""
    buttons = " or ".join(f"\u201cSign in with {provider.name}\u201d" for provider in providers_serving(user))
    how = f"Use {buttons} on the sign-in page." if buttons else "Ask your administrator how to sign in."
    return f"{user.agency} signs in to {settings.SERVICE_NAME} through single sign-on, not a password. {how}"


def record_password_refused(user: User) -> None:
    """The right password, for an account whose agency signs in only through single sign-on."""
    record_event(
        Event.SIGN_IN_FAILED,
        model=User,
        label=user.email,
        detail={"username": user.email, "reason": "password_sign_in_off"},
        agency_id=user.agency_id,
    )


def refuse(
    request: HttpRequest, provider: Provider | None, refusal: SignInRefused, cause: object = None
) -> HttpResponse:
    """Audit a refused single sign-on, and show why on the sign-in page."""
    user = refusal.user
    detail = {"provider": provider.slug if provider else None, "reason": refusal.reason}
    if refusal.email:
        detail["username"] = refusal.email
    if cause is not None:
        detail["cause"] = str(cause)[:300]
    record_event(
        Event.SIGN_IN_FAILED,
        model=User,
        label=refusal.email or "(single sign-on)",
        detail=detail,
        agency_id=user.agency_id if user is not None else None,
    )
    request.session[REFUSAL_SESSION_KEY] = refusal.message
    return redirect("accounts:login")
