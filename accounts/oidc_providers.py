"""Single sign-on providers, read from the environment when settings load.

Kept free of models and of mozilla-django-oidc so ``isa_portal.settings`` can import it. The
sign-in itself is ``accounts.oidc``. Each provider is named in ``SSO_PROVIDERS`` and configured
by variables that start with its name in capitals (README, "Single sign-on")::

    SSO_PROVIDERS=northshire
    SSO_NORTHSHIRE_NAME=Northshire County Council
    SSO_NORTHSHIRE_ISSUER=https://login.microsoftonline.com/<tenant id>/v2.0
    SSO_NORTHSHIRE_CLIENT_ID=...
    SSO_NORTHSHIRE_CLIENT_SECRET=...
    SSO_NORTHSHIRE_EMAIL_DOMAINS=northshire.gov.uk
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from isa_portal.env import env, env_bool, env_list

ENTRA_HOST = "login.microsoftonline.com"
# Entra ID's multi-tenant issuers name no tenant: any organisation's accounts could sign in.
ENTRA_SHARED_TENANTS = {"common", "organizations", "consumers"}
# Where each kind of provider puts the email address, in the order tried. Entra ID sends `email`
# only when the account has a mailbox; `upn` and `preferred_username` hold the sign-in name, an
# email address in the tenant's own verified domains.
EMAIL_CLAIMS = {"entra": ("email", "upn", "preferred_username"), "generic": ("email",)}
# RFC 8176: "mfa" says more than one factor was used. "otp" or "hwk" alone is one factor, so they
# count only if the operator lists them.
DEFAULT_MFA_AMR = ("mfa",)
_SLUG = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


@dataclass(frozen=True)
class Provider:
    slug: str
    name: str
    issuer: str
    discovery_url: str
    client_id: str
    client_secret: str
    email_domains: frozenset[str]
    email_claims: tuple[str, ...]
    mfa_counts: bool = False
    mfa_amr: frozenset[str] = frozenset(DEFAULT_MFA_AMR)
    mfa_acr: frozenset[str] = frozenset()
    # Agency primary keys this provider signs in; empty: any agency (a partnership-wide provider).
    agencies: frozenset[int] = frozenset()
    sign_algo: str = "RS256"
    scopes: str = "openid email profile"

    def serves(self, agency_id: int | None) -> bool:
        return not self.agencies or agency_id in self.agencies

    def allows_email(self, email: str) -> bool:
        return email.rpartition("@")[2].lower() in self.email_domains

    def mfa_claimed(self, claims: dict) -> bool:
        """Whether the ID token says the person used more than one factor, as this provider says it."""
        amr = claims.get("amr") or []
        if isinstance(amr, str):
            amr = [amr]
        return bool(self.mfa_amr.intersection(str(value) for value in amr)) or (
            str(claims.get("acr", "")) in self.mfa_acr
        )


def _required(name: str) -> str:
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set for the single sign-on provider named in SSO_PROVIDERS."
        )
    return value


def _check_url(name: str, url: str) -> None:
    parts = urlsplit(url)
    local = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ImproperlyConfigured(f"{name} must be an https:// address (got {url!r}).")


def provider_from_env(slug: str) -> Provider:
    prefix = f"SSO_{slug.upper()}_"
    issuer = _required(prefix + "ISSUER").rstrip("/")
    _check_url(prefix + "ISSUER", issuer)
    parts = urlsplit(issuer)
    entra = parts.hostname == ENTRA_HOST
    if entra and parts.path.strip("/").split("/")[0].lower() in ENTRA_SHARED_TENANTS:
        raise ImproperlyConfigured(
            f"{prefix}ISSUER must name your Entra ID tenant "
            f"(https://login.microsoftonline.com/<tenant id>/v2.0), not a shared endpoint such as 'common'."
        )
    kind = env.str(prefix + "KIND", default="entra" if entra else "generic").strip().lower()
    if kind not in EMAIL_CLAIMS:
        raise ImproperlyConfigured(f"{prefix}KIND must be entra or generic (got {kind!r}).")
    discovery_url = env.str(prefix + "DISCOVERY_URL", default="").strip() or (
        issuer + "/.well-known/openid-configuration"
    )
    _check_url(prefix + "DISCOVERY_URL", discovery_url)
    domains = frozenset(domain.lower().lstrip("@") for domain in env_list(prefix + "EMAIL_DOMAINS", []))
    if not domains:
        raise ImproperlyConfigured(
            f"{prefix}EMAIL_DOMAINS must list the email domains this provider may sign in, "
            "e.g. northshire.gov.uk."
        )
    agencies = env_list(prefix + "AGENCIES", [])
    if not all(agency.isdigit() for agency in agencies):
        raise ImproperlyConfigured(
            f"{prefix}AGENCIES must list agency numbers (as in the address of each agency's page), "
            f"comma-separated (got {','.join(agencies)!r})."
        )
    algo = env.str(prefix + "SIGN_ALGO", default="RS256").strip()
    if algo not in {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256"}:
        raise ImproperlyConfigured(f"{prefix}SIGN_ALGO must be an asymmetric algorithm such as RS256.")
    return Provider(
        slug=slug,
        name=env.str(prefix + "NAME", default="").strip() or slug.replace("_", " ").title(),
        issuer=issuer,
        discovery_url=discovery_url,
        client_id=_required(prefix + "CLIENT_ID"),
        client_secret=_required(prefix + "CLIENT_SECRET"),
        email_domains=domains,
        email_claims=tuple(env_list(prefix + "EMAIL_CLAIMS", list(EMAIL_CLAIMS[kind]))),
        mfa_counts=env_bool(prefix + "MFA_COUNTS", False),
        mfa_amr=frozenset(env_list(prefix + "MFA_AMR", list(DEFAULT_MFA_AMR))),
        mfa_acr=frozenset(env_list(prefix + "MFA_ACR", [])),
        agencies=frozenset(int(agency) for agency in agencies),
        sign_algo=algo,
    )


def providers_from_env() -> tuple[Provider, ...]:
    """Every provider named in ``SSO_PROVIDERS``; none when it is unset (passwords only)."""
    slugs = [slug.lower() for slug in env_list("SSO_PROVIDERS", [])]
    for slug in slugs:
        if not _SLUG.match(slug) or slug == "callback":
            raise ImproperlyConfigured(
                f"SSO_PROVIDERS must list short names of letters, digits and underscores (got {slug!r})."
            )
    if len(set(slugs)) != len(slugs):
        raise ImproperlyConfigured("SSO_PROVIDERS names a provider twice.")
    return tuple(provider_from_env(slug) for slug in slugs)
