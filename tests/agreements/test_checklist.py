"""Issue 20 item 1: an agreement comes into force only when it holds the ICO checklist (Annex A)."""

import pytest
from django.urls import reverse

from agreements import checklist
from agreements.models import AgreementStatus
from tests.agreements.factories import AgreementFactory, VersionFactory

pytestmark = pytest.mark.django_db

EMPTY = {
    name: ""
    for name in (
        "purpose",
        "parties_and_roles",
        "data_items",
        "lawful_basis",
        "article9_condition",
        "recipients",
        "frequency",
        "data_quality",
        "security",
        "retention_and_disposal",
        "rights_and_complaints",
        "breach_procedure",
        "dpia_reference",
        "termination",
    )
}


def test_the_checklist_has_every_item_of_the_ico_code():
    labels = [item.label for item in checklist.ITEMS]
    assert labels == [
        "Parties and their roles",
        "Purpose",
        "Data items and special categories",
        "Lawful basis and conditions",
        "Recipients",
        "Frequency",
        "Data quality",
        "Security",
        "Retention and disposal",
        "Individuals' rights and complaints",
        "Breach procedure",
        "DPIA reference",
        "Review date",
        "Owner",
        "Termination",
    ]


def test_an_empty_agreement_cannot_come_into_force(client, admin, agency):
    agreement = AgreementFactory(owner=agency, **EMPTY)
    VersionFactory(agreement=agreement)
    client.force_login(admin)
    response = client.post(
        reverse("agreements:agreement_status", args=[agreement.pk]), {"status": "in_force", "lock_version": 0}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Before putting the agreement in force, enter the parties and their controller roles" in page
    for item in checklist.ITEMS:
        if item.key not in ("review", "owner"):
            assert item.where.replace("'", "&#x27;") in page, item.key
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT


@pytest.mark.parametrize("field", sorted(EMPTY))
def test_each_missing_item_alone_keeps_the_agreement_out_of_force(client, admin, agency, field):
    agreement = AgreementFactory(owner=agency, **{field: ""})
    VersionFactory(agreement=agreement)
    client.force_login(admin)
    response = client.post(
        reverse("agreements:agreement_status", args=[agreement.pk]), {"status": "in_force", "lock_version": 0}
    )
    assert response.status_code == 200
    assert "Before putting the agreement in force, enter" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT


def test_a_version_with_no_review_date_keeps_the_agreement_out_of_force(client, admin, agency):
    agreement = AgreementFactory(owner=agency)
    VersionFactory(agreement=agreement, next_review_date=None)
    client.force_login(admin)
    response = client.post(
        reverse("agreements:agreement_status", args=[agreement.pk]), {"status": "in_force", "lock_version": 0}
    )
    assert "a next review date on the signed-off version" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT


def test_an_agreement_with_no_purposes_covered_keeps_out_of_force(client, admin, agency):
    agreement = AgreementFactory(owner=agency)
    agreement.purposes.all().delete()
    VersionFactory(agreement=agreement)
    client.force_login(admin)
    response = client.post(
        reverse("agreements:agreement_status", args=[agreement.pk]), {"status": "in_force", "lock_version": 0}
    )
    assert "the purpose and objectives, and the purposes covered" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT


def test_a_complete_agreement_comes_into_force(client, admin, agency):
    agreement = AgreementFactory(owner=agency)
    VersionFactory(agreement=agreement)
    client.force_login(admin)
    response = client.post(
        reverse("agreements:agreement_status", args=[agreement.pk]), {"status": "in_force", "lock_version": 0}
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_FORCE


def test_the_agreement_page_shows_the_checklist_and_what_is_missing(client, admin, agency):
    agreement = AgreementFactory(owner=agency, security="", dpia_reference="")
    VersionFactory(agreement=agreement)
    client.force_login(admin)
    page = client.get(reverse("agreements:agreement_detail", args=[agreement.pk])).content.decode()
    assert "What the ICO checklist asks for" in page
    assert 'class="govuk-task-list"' in page
    assert page.count("Missing</strong>") == 2
    assert page.count(">Completed<") == len(checklist.ITEMS) - 2
    assert "Enter the security of the information" in page
    assert "Enter the DPIA reference" in page
