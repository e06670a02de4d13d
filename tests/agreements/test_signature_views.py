import pytest
from django.urls import reverse
from django.utils.html import escape

from agreements.models import AgreementStatus, Signature, SignatureState
from audit.models import AuditEntry
from tests.agreements.factories import (
    AgreementFactory,
    RepresentativeFactory,
    VersionFactory,
    in_force_agreement,
    provider_of,
)
from tests.agreements.helpers import date_fields, entries_for, scan
from tests.factories import days_ago

pytestmark = pytest.mark.django_db


def signature_data(agency, **overrides):
    data = {
        "agency": agency.pk,
        "signed_by_name": "Dana Director",
        "signed_by_role": "Director of Children's Services",
        **date_fields("signed_on", days_ago(2)),
        "group": "core",
        "evidence": scan(),
    }
    data.update(overrides)
    return data


def test_signing_through_the_page_is_audited_with_the_actor(client, admin, represented):
    _, version = in_force_agreement(owner=represented)
    client.force_login(admin)
    response = client.post(
        reverse("agreements:signature_create", args=[version.pk]), signature_data(represented)
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    entry = entries_for(signature, action=AuditEntry.Action.CREATE).get()
    assert entry.actor == admin
    assert entry.agency_id == represented.pk
    assert entry.changes_dict["signed_by_name"][1] == "Dana Director"


def test_withdrawing_through_the_page_is_audited(client, admin, represented):
    _, version = in_force_agreement(owner=represented)
    client.force_login(admin)
    client.post(reverse("agreements:signature_create", args=[version.pk]), signature_data(represented))
    signature = Signature.objects.get()
    data = {**date_fields("withdrawn_on", days_ago(1)), "reason": "Agency restructured"}
    response = client.post(reverse("agreements:signature_withdraw", args=[signature.pk]), data)
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.state == SignatureState.WITHDRAWN
    entry = entries_for(signature, action=AuditEntry.Action.UPDATE).get()
    assert entry.actor == admin
    assert entry.changes_dict["state"] == ["live", "withdrawn"]
    assert entry.changes_dict["withdrawal_reason"][1] == "Agency restructured"


def test_a_duplicate_signature_gets_a_form_error_and_saves_nothing(client, admin, represented):
    _, version = in_force_agreement(owner=represented)
    client.force_login(admin)
    url = reverse("agreements:signature_create", args=[version.pk])
    client.post(url, signature_data(represented))
    response = client.post(url, signature_data(represented))
    assert response.status_code == 200
    assert (
        escape(f"{represented.name} has already signed version {version.number}") in response.content.decode()
    )
    assert Signature.objects.count() == 1


def test_signing_a_draft_gets_a_form_error_and_saves_nothing(client, admin, represented):
    version = VersionFactory(agreement=AgreementFactory(owner=represented, status=AgreementStatus.DRAFT))
    client.force_login(admin)
    response = client.post(
        reverse("agreements:signature_create", args=[version.pk]), signature_data(represented)
    )
    assert response.status_code == 200
    assert "only an agreement in force can be signed" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_provider_is_told_it_must_sign_in_its_own_right(client, partnership_admin, represented):
    provider = provider_of(represented, name="Provider Ltd")
    _, version = in_force_agreement(owner=represented)
    client.force_login(partnership_admin)
    url = reverse("agreements:signature_create", args=[version.pk])
    assert client.post(url, signature_data(represented)).status_code == 302
    response = client.post(url, signature_data(provider))
    assert "must sign in its own right" in response.content.decode()
    assert Signature.objects.filter(agency=provider).count() == 0


def test_an_agency_admin_records_only_their_own_agencys_signature(client, admin, other_agency):
    RepresentativeFactory(agency=other_agency)
    _, version = in_force_agreement()
    client.force_login(admin)
    response = client.post(
        reverse("agreements:signature_create", args=[version.pk]), signature_data(other_agency)
    )
    assert "Select the agency signing" in response.content.decode()
    assert not Signature.objects.exists()
