"""How an agency's people sign in: a partnership administrator may turn passwords off, so that they
sign in only through single sign-on (accounts.oidc; tests/accounts/test_sso.py for the sign-in)."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry, Event
from tests.agreements.test_agency_views import agency_data


@pytest.mark.django_db
def test_a_partnership_admin_turns_passwords_off_for_an_agency_and_it_is_audited(
    client, partnership_admin, agency
):
    client.force_login(partnership_admin)
    url = reverse("agreements:agency_edit", args=[agency.pk])
    assert 'name="password_sign_in"' in client.get(url).content.decode()
    data = agency_data(name=agency.name, kind=agency.kind, lock_version=agency.lock_version)
    assert client.post(url, data).status_code == 302  # the box left unticked
    agency.refresh_from_db()
    assert not agency.password_sign_in
    entry = AuditEntry.objects.filter(event=Event.AGENCY_CHANGED).latest("pk")
    assert "password_sign_in" in entry.additional_data["fields"]
    assert entry.actor_id == partnership_admin.pk
    assert (
        "Single sign-on only"
        in client.get(reverse("agreements:agency_detail", args=[agency.pk])).content.decode()
    )


@pytest.mark.django_db
def test_an_agency_admin_cannot_turn_their_own_agencys_passwords_off(client, admin, agency):
    client.force_login(admin)
    url = reverse("agreements:agency_edit", args=[agency.pk])
    assert 'name="password_sign_in"' not in client.get(url).content.decode()
    data = agency_data(name=agency.name, kind=agency.kind, lock_version=agency.lock_version)
    assert client.post(url, {**data, "password_sign_in": ""}).status_code == 302
    agency.refresh_from_db()
    assert agency.password_sign_in
