"""Two-step sign-in: every role, enrolment at first sign-in, backup codes, no way around it."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from auditlog.registry import auditlog
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import SIGNED_IN_AT_KEY
from accounts.models import Role
from accounts.services import backup_code_matches, backup_codes_generate
from audit.models import AuditEntry, Event
from tests.accounts.conftest import password_step
from tests.auth import authenticator_for, current_code
from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _setup_key(client) -> str:
    return client.session["otp_setup_key"]


def _code_for_key(key_hex: str) -> str:
    return current_code(TOTPDevice(key=key_hex))


@pytest.mark.parametrize("role", ["practitioner", "lead", "ig_officer", "partnership_ig", "admin"])
def test_every_role_is_stopped_after_the_password_until_the_second_factor(plain_client, personas, role):
    user = personas[role]
    authenticator_for(user)
    response = password_step(plain_client, user.email)
    assert response.status_code == 302

    for url in ["/", reverse("accounts:session_list")]:
        response = plain_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:two_factor"))


def test_first_sign_in_sets_up_an_app_with_a_qr_code_drawn_on_the_server(plain_client, practitioner):
    password_step(plain_client, practitioner.email)
    response = plain_client.get("/", follow=True)
    assert response.request["PATH_INFO"] == reverse("accounts:two_factor_setup")
    html = response.content.decode()
    assert 'src="data:image/svg+xml' in html
    assert "style=" not in html  # the CSP allows no inline style

    key = _setup_key(plain_client)
    response = plain_client.post(reverse("accounts:two_factor_setup"), {"code": "000000"})
    assert response.status_code == 200
    assert "Enter the 6-digit code" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=practitioner).exists()

    response = plain_client.post(reverse("accounts:two_factor_setup"), {"code": _code_for_key(key)})
    assert response["Location"] == reverse("accounts:backup_codes")
    assert TOTPDevice.objects.get(user=practitioner).confirmed

    # The backup codes are shown once (only their hashes are kept), then only counted.
    page = plain_client.get(reverse("accounts:backup_codes")).content.decode()
    codes = re.findall(r"<code>([a-z0-9]{10})</code>", page)
    assert len(codes) == 10 == StaticToken.objects.filter(device__user=practitioner).count()
    again = plain_client.get(reverse("accounts:backup_codes")).content.decode()
    assert not any(code in again for code in codes)
    assert "10 unused backup codes" in again
    assert plain_client.get("/").status_code == 200


def test_a_password_alone_cannot_add_a_second_app(plain_client, practitioner):
    authenticator_for(practitioner)
    password_step(plain_client, practitioner.email)
    response = plain_client.get(reverse("accounts:two_factor_setup"))
    assert response["Location"] == reverse("accounts:two_factor")
    assert TOTPDevice.objects.filter(user=practitioner).count() == 1


def test_the_code_from_the_app_completes_sign_in_and_is_recorded(plain_client, lead):
    device = authenticator_for(lead)
    password_step(plain_client, lead.email)
    response = plain_client.post(
        reverse("accounts:two_factor") + "?next=/accounts/sessions/", {"code": current_code(device)}
    )
    assert response["Location"] == "/accounts/sessions/"
    assert plain_client.get("/").status_code == 200
    assert AuditEntry.objects.filter(
        event=Event.SIGN_IN, actor=lead, additional_data__has_key="second_factor"
    )


def test_a_code_cannot_be_replayed(plain_client, lead):
    device = authenticator_for(lead)
    code = current_code(device)
    password_step(plain_client, lead.email)
    plain_client.post(reverse("accounts:two_factor"), {"code": code})
    other = type(plain_client)()
    password_step(other, lead.email)
    response = other.post(reverse("accounts:two_factor"), {"code": code})
    assert response.status_code == 200
    assert other.get("/").status_code == 302


def test_next_cannot_send_the_person_to_another_site(plain_client, lead):
    device = authenticator_for(lead)
    password_step(plain_client, lead.email)
    response = plain_client.post(
        reverse("accounts:two_factor") + "?next=https://evil.example/", {"code": current_code(device)}
    )
    assert response["Location"] == "/"


def test_a_backup_code_works_once(plain_client, ig_officer):
    from accounts.services import backup_codes_generate

    authenticator_for(ig_officer)
    codes = backup_codes_generate(user=ig_officer, by=ig_officer)
    password_step(plain_client, ig_officer.email)
    response = plain_client.post(reverse("accounts:two_factor"), {"code": codes[0].upper()})
    assert response["Location"] == "/"
    assert StaticToken.objects.filter(device__user=ig_officer).count() == 9

    second = type(plain_client)()
    password_step(second, ig_officer.email)
    response = second.post(reverse("accounts:two_factor"), {"code": codes[0]})
    assert response.status_code == 200
    assert second.get("/").status_code == 302


def test_new_backup_codes_replace_the_old_ones(client, practitioner):
    from accounts.services import backup_codes_generate

    old = backup_codes_generate(user=practitioner, by=practitioner)
    client.force_login(practitioner)
    response = client.post(reverse("accounts:backup_codes"), {"password": PASSWORD})
    assert response["Location"] == reverse("accounts:backup_codes")
    page = client.get(reverse("accounts:backup_codes")).content.decode()
    new = re.findall(r"<code>([a-z0-9]{10})</code>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticToken.objects.filter(device__user=practitioner).count() == 10


def test_new_backup_codes_still_need_the_password_of_someone_who_has_one(client, practitioner):
    old = backup_codes_generate(user=practitioner, by=practitioner)
    client.force_login(practitioner)
    assert "password" in client.get(reverse("accounts:backup_codes")).context["form"].fields

    for posted in ({}, {"password": "wrong"}):
        response = client.post(reverse("accounts:backup_codes"), posted)
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
    (failed,) = AuditEntry.objects.filter(event=Event.SIGN_IN_FAILED, actor=practitioner)
    assert failed.additional_data == {"backup_codes": "wrong password"}
    assert _codes_work(practitioner, old)


def _sso_only(user):
    """The person's agency signs in only through single sign-on: no password to give again."""
    user.agency.password_sign_in = False
    user.agency.save()


def _codes_work(user, codes) -> bool:
    """Whether ``codes`` are exactly the person's backup codes now."""
    stored = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    return len(stored) == len(codes) and all(any(backup_code_matches(s, c) for s in stored) for c in codes)


def test_someone_who_signs_in_only_through_single_sign_on_makes_new_codes_soon_after_signing_in(
    client, practitioner
):
    """The rule adding a passkey follows (accounts.reauthentication): a recent sign-in, not a password."""
    _sso_only(practitioner)
    old = backup_codes_generate(user=practitioner, by=practitioner)
    client.force_login(practitioner)
    page = client.get(reverse("accounts:backup_codes"))
    assert "password" not in page.context["form"].fields
    assert "enter your password" not in page.content.decode()

    response = client.post(reverse("accounts:backup_codes"), {})

    assert response["Location"] == reverse("accounts:backup_codes")
    new = client.get(reverse("accounts:backup_codes")).context["codes"]
    assert len(new) == 10 and _codes_work(practitioner, new) and not set(new) & set(old)
    issued = AuditEntry.objects.filter(event=Event.BACKUP_CODES_ISSUED, actor=practitioner)
    assert issued.count() == 2


def test_someone_who_signs_in_only_through_single_sign_on_long_ago_is_asked_to_sign_in_again(
    client, practitioner
):
    _sso_only(practitioner)
    old = backup_codes_generate(user=practitioner, by=practitioner)
    client.force_login(practitioner)
    session = client.session
    session[SIGNED_IN_AT_KEY] -= 11 * 60
    session.save()

    page = client.get(reverse("accounts:backup_codes")).content.decode()
    assert "within 10 minutes of signing in" in page
    assert 'value="Make new backup codes"' not in page and "Make new backup codes</button>" not in page
    response = client.post(reverse("accounts:backup_codes"), {})

    assert response.status_code == 200
    assert "Sign in again to make new backup codes" in response.content.decode()
    assert _codes_work(practitioner, old)
    assert AuditEntry.objects.filter(event=Event.BACKUP_CODES_ISSUED, actor=practitioner).count() == 1


def test_too_many_wrong_codes_end_the_half_signed_in_session(plain_client, lead, settings):
    authenticator_for(lead)
    password_step(plain_client, lead.email)
    for _ in range(settings.OTP_MAX_FAILURES - 1):
        assert plain_client.post(reverse("accounts:two_factor"), {"code": "123456"}).status_code == 200
    response = plain_client.post(reverse("accounts:two_factor"), {"code": "123456"})
    assert response["Location"] == reverse("accounts:login")
    assert plain_client.get("/")["Location"].startswith(reverse("accounts:login"))
    failed = AuditEntry.objects.filter(event=Event.SIGN_IN_FAILED, actor=lead)
    assert failed.count() == settings.OTP_MAX_FAILURES


def test_password_reset_does_not_sign_in_and_the_next_sign_in_still_needs_the_code(
    plain_client, practitioner
):
    device = authenticator_for(practitioner)
    plain_client.post(reverse("accounts:password_reset"), {"email": practitioner.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line).strip()
    path = link[link.index("/accounts/") :]
    response = plain_client.get(path, follow=True)
    new_password = "a long new passphrase for tests"
    response = plain_client.post(
        response.request["PATH_INFO"], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert "_auth_user_id" not in plain_client.session
    assert plain_client.get("/")["Location"].startswith(reverse("accounts:login"))

    password_step(plain_client, practitioner.email, new_password)
    assert plain_client.get("/")["Location"].startswith(reverse("accounts:two_factor"))
    plain_client.post(reverse("accounts:two_factor"), {"code": current_code(device)})
    assert plain_client.get("/").status_code == 200


def test_the_django_admin_needs_the_second_factor(plain_client, agency):
    staff = UserFactory(agency=agency, role=Role.ADMIN, is_staff=True, is_superuser=True)
    device = authenticator_for(staff)
    plain_client.force_login(staff)
    admin_index = reverse("admin:index")
    assert plain_client.get(admin_index)["Location"].startswith(reverse("accounts:two_factor"))

    session = plain_client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert plain_client.get(admin_index).status_code == 200


def test_the_django_admin_is_an_otp_admin_site():
    from django.contrib import admin
    from django_otp.admin import OTPAdminSite

    assert isinstance(admin.site, OTPAdminSite)


@override_settings(OTP_REQUIRED=False)
def test_the_local_demo_switch_lets_the_password_alone_through(plain_client, practitioner):
    password_step(plain_client, practitioner.email)
    assert plain_client.get("/").status_code == 200


def _settings_with(**env) -> subprocess.CompletedProcess:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "OTP_", "DEBUG"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="isa_portal.settings",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="isa.example.org",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_two_factor_cannot_be_turned_off_without_debug():
    result = _settings_with(DEBUG="false", OTP_REQUIRED="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "OTP_REQUIRED" in result.stderr
    assert _settings_with(DEBUG="true", OTP_REQUIRED="false").returncode == 0


def test_second_factor_devices_are_audited_without_their_secrets():
    assert "key" in auditlog.get_model_fields(TOTPDevice)["exclude_fields"]
    # Single backup codes are not audited one by one (an entry would name nobody): named events are.
    assert not auditlog.contains(StaticToken)
    assert auditlog.contains(StaticDevice)


def test_setting_up_an_app_writes_no_secret_to_the_audit_trail(plain_client, practitioner):
    password_step(plain_client, practitioner.email)
    plain_client.get(reverse("accounts:two_factor_setup"))
    key = _setup_key(plain_client)
    plain_client.post(reverse("accounts:two_factor_setup"), {"code": _code_for_key(key)})
    codes = StaticToken.objects.filter(device__user=practitioner).values_list("token", flat=True)
    trail = " ".join(
        str(e.changes) + e.object_repr + str(e.additional_data) for e in AuditEntry.objects.all()
    )
    assert key not in trail
    assert not any(code in trail for code in codes)
    assert AuditEntry.objects.filter(content_type__model="totpdevice").exists()


def test_removing_a_device_ends_the_persons_sessions(practitioner):
    from tests.accounts.test_sessions import _signed_in

    signed_in = _signed_in(practitioner)
    assert signed_in.get("/").status_code == 200
    TOTPDevice.objects.get(user=practitioner).delete()
    assert signed_in.get("/")["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "code", ["²²²²²²", "\uff11\uff12\uff13\uff14\uff15\uff16", "12345", "1234567", "abcdef"]
)
def test_setting_up_refuses_codes_that_are_not_six_plain_digits(plain_client, practitioner, code):
    password_step(plain_client, practitioner.email)
    plain_client.get(reverse("accounts:two_factor_setup"))
    response = plain_client.post(reverse("accounts:two_factor_setup"), {"code": code})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=practitioner).exists()
