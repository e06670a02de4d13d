"""Single sign-on providers come from the environment, and a bad value stops start-up naming it."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.oidc_providers import providers_from_env

TENANT = "0b5c1a7e-6c1f-4c4e-9b0a-2f1d3c4b5a69"
ENTRA = {
    "SSO_PROVIDERS": "northshire, partnership",
    "SSO_NORTHSHIRE_NAME": "Northshire County Council",
    "SSO_NORTHSHIRE_ISSUER": f"https://login.microsoftonline.com/{TENANT}/v2.0",
    "SSO_NORTHSHIRE_CLIENT_ID": "client-1",
    "SSO_NORTHSHIRE_CLIENT_SECRET": "secret-1",
    "SSO_NORTHSHIRE_EMAIL_DOMAINS": "Northshire.gov.uk, @nhs.net",
    "SSO_NORTHSHIRE_MFA_COUNTS": "true",
    "SSO_NORTHSHIRE_AGENCIES": "3,7",
    "SSO_PARTNERSHIP_ISSUER": "https://idp.partnership.example/realms/isa/",
    "SSO_PARTNERSHIP_CLIENT_ID": "client-2",
    "SSO_PARTNERSHIP_CLIENT_SECRET": "secret-2",
    "SSO_PARTNERSHIP_EMAIL_DOMAINS": "partnership.example",
    "SSO_PARTNERSHIP_MFA_ACR": "urn:partnership:mfa",
}


@pytest.fixture
def environment(monkeypatch):
    def set_environment(values: dict[str, str]) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_environment


def test_entra_and_generic_providers_are_read_with_their_conventions(environment):
    environment(ENTRA)
    northshire, partnership = providers_from_env()
    assert northshire.slug == "northshire"
    assert northshire.discovery_url == (
        f"https://login.microsoftonline.com/{TENANT}/v2.0/.well-known/openid-configuration"
    )
    assert northshire.email_claims == ("email", "upn", "preferred_username")
    assert northshire.email_domains == {"northshire.gov.uk", "nhs.net"}
    assert northshire.mfa_counts and northshire.mfa_amr == {"mfa"}
    assert northshire.agencies == {3, 7}
    assert partnership.issuer == "https://idp.partnership.example/realms/isa"
    assert partnership.email_claims == ("email",)
    assert partnership.name == "Partnership"
    assert not partnership.mfa_counts and partnership.mfa_acr == {"urn:partnership:mfa"}
    assert partnership.agencies == frozenset()


def test_no_providers_by_default(monkeypatch):
    monkeypatch.delenv("SSO_PROVIDERS", raising=False)
    assert providers_from_env() == ()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SSO_NORTHSHIRE_ISSUER": "https://login.microsoftonline.com/common/v2.0"}, "SSO_NORTHSHIRE_ISSUER"),
        ({"SSO_NORTHSHIRE_ISSUER": "http://idp.example/"}, "SSO_NORTHSHIRE_ISSUER"),
        ({"SSO_NORTHSHIRE_CLIENT_SECRET": ""}, "SSO_NORTHSHIRE_CLIENT_SECRET"),
        ({"SSO_NORTHSHIRE_EMAIL_DOMAINS": ""}, "SSO_NORTHSHIRE_EMAIL_DOMAINS"),
        ({"SSO_NORTHSHIRE_MFA_COUNTS": "sometimes"}, "SSO_NORTHSHIRE_MFA_COUNTS"),
        ({"SSO_NORTHSHIRE_AGENCIES": "Northshire"}, "SSO_NORTHSHIRE_AGENCIES"),
        ({"SSO_NORTHSHIRE_SIGN_ALGO": "HS256"}, "SSO_NORTHSHIRE_SIGN_ALGO"),
        ({"SSO_NORTHSHIRE_KIND": "okta"}, "SSO_NORTHSHIRE_KIND"),
        ({"SSO_PROVIDERS": "northshire,northshire"}, "SSO_PROVIDERS"),
        ({"SSO_PROVIDERS": "callback"}, "SSO_PROVIDERS"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(environment, change, named):
    environment({**ENTRA, **change})
    with pytest.raises(ImproperlyConfigured, match=named):
        providers_from_env()
