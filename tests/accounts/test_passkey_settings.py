"""Where passkeys work comes from the configuration, and a wrong value stops start-up."""

import json

import pytest

from tests.test_configuration import _start

SHOW = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps([settings.OTP_WEBAUTHN_RP_ID, settings.OTP_WEBAUTHN_ALLOWED_ORIGINS]))"
)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, ["isa.example.org", ["https://isa.example.org"]]),
        ({"ALLOWED_HOSTS": "10.0.0.5,isa.example.org"}, ["isa.example.org", ["https://isa.example.org"]]),
        ({"SITE_URL": "https://isa.example.org/"}, ["isa.example.org", ["https://isa.example.org"]]),
        (
            {
                "PASSKEY_RP_ID": "example.org",
                "PASSKEY_ORIGINS": "https://isa.example.org,https://example.org",
            },
            ["example.org", ["https://isa.example.org", "https://example.org"]],
        ),
        (
            {"ALLOWED_HOSTS": "localhost", "SITE_URL": "http://localhost:8000"},
            ["localhost", ["http://localhost:8000"]],
        ),
        ({"SITE_URL": "http://isa.example.org"}, ["isa.example.org", ["https://isa.example.org"]]),
        (
            {"CSRF_TRUSTED_ORIGINS": "https://isa.example.org:8443"},
            ["isa.example.org", ["https://isa.example.org:8443"]],
        ),
        (  # docker-compose.yml's defaults: a variable not given is passed empty
            {
                "ALLOWED_HOSTS": "localhost,127.0.0.1",
                "CSRF_TRUSTED_ORIGINS": "https://localhost",
                "PASSKEY_RP_ID": "",
                "PASSKEY_ORIGINS": "",
            },
            ["localhost", ["https://localhost", "http://localhost:8000"]],
        ),
    ],
)
def test_the_relying_party_comes_from_the_hosts_or_its_own_variables(overrides, expected):
    result = _start(overrides, SHOW)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == expected


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"PASSKEY_RP_ID": "evil.example.net"}, "PASSKEY_RP_ID must be a host in ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "10.0.0.5"}, "PASSKEY_RP_ID must be set when ALLOWED_HOSTS names no host"),
        ({"PASSKEY_ORIGINS": "http://isa.example.org"}, "PASSKEY_ORIGINS must list https:// origins"),
        ({"PASSKEY_ORIGINS": "https://isa.example.net"}, "PASSKEY_ORIGINS must list https:// origins"),
    ],
)
def test_a_relying_party_passkeys_cannot_work_for_stops_start_up(overrides, named):
    result = _start(overrides)
    assert result.returncode != 0
    assert named in result.stderr
