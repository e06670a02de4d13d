"""Lockout that protects, not punishes (issue 14, item 3): the client behind a trusted proxy,
failures per (account, address) and per address, and a password reset that lifts the lock."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import RequestFactory, override_settings
from django.urls import reverse

from audit.context import client_address
from audit.models import AuditEntry, Event
from tests.accounts.conftest import password_step
from tests.auth import authenticator_for

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def _via_proxy(client_ip: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_ip}


def _fail(client, email: str, times: int, **where):
    return [password_step(client, email, "wrong-password-here", **where) for _ in range(times)]


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_behind_the_proxy_an_attacker_locks_out_only_themselves(plain_client, lead):
    locked = _fail(plain_client, lead.email, 10, **_via_proxy("203.0.113.66"))[-1]
    assert locked.status_code == 429
    authenticator_for(lead)
    # The real lead, through the same proxy from their office, signs in.
    assert password_step(type(plain_client)(), lead.email, **_via_proxy("198.51.100.7")).status_code == 302


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_a_forwarded_for_header_sent_from_outside_the_proxy_is_not_believed(plain_client, lead):
    for n in range(10):
        password_step(
            plain_client,
            lead.email,
            "wrong-password-here",
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert password_step(plain_client, lead.email, REMOTE_ADDR="203.0.113.66").status_code == 429


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_every_audit_entry_records_the_client_behind_the_proxy_not_the_proxy(plain_client, lead):
    _fail(plain_client, lead.email, 1, **_via_proxy("198.51.100.7"))
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"
    authenticator_for(lead)
    password_step(plain_client, lead.email, **_via_proxy("198.51.100.7"))
    addresses = set(AuditEntry.objects.filter(source="web").values_list("remote_addr", flat=True))
    assert addresses == {"198.51.100.7"}


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "client"),
    [
        ([], "10.0.0.2", "203.0.113.1", "10.0.0.2"),  # no proxy configured: the header is ignored
        (["10.0.0.0/24"], "10.0.0.2", "6.6.6.6, 203.0.113.1", "203.0.113.1"),  # left entries are the client's
        (["10.0.0.0/24"], "10.0.0.2", "203.0.113.1, 10.0.0.3", "203.0.113.1"),  # two proxies in the network
        (["10.0.0.0/24"], "203.0.113.9", "6.6.6.6", "203.0.113.9"),  # not from a proxy
        (["10.0.0.0/24"], "10.0.0.2", "", "10.0.0.2"),
        (["10.0.0.0/24"], "10.0.0.2", "not-an-address", "10.0.0.2"),
        (["1"], "10.0.0.2", "6.6.6.6, 203.0.113.1", "203.0.113.1"),  # a count of proxies
        (["2"], "10.0.0.2", "6.6.6.6, 203.0.113.1, 10.9.9.9", "203.0.113.1"),
    ],
)
def test_which_forwarded_entry_is_the_client(proxies, remote, forwarded, client):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXIES=proxies):
        assert client_address(request) == client


@override_settings(SIGN_IN_ADDRESS_FAILURE_LIMIT=12)
def test_one_address_guessing_at_many_accounts_is_stopped(plain_client, lead):
    where = {"REMOTE_ADDR": "203.0.113.66"}
    for n in range(12):
        password_step(plain_client, f"person{n}@example.org", "wrong-password-here", **where)
    authenticator_for(lead)
    assert password_step(plain_client, lead.email, **where).status_code == 429
    # Anyone elsewhere is unaffected.
    assert password_step(type(plain_client)(), lead.email, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_a_password_reset_lifts_the_accounts_lock(plain_client, lead):
    where = {"REMOTE_ADDR": "192.0.2.1"}
    _fail(plain_client, f" {lead.email.upper()}", 10, **where)
    assert password_step(plain_client, lead.email, **where).status_code == 429

    plain_client.post(reverse("accounts:password_reset"), {"email": lead.email})
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = plain_client.get(link, follow=True).redirect_chain[-1][0]
    new_password = "a brand new long passphrase"
    plain_client.post(set_url, {"new_password1": new_password, "new_password2": new_password})

    authenticator_for(lead)
    assert password_step(plain_client, lead.email, new_password, **where).status_code == 302
    lifted = AuditEntry.objects.get(event=Event.LOCKOUT, additional_data__lifted=True)
    assert lifted.actor == lead
