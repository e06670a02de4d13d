"""Administrators make and revoke API clients on pages of the product; the token is shown once."""

import re

import pytest
from django.urls import reverse

from api.models import ApiClient, hash_token
from audit.models import AuditEntry, Event

pytestmark = pytest.mark.django_db


def _create(client, **data):
    form = {"name": "Mosaic", "scopes": ["read_decisions", "read_consent"], **data}
    return client.post(reverse("api:client_create"), form)


def test_the_token_is_shown_once_and_stored_only_as_its_digest(csrf_client, admin):
    csrf_client.force_login(admin)
    page = csrf_client.get(reverse("api:client_create"))
    token_field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = _create(csrf_client, csrfmiddlewaretoken=token_field)
    assert response.status_code == 302
    shown = csrf_client.get(response["Location"]).content.decode()
    token = re.search(r'id="token">(isa_[^<]+)<', shown).group(1)
    made = ApiClient.objects.get()
    assert made.agency == admin.agency and made.scopes == ["read_consent", "read_decisions"]
    assert made.token_hash == hash_token(token) and token not in made.token_hash
    assert token.split("_")[1] == made.token_prefix
    # Nowhere else: not on the page again, not in the audit trail.
    again = csrf_client.get(response["Location"]).content.decode()
    assert token not in again and 'id="token"' not in again
    assert not any(
        token in str(entry.changes) + str(entry.additional_data) for entry in AuditEntry.objects.all()
    )
    granted = AuditEntry.objects.get(event=Event.ACCESS_GRANTED)
    assert granted.actor == admin and granted.object_id == made.pk


def test_a_post_without_the_csrf_token_is_refused(csrf_client, admin):
    csrf_client.force_login(admin)
    assert _create(csrf_client).status_code == 403
    assert not ApiClient.objects.exists()


def test_an_incomplete_form_shows_its_errors(client, admin):
    client.force_login(admin)
    response = client.post(reverse("api:client_create"), {"name": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Enter a name for the case system" in body and "Select what the case system may do" in body


def test_an_agency_admin_makes_clients_for_their_own_agency_only(client, admin, other_agency):
    client.force_login(admin)
    _create(client, agency=other_agency.pk)
    assert ApiClient.objects.get().agency == admin.agency  # no agency question for them


def test_a_partnership_admin_chooses_the_agency(client, other_agency):
    from tests.factories import UserFactory

    boss = UserFactory(role="admin", partnership_wide=True, agency=None, email="boss@example.org")
    client.force_login(boss)
    assert _create(client).status_code == 200  # the agency must be chosen
    _create(client, agency=other_agency.pk)
    assert ApiClient.objects.get().agency == other_agency


def test_revoking_is_a_post_and_audited(client, admin, token):
    client.force_login(admin)
    made = ApiClient.objects.get()
    assert client.get(reverse("api:client_revoke", args=[made.pk])).status_code == 405
    response = client.post(reverse("api:client_revoke", args=[made.pk]))
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.revoked_at is not None and made.revoked_by == admin
    assert AuditEntry.objects.get(event=Event.ACCESS_REVOKED).actor == admin


def test_another_agencys_admin_gets_404_for_a_client(client, token, other_admin):
    client.force_login(other_admin)
    made = ApiClient.objects.get()
    assert client.get(reverse("api:client_detail", args=[made.pk])).status_code == 404
    assert client.post(reverse("api:client_revoke", args=[made.pk])).status_code == 404
    made.refresh_from_db()
    assert made.revoked_at is None
    assert (
        reverse("api:client_detail", args=[made.pk])
        not in client.get(reverse("api:client_list")).content.decode()
    )


def test_the_list_reads_a_fixed_number_of_queries(client, admin, django_assert_num_queries):
    from tests.api.conftest import make_token

    for name in ("Mosaic", "SystmOne", "Liquidlogic"):
        make_token(admin, name=name)
    client.force_login(admin)
    with django_assert_num_queries(3):
        response = client.get(reverse("api:client_list"))
    assert response.content.decode().count("govuk-tag--green") == 3
