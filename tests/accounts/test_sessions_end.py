"""Sessions that end (issue 14, item 4): at the limit on the server, on a page that says so; a new
key after the second step; backup codes kept hashed, and new ones only with the password."""

import importlib
import time

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts import services
from accounts.middleware import LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from accounts.models import UserSession
from audit.models import AuditEntry, Event
from tests.accounts.conftest import password_step
from tests.auth import authenticator_for, current_code, mark_second_factor_passed
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    assert password_step(client, user.email).status_code == 302
    mark_second_factor_passed(client, user)
    return client


def _age(client, **fields) -> None:
    session = client.session
    for name, seconds_ago in fields.items():
        session[name] = int(time.time()) - seconds_ago
    session.save()


def test_the_server_ends_an_idle_session_at_the_limit_not_after_it(practitioner, settings):
    client = _signed_in(practitioner)
    key = client.cookies["sessionid"].value
    _age(client, **{LAST_SEEN_KEY: settings.SESSION_IDLE_TIMEOUT})
    response = client.get(reverse("consent:child_list"))
    assert response["Location"] == (
        f"{reverse('accounts:signed_out')}?reason=idle&next=%2Fchildren%2F"
    )
    assert not Session.objects.filter(session_key=key).exists()


def test_the_absolute_limit_ends_the_session_at_the_limit(practitioner, settings):
    client = _signed_in(practitioner)
    _age(client, **{SIGNED_IN_AT_KEY: settings.SESSION_ABSOLUTE_LIMIT, LAST_SEEN_KEY: 5})
    assert client.get("/")["Location"].startswith(f"{reverse('accounts:signed_out')}?reason=absolute")


def test_the_countdown_lands_on_a_signed_out_page_with_the_way_back(practitioner, settings):
    client = _signed_in(practitioner)
    _age(client, **{LAST_SEEN_KEY: settings.SESSION_IDLE_TIMEOUT})
    # Where the page's own countdown sends the browser at the deadline.
    response = client.get(reverse("accounts:signed_out"), {"next": "/children/"}, follow=True)
    page = response.content.decode()
    assert "You have been signed out" in page
    assert "had not done anything for 30 minutes" in page
    assert f'href="{reverse("accounts:login")}?next=%2Fchildren%2F"' in page
    assert "_auth_user_id" not in client.session


def test_the_signed_out_page_never_sends_anyone_to_another_site(client):
    page = client.get(reverse("accounts:signed_out"), {"next": "https://evil.example/"}).content.decode()
    assert "evil.example" not in page


def test_the_signed_out_page_is_not_activity(practitioner, settings):
    client = _signed_in(practitioner)
    _age(client, **{LAST_SEEN_KEY: settings.SESSION_IDLE_TIMEOUT - 40})
    client.get(reverse("accounts:signed_out"))
    assert int(time.time()) - client.session[LAST_SEEN_KEY] >= settings.SESSION_IDLE_TIMEOUT - 41


def test_the_session_key_changes_after_the_second_step(plain_client, lead):
    device = authenticator_for(lead)
    password_step(plain_client, lead.email)
    half = plain_client.cookies["sessionid"].value
    response = plain_client.post(reverse("accounts:two_factor"), {"code": current_code(device)})
    assert response.status_code == 302
    full = plain_client.cookies["sessionid"].value
    assert full != half
    assert not Session.objects.filter(session_key=half).exists()
    # A key seen before the second step opens nothing; the list of sessions follows the new key.
    thief = Client()
    thief.cookies["sessionid"] = half
    assert thief.get("/")["Location"].startswith(reverse("accounts:login"))
    assert UserSession.objects.get(user=lead).session_key == full
    assert plain_client.get("/").status_code == 200


def test_backup_codes_are_stored_hashed_and_still_work(plain_client, ig_officer):
    authenticator_for(ig_officer)
    codes = services.backup_codes_generate(user=ig_officer, by=ig_officer)
    stored = set(StaticToken.objects.filter(device__user=ig_officer).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & set(codes)
    password_step(plain_client, ig_officer.email)
    assert plain_client.post(reverse("accounts:two_factor"), {"code": codes[3]})["Location"] == "/"
    assert StaticToken.objects.filter(device__user=ig_officer).count() == 9


def test_the_data_migration_hashes_codes_stored_in_clear(plain_client, practitioner):
    authenticator_for(practitioner)
    device = StaticDevice.objects.create(user=practitioner, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcdefghjk")
    migration = importlib.import_module("accounts.migrations.0004_hash_backup_codes")
    migration.hash_codes(apps, None)
    assert StaticToken.objects.get().token != "abcdefghjk"
    password_step(plain_client, practitioner.email)
    assert plain_client.post(reverse("accounts:two_factor"), {"code": "abcdefghjk"})["Location"] == "/"


def test_new_backup_codes_need_the_password(client, practitioner):
    old = services.backup_codes_generate(user=practitioner, by=practitioner)
    before = set(StaticToken.objects.values_list("token", flat=True))
    client.force_login(practitioner)
    url = reverse("accounts:backup_codes")
    missing = client.post(url, {})
    assert missing.status_code == 200 and "Enter your password" in missing.content.decode()
    wrong = client.post(url, {"password": "not my password at all"})
    assert wrong.status_code == 200 and "Enter the password you sign in with" in wrong.content.decode()
    assert set(StaticToken.objects.values_list("token", flat=True)) == before
    assert AuditEntry.objects.filter(
        event=Event.SIGN_IN_FAILED, actor=practitioner, additional_data__backup_codes="wrong password"
    ).exists()
    assert client.post(url, {"password": PASSWORD}).status_code == 302
    assert not set(StaticToken.objects.values_list("token", flat=True)) & before
    assert len(old) == 10
