"""Issue 20, item 6: admins record a version's conditions (what a decision relying on it is checked
against) on the version page, with the clause and its wording; they are part of what is signed, so
they change only until someone signs the version."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from agreements.models import AgreementCondition
from audit.models import AuditEntry, Event
from tests.agreements.factories import SignatureFactory, in_force_agreement

pytestmark = pytest.mark.django_db

EARLY_HELP_CONSENT = {
    "kind": "consent_required",
    "purposes": ["early_help"],
    "clause": "section 3.2",
    "wording": "When contacting any Early Help, CAF or Early Intervention services in relation to children "
    "with additional needs, this must always be done with consent of them / their family.",
}


@pytest.fixture
def version(agency):
    _, version = in_force_agreement(owner=agency, purposes=["early_help", "safeguarding"])
    return version


def test_an_admin_adds_a_condition_and_the_version_page_shows_its_clause(client, admin, version):
    client.force_login(admin)
    url = reverse("agreements:condition_add", args=[version.pk])
    page = client.get(url).content.decode()
    assert "Early help and prevention" in page and "Preventing or detecting crime" not in page  # its purposes
    response = client.post(url, EARLY_HELP_CONSENT)
    assert response.status_code == 302
    condition = AgreementCondition.objects.get()
    assert (condition.kind, condition.purposes, condition.clause) == (
        "consent_required",
        ["early_help"],
        "section 3.2",
    )
    entry = AuditEntry.objects.filter(event=Event.VERSION_CHANGED).latest("pk")
    assert entry.actor == admin and entry.additional_data["condition_added"] == condition.pk
    detail = client.get(reverse("agreements:version_detail", args=[version.pk])).content.decode()
    assert "section 3.2" in detail and "Sharing for a purpose only with consent" in detail
    assert escape(EARLY_HELP_CONSENT["wording"]) in detail


@pytest.mark.parametrize(
    "answers, field_message",
    [
        ({**EARLY_HELP_CONSENT, "purposes": []}, "Select the purposes that need consent"),
        (
            {**EARLY_HELP_CONSENT, "kind": "data_categories"},
            "Select the kinds of information that may be shared",
        ),
        ({**EARLY_HELP_CONSENT, "kind": "recipient_kinds"}, "Select the kinds of agency that may receive it"),
        ({**EARLY_HELP_CONSENT, "purposes": ["crime"]}, "Select a valid choice"),
        ({**EARLY_HELP_CONSENT, "clause": ""}, "Enter the clause, as the document numbers it"),
    ],
)
def test_an_incomplete_condition_is_refused_with_a_message(client, admin, version, answers, field_message):
    client.force_login(admin)
    response = client.post(reverse("agreements:condition_add", args=[version.pk]), answers)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and field_message in page
    assert not AgreementCondition.objects.exists()


def test_once_signed_the_conditions_are_fixed(client, admin, version, other_agency):
    client.force_login(admin)
    client.post(reverse("agreements:condition_add", args=[version.pk]), EARLY_HELP_CONSENT)
    condition = AgreementCondition.objects.get()
    SignatureFactory(version=version, agency=other_agency)
    detail = client.get(reverse("agreements:version_detail", args=[version.pk])).content.decode()
    assert "Add a condition" not in detail and "to change them, add a new version" in detail
    response = client.post(reverse("agreements:condition_add", args=[version.pk]), EARLY_HELP_CONSENT)
    assert response.status_code == 200
    assert "has been signed: its conditions are part of what was signed" in response.content.decode()
    response = client.post(reverse("agreements:condition_remove", args=[condition.pk]), follow=True)
    assert "has been signed" in response.content.decode()
    assert AgreementCondition.objects.count() == 1


def test_an_admin_removes_a_condition_before_anyone_signs(client, admin, version):
    client.force_login(admin)
    client.post(reverse("agreements:condition_add", args=[version.pk]), EARLY_HELP_CONSENT)
    condition = AgreementCondition.objects.get()
    response = client.post(reverse("agreements:condition_remove", args=[condition.pk]))
    assert response.status_code == 302 and not AgreementCondition.objects.exists()
    assert AuditEntry.objects.filter(event=Event.VERSION_CHANGED, actor=admin).count() == 2


def test_another_agencys_admin_cannot_add_a_condition(client, outsider, version):
    from accounts.models import Role

    outsider.role = Role.ADMIN
    outsider.save()
    client.force_login(outsider)
    assert (
        client.post(reverse("agreements:condition_add", args=[version.pk]), EARLY_HELP_CONSENT).status_code
        == 404
    )
    assert not AgreementCondition.objects.exists()
