"""Sessions: idle and absolute limits on the server; sign-out ends the session; see and end your own."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.middleware import LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from accounts.models import UserSession
from accounts.services import user_deactivate
from audit.models import AuditEntry
from tests.accounts.conftest import password_step
from tests.auth import mark_second_factor_passed


def _signed_in(user, **meta) -> Client:
    """Signed in through the sign-in page (password, then the second factor marked as passed)."""
    client = Client(**meta)
    assert password_step(client, user.email).status_code == 302
    mark_second_factor_passed(client, user)
    return client


def _key(client) -> str:
    return client.cookies["sessionid"].value


def _with_key(key: str) -> Client:
    thief = Client()
    thief.cookies["sessionid"] = key
    return thief


def _age_session(client, **fields) -> None:
    session = client.session
    for name, seconds_ago in fields.items():
        session[name] = int(time.time()) - seconds_ago
    session.save()


def test_sign_in_records_the_session_with_device_and_address(practitioner):
    client = _signed_in(practitioner, HTTP_USER_AGENT="Firefox on Windows", REMOTE_ADDR="203.0.113.5")
    tracked = UserSession.objects.get(user=practitioner)
    assert tracked.session_key == _key(client)
    assert tracked.user_agent == "Firefox on Windows"
    assert tracked.ip_address == "203.0.113.5"
    assert SIGNED_IN_AT_KEY in client.session


def test_the_session_key_is_never_written_to_the_audit_trail(practitioner):
    client = _signed_in(practitioner)
    key = _key(client)
    assert not [e for e in AuditEntry.objects.all() if key in f"{e.changes}{e.object_repr}{e.object_pk}"]


def test_idle_sessions_end_on_the_server(practitioner, settings):
    client = _signed_in(practitioner)
    _age_session(client, **{LAST_SEEN_KEY: settings.SESSION_IDLE_TIMEOUT + 1})
    response = client.get("/")
    assert response["Location"] == f"{reverse('accounts:signed_out')}?reason=idle&next=%2F"
    assert client.get("/")["Location"].startswith(reverse("accounts:login"))


def test_a_busy_session_still_ends_12_hours_after_sign_in(practitioner, settings):
    assert settings.SESSION_ABSOLUTE_LIMIT == 12 * 60 * 60
    client = _signed_in(practitioner)
    key = _key(client)
    _age_session(client, **{SIGNED_IN_AT_KEY: 12 * 60 * 60 - 60, LAST_SEEN_KEY: 5})
    assert client.get("/").status_code == 200
    _age_session(client, **{SIGNED_IN_AT_KEY: 12 * 60 * 60 + 1, LAST_SEEN_KEY: 5})
    response = client.get("/")
    assert response["Location"] == f"{reverse('accounts:signed_out')}?reason=absolute&next=%2F"
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_without_a_sign_in_time_is_not_trusted(practitioner):
    client = _signed_in(practitioner)
    session = client.session
    del session[SIGNED_IN_AT_KEY]
    session.save()
    assert client.get("/")["Location"].startswith(reverse("accounts:signed_out"))
    assert client.get("/")["Location"].startswith(reverse("accounts:login"))


def test_sign_out_ends_the_session_on_the_server(practitioner):
    client = _signed_in(practitioner)
    old_key = _key(client)
    assert _with_key(old_key).get("/").status_code == 200  # the key alone is the session

    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=old_key).exists()
    assert not UserSession.objects.filter(session_key=old_key).exists()
    assert _with_key(old_key).get("/")["Location"].startswith(reverse("accounts:login"))


def test_deactivating_a_user_ends_all_their_sessions_at_once(practitioner, admin):
    phone, laptop = _signed_in(practitioner), _signed_in(practitioner)
    keys = [_key(phone), _key(laptop)]
    user_deactivate(user=practitioner, by=admin)
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=practitioner).exists()
    for client in (phone, laptop):
        assert client.get("/")["Location"].startswith(reverse("accounts:login"))


def test_a_person_sees_their_sessions(practitioner, lead):
    _signed_in(practitioner, HTTP_USER_AGENT="Safari on iPhone", REMOTE_ADDR="203.0.113.9")
    _signed_in(lead, HTTP_USER_AGENT="Lead's browser")
    me = _signed_in(practitioner, HTTP_USER_AGENT="Edge on laptop")
    page = me.get(reverse("accounts:session_list")).content.decode()
    assert "Safari on iPhone" in page and "203.0.113.9" in page
    assert "Edge on laptop" in page and "This session" in page
    assert "Lead&#x27;s browser" not in page and "Lead's browser" not in page


def test_session_list_query_count_does_not_grow_with_sessions(practitioner, django_assert_num_queries):
    me = _signed_in(practitioner)
    me.get(reverse("accounts:session_list"))
    # the user comes with their agency (the header), no query of its own
    with django_assert_num_queries(4):
        me.get(reverse("accounts:session_list"))
    for _ in range(5):
        _signed_in(practitioner)
    with django_assert_num_queries(4):
        me.get(reverse("accounts:session_list"))


def test_a_person_ends_another_of_their_sessions(practitioner):
    other = _signed_in(practitioner, HTTP_USER_AGENT="Old phone")
    me = _signed_in(practitioner)
    tracked = UserSession.objects.get(session_key=_key(other))
    response = me.post(reverse("accounts:session_end", kwargs={"pk": tracked.pk}))
    assert response["Location"] == reverse("accounts:session_list")
    assert other.get("/")["Location"].startswith(reverse("accounts:login"))
    assert me.get("/").status_code == 200


def test_ending_a_session_needs_post(practitioner):
    other = _signed_in(practitioner)
    me = _signed_in(practitioner)
    tracked = UserSession.objects.get(session_key=_key(other))
    assert me.get(reverse("accounts:session_end", kwargs={"pk": tracked.pk})).status_code == 405
    assert other.get("/").status_code == 200


@pytest.mark.parametrize("persona", ["lead", "admin", "outsider"])
def test_nobody_else_can_end_a_persons_session(personas, persona):
    victim = _signed_in(personas["practitioner"])
    tracked = UserSession.objects.get(session_key=_key(victim))
    intruder = _signed_in(personas[persona])
    assert intruder.post(reverse("accounts:session_end", kwargs={"pk": tracked.pk})).status_code == 404
    assert victim.get("/").status_code == 200


def test_signing_in_gives_a_new_session_key(practitioner, plain_client):
    plain_client.get(reverse("accounts:login"))
    plain_client.session.save()
    before = plain_client.session.session_key
    password_step(plain_client, practitioner.email)
    assert plain_client.cookies["sessionid"].value != before


# The idle time-out and its warning (from the foundation).


def _idle_for(client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


@pytest.mark.django_db
def test_idle_user_is_signed_out_with_an_explanation(client, practitioner, settings):
    client.force_login(practitioner)
    client.get(reverse("home"))
    _idle_for(client, settings.SESSION_IDLE_TIMEOUT + 5)

    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[0][0] == reverse("accounts:signed_out") + "?reason=idle&next=%2F"
    assert "had not done anything for 30 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_activity_within_the_limit_keeps_the_user_signed_in(client, practitioner, settings):
    client.force_login(practitioner)
    client.get(reverse("home"))
    _idle_for(client, settings.SESSION_IDLE_TIMEOUT - 60)
    assert client.get(reverse("home")).status_code == 200
    assert time.time() - client.session[LAST_SEEN_KEY] < 5


@pytest.mark.django_db
def test_polling_the_session_status_does_not_count_as_activity(client, practitioner, settings):
    client.force_login(practitioner)
    client.get(reverse("home"))
    _idle_for(client, 600)
    remaining = client.get(reverse("accounts:session_status")).json()["remaining"]
    assert settings.SESSION_IDLE_TIMEOUT - 605 <= remaining <= settings.SESSION_IDLE_TIMEOUT - 600
    assert time.time() - client.session[LAST_SEEN_KEY] >= 600


@pytest.mark.django_db
def test_stay_signed_in_resets_the_clock(client, practitioner, settings):
    client.force_login(practitioner)
    client.get(reverse("home"))
    _idle_for(client, settings.SESSION_IDLE_TIMEOUT - 30)
    response = client.post(reverse("accounts:session_extend"), HTTP_ACCEPT="application/json")
    assert response.json() == {"remaining": settings.SESSION_IDLE_TIMEOUT}
    remaining = client.get(reverse("accounts:session_status")).json()["remaining"]
    assert remaining >= settings.SESSION_IDLE_TIMEOUT - 2


@pytest.mark.django_db
def test_signed_in_pages_carry_the_timeout_for_the_warning(client, practitioner, settings):
    client.force_login(practitioner)
    html = client.get(reverse("home")).content.decode()
    assert f'data-idle-timeout="{settings.SESSION_IDLE_TIMEOUT}"' in html
    assert 'id="timeout-dialog"' in html


@pytest.mark.django_db
def test_signed_in_pages_are_never_cached_and_carry_a_nonce_csp(client, practitioner):
    client.force_login(practitioner)
    response = client.get(reverse("home"))
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
