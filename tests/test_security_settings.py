"""Headers and settings (ASVS V3, V14): what every response carries, and Django's deployment check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.auth import authenticator_for
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def signed_in_page(client, practitioner):
    client.force_login(practitioner)
    return client.get("/", secure=True)


def test_hsts_for_at_least_a_year_with_subdomains(signed_in_page):
    hsts = signed_in_page["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 365 * 24 * 60 * 60
    assert "includeSubDomains" in hsts


def test_an_enforced_csp_with_a_nonce_and_no_framing(signed_in_page):
    csp = signed_in_page["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in signed_in_page
    assert "script-src 'self' 'nonce-" in csp
    assert "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in signed_in_page.content.decode()


def test_other_protective_headers(signed_in_page):
    assert signed_in_page["X-Content-Type-Options"] == "nosniff"
    assert signed_in_page["Referrer-Policy"] == "same-origin"
    assert signed_in_page["X-Frame-Options"] == "DENY"
    assert signed_in_page["Cross-Origin-Opener-Policy"] == "same-origin"


def test_signed_in_pages_are_never_stored(signed_in_page):
    assert "no-store" in signed_in_page["Cache-Control"]


def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(practitioner):
    authenticator_for(practitioner)
    client = Client()
    page = client.get(reverse("accounts:login"), secure=True)
    csrf = page.cookies["csrftoken"]
    response = client.post(
        reverse("accounts:login"), {"username": practitioner.email, "password": PASSWORD}, secure=True
    )
    session = response.cookies["sessionid"]
    for cookie in (session, csrf):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
    assert not session["max-age"]  # ends with the browser; the server ends it sooner


def test_manage_py_check_deploy_passes_with_production_settings():
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DEBUG", "OTP_", "SECURE_", "SESSION_", "STATIC_", "EMAIL_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="isa_portal.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="isa.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    # Nothing at all, not even a silenced or INFO-level note.
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout
