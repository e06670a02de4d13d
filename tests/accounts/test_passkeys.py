"""Passkeys as the second step: made at set-up or later, used at sign-in, removed; all audited.

The ceremonies run against ``tests.webauthn.SoftAuthenticator``, whose answers the server checks
as it checks a browser's (signature, challenge, origin, relying party). The same in Chromium with
its virtual authenticator: tests/e2e/test_passkeys.py.
"""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.middleware import SIGNED_IN_AT_KEY
from accounts.models import Passkey, UserSession
from accounts.passkey_views import APP_KEY_SESSION
from accounts.services import backup_codes_generate, two_factor_app_add
from audit.models import AuditEntry, Event
from tests.accounts.conftest import password_step
from tests.auth import authenticator_for, current_code
from tests.factories import PASSWORD
from tests.webauthn import SoftAuthenticator, passkey_for


def _post_json(client: Client, url_name: str, body: dict | None = None, query: str = ""):
    return client.post(
        reverse(url_name) + query,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
    )


def _make_passkey(client: Client, authenticator: SoftAuthenticator, *, name: str = "Work laptop", **extra):
    """Name it, then the ceremony: what the page and its script do."""
    client.post(reverse("accounts:passkey_add"), {"name": name, **extra})
    options = _post_json(client, "accounts:passkey_register_begin").json()
    return _post_json(client, "accounts:passkey_register_complete", authenticator.register(options))


def _use_passkey(client: Client, authenticator: SoftAuthenticator, query: str = ""):
    options = _post_json(client, "accounts:passkey_verify_begin").json()
    return _post_json(client, "accounts:passkey_verify_complete", authenticator.sign(options), query)


def _events(event: Event, user) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event=event, object_pk=str(user.pk)).order_by("pk"))


def _second_steps(user) -> list[AuditEntry]:
    """Sign-ins by the second step (the password's own sign-in entry comes first)."""
    return [e for e in _events(Event.SIGN_IN, user) if "second_factor" in (e.additional_data or {})]


# --- Set-up: the first second step --------------------------------------------------------------


def test_the_set_up_page_offers_a_passkey_beside_the_app(plain_client, practitioner):
    password_step(plain_client, practitioner.email)
    html = plain_client.get(reverse("accounts:two_factor_setup")).content.decode()
    assert "Use a passkey (recommended)" in html
    assert reverse("accounts:passkey_add") in html
    assert "Or use an authenticator app" in html


def test_a_passkey_made_at_the_first_sign_in_completes_it_with_backup_codes(plain_client, practitioner):
    password_step(plain_client, practitioner.email)
    response = _make_passkey(plain_client, SoftAuthenticator(), name="Work laptop")

    assert response.status_code == 200
    assert response.json() == {"redirect_url": reverse("accounts:backup_codes")}
    passkey = Passkey.objects.get(user=practitioner)
    assert passkey.name == "Work laptop"
    # Verified exactly as a code does it: django-otp's login with the device.
    assert plain_client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    assert plain_client.get("/").status_code == 200
    codes = plain_client.get(reverse("accounts:backup_codes")).context["codes"]
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=practitioner).count() == 10

    (added,) = _events(Event.PASSKEY_ADDED, practitioner)
    assert (added.actor, added.additional_data) == (practitioner, {"passkey": "Work laptop", "first": True})
    assert _events(Event.BACKUP_CODES_ISSUED, practitioner)
    (signed_in,) = _second_steps(practitioner)
    assert signed_in.additional_data == {"second_factor": "set up"}


def test_a_passkey_needs_a_name_first(plain_client, practitioner):
    password_step(plain_client, practitioner.email)
    response = plain_client.post(reverse("accounts:passkey_add"), {"name": "  "})
    assert response.status_code == 200
    assert "Enter a name for your passkey" in response.content.decode()
    assert plain_client.get(reverse("accounts:passkey_create"))["Location"] == reverse("accounts:passkey_add")
    refused = _post_json(plain_client, "accounts:passkey_register_begin")
    assert refused.status_code == 400
    assert not Passkey.objects.exists()


def test_a_password_alone_cannot_add_a_passkey_to_an_account_with_a_second_step(plain_client, practitioner):
    authenticator_for(practitioner)
    password_step(plain_client, practitioner.email)

    assert plain_client.get(reverse("accounts:passkey_add"))["Location"] == reverse("accounts:two_factor")
    assert plain_client.post(reverse("accounts:passkey_add"), {"name": "Mine"})["Location"] == reverse(
        "accounts:two_factor"
    )
    # Straight at the ceremony, with a name left in the session: still refused.
    session = plain_client.session
    session["passkey_pending"] = {"name": "Mine", "at": 2_000_000_000}
    session.save()
    refused = _post_json(plain_client, "accounts:passkey_register_begin")
    assert refused.status_code == 403
    assert refused.json()["code"] == "user_not_verified"
    assert not Passkey.objects.exists()


def test_an_answer_for_another_site_is_refused_and_recorded(plain_client, practitioner):
    """Phishing: a passkey used on a look-alike site signs that site's origin, which is refused."""
    password_step(plain_client, practitioner.email)
    response = _make_passkey(plain_client, SoftAuthenticator(origin="https://isa-portal.example.net"))

    assert response.status_code == 422
    assert not Passkey.objects.exists()
    assert DEVICE_ID_SESSION_KEY not in plain_client.session
    (failed,) = _events(Event.SIGN_IN_FAILED, practitioner)
    assert failed.additional_data == {"passkey": "not added", "reason": "invalid_registration_response"}


# --- Adding one later, from the security page ----------------------------------------------------


def test_adding_a_passkey_when_signed_in_asks_for_the_password_again(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("accounts:passkey_add"), {"name": "Phone", "password": "wrong"})
    assert "Enter the password you sign in with" in response.content.decode()
    (failed,) = _events(Event.SIGN_IN_FAILED, practitioner)
    assert failed.additional_data == {"passkey": "wrong password"}

    response = _make_passkey(client, SoftAuthenticator(), name="Phone", password=PASSWORD)
    assert response.json() == {"redirect_url": reverse("accounts:security")}
    (added,) = _events(Event.PASSKEY_ADDED, practitioner)
    assert added.additional_data == {"passkey": "Phone", "first": False}
    assert not _events(Event.BACKUP_CODES_ISSUED, practitioner)  # the codes they have stay
    assert "Phone" in client.get(reverse("accounts:security")).content.decode()


def test_someone_who_signs_in_only_through_single_sign_on_adds_one_soon_after_signing_in(
    client, practitioner
):
    """They have no password to give again: a sign-in in the last ten minutes stands in for it."""
    practitioner.agency.password_sign_in = False
    practitioner.agency.save()
    client.force_login(practitioner)
    form = client.get(reverse("accounts:passkey_add")).context["form"]
    assert "password" not in form.fields
    assert _make_passkey(client, SoftAuthenticator(), name="Phone").status_code == 200

    session = client.session
    session[SIGNED_IN_AT_KEY] -= 11 * 60
    session.save()
    response = client.post(reverse("accounts:passkey_add"), {"name": "Tablet"})
    assert "Sign in again to add a passkey" in response.content.decode()
    assert _post_json(client, "accounts:passkey_register_begin").status_code == 400
    assert list(Passkey.objects.filter(user=practitioner).values_list("name", flat=True)) == ["Phone"]


def test_two_passkeys_of_one_person_have_different_names(client, practitioner):
    passkey_for(practitioner, name="Phone")
    client.force_login(practitioner)
    response = client.post(reverse("accounts:passkey_add"), {"name": "phone", "password": PASSWORD})
    assert "You already have a passkey with this name" in response.content.decode()


# --- Using one as the second step ------------------------------------------------------------------


def test_the_second_step_offers_the_passkey_and_the_codes(plain_client, practitioner):
    passkey_for(practitioner)
    authenticator_for(practitioner)
    password_step(plain_client, practitioner.email)
    html = plain_client.get(reverse("accounts:two_factor")).content.decode()
    assert "Use your passkey" in html
    assert reverse("accounts:passkey_verify_begin") in html
    assert 'name="code"' in html


def test_a_passkey_gives_the_second_step_as_a_code_does(plain_client, practitioner):
    authenticator = SoftAuthenticator()
    passkey = passkey_for(practitioner, authenticator)
    password_step(plain_client, practitioner.email)
    before = UserSession.objects.get(user=practitioner).session_key

    response = _use_passkey(plain_client, authenticator, query="?next=/decisions/")

    assert response.json() == {"redirect_url": "/decisions/"}
    assert plain_client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    # A new session key once the second step is given, as after a code.
    assert UserSession.objects.get(user=practitioner).session_key != before
    assert plain_client.get("/").status_code == 200
    (signed_in,) = _second_steps(practitioner)
    assert (signed_in.actor, signed_in.additional_data) == (
        practitioner,
        {"second_factor": "passkey", "passkey": "Work laptop"},
    )
    passkey.refresh_from_db()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None


def test_a_passkey_of_one_person_cannot_verify_another(plain_client, practitioner, lead):
    """Lead's passkey signs practitioner's challenge, validly: refused, practitioner not signed in."""
    passkey_for(practitioner)
    leads_authenticator = SoftAuthenticator()
    passkey_for(lead, leads_authenticator)
    password_step(plain_client, practitioner.email)

    response = _use_passkey(plain_client, leads_authenticator)

    assert response.status_code == 403
    assert response.json()["code"] == "credential_user_mismatch"
    assert DEVICE_ID_SESSION_KEY not in plain_client.session
    assert plain_client.get("/")["Location"].startswith(reverse("accounts:two_factor"))
    (failed,) = _events(Event.SIGN_IN_FAILED, practitioner)
    assert failed.additional_data == {
        "second_factor": "passkey",
        "reason": "credential_user_mismatch",
        "failures": 1,
    }
    assert _second_steps(practitioner) == []


def test_an_answer_is_good_for_one_challenge_only(plain_client, practitioner):
    authenticator = SoftAuthenticator()
    passkey_for(practitioner, authenticator)
    password_step(plain_client, practitioner.email)
    options = _post_json(plain_client, "accounts:passkey_verify_begin").json()
    answer = authenticator.sign(options)
    assert _post_json(plain_client, "accounts:passkey_verify_complete", answer).status_code == 200
    plain_client.post(reverse("accounts:logout"))

    password_step(plain_client, practitioner.email)
    _post_json(plain_client, "accounts:passkey_verify_begin")  # a new challenge
    replayed = _post_json(plain_client, "accounts:passkey_verify_complete", answer)
    assert replayed.status_code == 422
    assert DEVICE_ID_SESSION_KEY not in plain_client.session


def test_too_many_failed_passkeys_end_the_half_signed_in_session(plain_client, practitioner, lead, settings):
    settings.OTP_MAX_FAILURES = 2
    passkey_for(practitioner)
    strangers = SoftAuthenticator()
    passkey_for(lead, strangers)
    password_step(plain_client, practitioner.email)

    assert _use_passkey(plain_client, strangers).status_code == 403
    last = _use_passkey(plain_client, strangers)
    assert last.json()["redirect_url"] == reverse("accounts:login")
    assert "_auth_user_id" not in plain_client.session
    assert plain_client.get("/")["Location"].startswith(reverse("accounts:login"))


# --- The security page, and removing one --------------------------------------------------------


def test_the_security_page_lists_only_the_persons_own_passkeys(client, practitioner, lead):
    passkey_for(practitioner, name="Work laptop")
    passkey_for(lead, name="Leads key")
    client.force_login(practitioner)
    html = client.get(reverse("accounts:security")).content.decode()
    assert "Work laptop" in html
    assert "Leads key" not in html


def test_security_page_query_count_is_fixed(client, practitioner, django_assert_num_queries):
    client.force_login(practitioner)
    passkey_for(practitioner, name="One")
    client.get(reverse("accounts:security"))
    with django_assert_num_queries(5):
        client.get(reverse("accounts:security"))
    for name in ("Two", "Three"):
        passkey_for(practitioner, name=name)
    with django_assert_num_queries(5):
        client.get(reverse("accounts:security"))


def test_removing_a_passkey_is_recorded_and_ends_the_sessions_it_verified(client, practitioner):
    authenticator = SoftAuthenticator()
    passkey = passkey_for(practitioner, authenticator)
    other = Client()
    password_step(other, practitioner.email)
    _use_passkey(other, authenticator)
    assert other.get("/").status_code == 200
    client.force_login(practitioner)  # this session: the authenticator app

    response = client.post(reverse("accounts:passkey_remove", args=[passkey.pk]))

    assert response["Location"] == reverse("accounts:security")
    assert not Passkey.objects.filter(pk=passkey.pk).exists()
    (removed,) = _events(Event.PASSKEY_REMOVED, practitioner)
    assert (removed.actor, removed.additional_data) == (practitioner, {"passkey": "Work laptop"})
    assert client.get("/").status_code == 200  # verified with the app: carries on
    assert other.get("/")["Location"].startswith(reverse("accounts:login"))  # verified with it: ended


def test_removing_the_passkey_this_session_was_verified_with_signs_out(plain_client, practitioner):
    authenticator = SoftAuthenticator()
    passkey = passkey_for(practitioner, authenticator)
    passkey_for(practitioner, name="Spare key")
    password_step(plain_client, practitioner.email)
    _use_passkey(plain_client, authenticator)

    response = plain_client.post(reverse("accounts:passkey_remove", args=[passkey.pk]))

    assert response["Location"] == reverse("accounts:login")
    assert plain_client.get("/")["Location"].startswith(reverse("accounts:login"))


def test_the_last_second_step_cannot_be_removed(plain_client, practitioner):
    authenticator = SoftAuthenticator()
    passkey = passkey_for(practitioner, authenticator)
    password_step(plain_client, practitioner.email)
    _use_passkey(plain_client, authenticator)

    response = plain_client.post(reverse("accounts:passkey_remove", args=[passkey.pk]), follow=True)

    assert "You cannot remove your only passkey" in response.content.decode()
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    assert not _events(Event.PASSKEY_REMOVED, practitioner)


def test_another_persons_passkey_cannot_be_removed(client, practitioner, lead):
    passkey = passkey_for(lead)
    passkey_for(lead, name="Spare")
    client.force_login(practitioner)
    assert client.post(reverse("accounts:passkey_remove", args=[passkey.pk])).status_code == 404
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    assert AuditEntry.objects.filter(event=Event.DENIED, object_pk=str(passkey.pk)).exists()


def test_removing_needs_a_post(client, practitioner):
    passkey = passkey_for(practitioner)
    client.force_login(practitioner)
    assert client.get(reverse("accounts:passkey_remove", args=[passkey.pk])).status_code == 405
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_a_reset_of_two_step_sign_in_removes_passkeys_too(practitioner, admin):
    from accounts import services

    passkey_for(practitioner)
    authenticator_for(practitioner)
    services.two_factor_reset(user=practitioner, by=admin)
    assert not Passkey.objects.filter(user=practitioner).exists()


def test_the_pages_script_is_served_with_the_pages_nonce(plain_client, practitioner):
    """The CSP allows scripts from this origin with the page's nonce only: passkeys.js carries it."""
    password_step(plain_client, practitioner.email)
    plain_client.post(reverse("accounts:passkey_add"), {"name": "Work laptop"})
    response = plain_client.get(reverse("accounts:passkey_create"))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'src="/static/js/passkeys.js" nonce="{nonce}"' in response.content.decode()


# --- An authenticator app added later, beside a passkey -------------------------------------------


def _signed_in_with_a_passkey(client: Client, user) -> SoftAuthenticator:
    """Signed in with a password and the person's only second step, a passkey."""
    authenticator = SoftAuthenticator()
    passkey_for(user, authenticator)
    password_step(client, user.email)
    _use_passkey(client, authenticator)
    assert client.get("/").status_code == 200
    return authenticator


def _app_code(client: Client) -> str:
    """The code the person's phone shows once it has scanned the page's QR code."""
    return current_code(TOTPDevice(key=client.session[APP_KEY_SESSION]))


def test_someone_with_only_a_passkey_adds_an_authenticator_app_from_the_security_page(
    plain_client, practitioner
):
    _signed_in_with_a_passkey(plain_client, practitioner)
    backup_codes_generate(user=practitioner, by=practitioner)
    assert reverse("accounts:app_add") in plain_client.get(reverse("accounts:security")).content.decode()
    page = plain_client.get(reverse("accounts:app_add"))
    assert "QR code" in page.content.decode() and "password" in page.context["form"].fields

    wrong_code = plain_client.post(reverse("accounts:app_add"), {"code": "000000", "password": PASSWORD})
    assert "Enter the 6-digit code your authenticator app shows now" in wrong_code.content.decode()
    wrong_password = plain_client.post(
        reverse("accounts:app_add"), {"code": _app_code(plain_client), "password": "wrong"}
    )
    assert "Enter the password you sign in with" in wrong_password.content.decode()
    (failed,) = [
        e for e in _events(Event.SIGN_IN_FAILED, practitioner) if "authenticator_app" in e.additional_data
    ]
    assert failed.additional_data == {"authenticator_app": "wrong password"}
    assert not TOTPDevice.objects.filter(user=practitioner).exists()

    response = plain_client.post(
        reverse("accounts:app_add"), {"code": _app_code(plain_client), "password": PASSWORD}
    )

    assert response["Location"] == reverse("accounts:security")
    device = TOTPDevice.objects.get(user=practitioner)
    assert device.confirmed
    (set_up,) = _events(Event.TWO_FACTOR_SET_UP, practitioner)
    assert (set_up.actor, set_up.additional_data) == (practitioner, {"device": "Authenticator app"})
    assert len(_events(Event.BACKUP_CODES_ISSUED, practitioner)) == 1  # the codes they have stay
    html = plain_client.get(reverse("accounts:security")).content.decode()
    assert "You have set up an authenticator app." in html
    assert reverse("accounts:app_remove") in html
    assert reverse("accounts:app_add") not in html


def test_a_second_authenticator_app_is_refused(plain_client, practitioner):
    """One app per person: a second does not quietly replace the first."""
    _signed_in_with_a_passkey(plain_client, practitioner)
    first = authenticator_for(practitioner)
    plain_client.get(reverse("accounts:app_add"))  # a page opened before the first app was set up

    response = plain_client.post(
        reverse("accounts:app_add"), {"code": "123456", "password": PASSWORD}, follow=True
    )

    assert "You have already set up an authenticator app" in response.content.decode()
    assert list(TOTPDevice.objects.filter(user=practitioner)) == [first]
    assert not _events(Event.TWO_FACTOR_SET_UP, practitioner)
    with pytest.raises(ValidationError, match="already set up an authenticator app"):
        two_factor_app_add(
            user=practitioner, key_hex=random_hex(20), token="123456", password=PASSWORD, by=practitioner
        )


def test_adding_an_app_needs_the_second_step_first(plain_client, practitioner):
    passkey_for(practitioner)
    password_step(plain_client, practitioner.email)
    response = plain_client.get(reverse("accounts:app_add"))
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    assert APP_KEY_SESSION not in plain_client.session


def test_someone_who_signs_in_only_through_single_sign_on_adds_an_app_soon_after_signing_in(
    plain_client, practitioner
):
    practitioner.agency.password_sign_in = False
    practitioner.agency.save()
    client = plain_client
    client.force_login(practitioner)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = passkey_for(practitioner).persistent_id  # their second step
    session[SIGNED_IN_AT_KEY] -= 11 * 60
    session.save()
    response = client.post(reverse("accounts:app_add"), {"code": "123456"})
    assert "Sign in again to add an authenticator app" in response.content.decode()

    session = client.session
    session[SIGNED_IN_AT_KEY] += 11 * 60
    session.save()
    assert "password" not in client.get(reverse("accounts:app_add")).context["form"].fields
    response = client.post(reverse("accounts:app_add"), {"code": _app_code(client)})
    assert response["Location"] == reverse("accounts:security")
    assert TOTPDevice.objects.filter(user=practitioner, confirmed=True).exists()


def test_removing_the_app_beside_a_passkey_is_recorded_and_signs_out(plain_client, practitioner):
    _signed_in_with_a_passkey(plain_client, practitioner)
    device = authenticator_for(practitioner)

    response = plain_client.post(reverse("accounts:app_remove"))

    assert response["Location"] == reverse("accounts:login")
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    (removed,) = _events(Event.TWO_FACTOR_REMOVED, practitioner)
    assert (removed.actor, removed.additional_data) == (practitioner, {"device": "Authenticator app"})
    assert plain_client.get("/")["Location"].startswith(reverse("accounts:login"))


def test_the_app_that_is_the_last_second_step_cannot_be_removed(client, practitioner):
    client.force_login(practitioner)  # their only second step: the authenticator app
    backup_codes_generate(user=practitioner, by=practitioner)  # a fallback, not a way of its own

    response = client.post(reverse("accounts:app_remove"), follow=True)

    assert "it is your only second step" in response.content.decode()
    assert TOTPDevice.objects.filter(user=practitioner, confirmed=True).exists()
    assert not _events(Event.TWO_FACTOR_REMOVED, practitioner)
    assert client.get("/").status_code == 200


def test_removing_the_app_needs_a_post(client, practitioner):
    passkey_for(practitioner)
    client.force_login(practitioner)
    assert client.get(reverse("accounts:app_remove")).status_code == 405
    assert TOTPDevice.objects.filter(user=practitioner).exists()
