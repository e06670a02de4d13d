"""Throttling and lockout: per username AND address, ten failures an hour, recorded, liftable."""

import re

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEntry, Event
from tests.accounts.conftest import password_step
from tests.auth import authenticator_for
from tests.factories import AgencyFactory, UserFactory

OFFICE = {"REMOTE_ADDR": "192.0.2.1"}
HOME = {"REMOTE_ADDR": "198.51.100.7"}


def _fail(client, email: str, times: int, where=OFFICE):
    return [password_step(client, email, "wrong-password-here", **where) for _ in range(times)]


def test_ten_failures_lock_the_account_at_that_address_with_a_page_saying_what_to_do(plain_client, lead):
    responses = _fail(plain_client, lead.email, 9)
    assert {r.status_code for r in responses} == {200}

    locked = _fail(plain_client, lead.email, 1)[0]
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "You cannot sign in for now" in text
    assert "wait 1 hour" in text and "ask your administrator" in text
    assert lead.email not in text

    # Even the right password is refused while locked.
    assert password_step(plain_client, lead.email, **OFFICE).status_code == 429


def test_the_lock_is_for_the_pair_so_colleagues_at_the_same_address_can_still_sign_in(
    plain_client, lead, practitioner
):
    _fail(plain_client, lead.email, 10)
    assert password_step(plain_client, practitioner.email, **OFFICE).status_code == 302
    # The same person from another address is not locked either.
    other = type(plain_client)()
    assert password_step(other, lead.email, **HOME).status_code == 302


def test_the_answer_is_the_same_whether_the_account_exists_or_not(plain_client, lead):
    real = _fail(plain_client, lead.email, 10)
    made_up = _fail(plain_client, "nobody-here@example.org", 10)
    for before_lock in range(9):
        assert real[before_lock].status_code == made_up[before_lock].status_code == 200
        assert "Enter a correct email address and password" in made_up[before_lock].content.decode()
    assert real[-1].status_code == made_up[-1].status_code == 429
    assert _without_per_response_tokens(real[-1]) == _without_per_response_tokens(made_up[-1])


def _without_per_response_tokens(response) -> str:
    """The page less its CSP nonce and CSRF token, which differ on every response by design."""
    text = response.content.decode()
    text = re.sub(r'nonce="[^"]+"', 'nonce=""', text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_the_email_address_counts_whatever_its_case(plain_client, lead):
    _fail(plain_client, lead.email.upper(), 5)
    _fail(plain_client, f"  {lead.email}", 5)
    assert password_step(plain_client, lead.email, **OFFICE).status_code == 429


def test_a_lockout_is_recorded_in_the_audit_trail(plain_client, lead):
    _fail(plain_client, lead.email, 10)
    entry = AuditEntry.objects.get(event=Event.LOCKOUT)
    assert entry.additional_data == {"username": lead.email, "ip_address": "192.0.2.1"}


def test_an_admin_sees_the_lock_and_lifts_it(plain_client, client, lead, admin):
    _fail(plain_client, lead.email, 10)
    client.force_login(admin)
    page = client.get(reverse("accounts:lockout_list")).content.decode()
    assert lead.email in page and "Locked" in page

    attempt = AccessAttempt.objects.get(username=lead.email)
    response = client.post(reverse("accounts:lockout_lift", kwargs={"pk": attempt.pk}))
    assert response["Location"] == reverse("accounts:lockout_list")
    assert not AccessAttempt.objects.exists()
    assert AuditEntry.objects.filter(event=Event.LOCKOUT, additional_data__lifted=True, actor=admin).exists()

    authenticator_for(lead)
    assert password_step(plain_client, lead.email, **OFFICE).status_code == 302


def test_an_agency_admin_sees_and_lifts_only_their_own_peoples_locks(plain_client, client, admin):
    stranger = UserFactory(agency=AgencyFactory(name="Elsewhere"), role=Role.PRACTITIONER)
    _fail(plain_client, stranger.email, 10)
    client.force_login(admin)
    assert stranger.email not in client.get(reverse("accounts:lockout_list")).content.decode()
    attempt = AccessAttempt.objects.get(username=stranger.email)
    assert client.post(reverse("accounts:lockout_lift", kwargs={"pk": attempt.pk})).status_code == 404
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_a_partnership_admin_sees_every_lock(plain_client, client, other_agency):
    wide_admin = UserFactory(agency=other_agency, role=Role.ADMIN, partnership_wide=True)
    _fail(plain_client, "unknown-person@example.org", 10)
    client.force_login(wide_admin)
    assert "unknown-person@example.org" in client.get(reverse("accounts:lockout_list")).content.decode()


@pytest.mark.parametrize("persona", ["practitioner", "lead", "ig_officer", "outsider"])
def test_only_admins_see_locks(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("accounts:lockout_list")).status_code == 403
