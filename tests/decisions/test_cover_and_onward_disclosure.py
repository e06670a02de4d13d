"""Cover and onward disclosure (issue 12, item 4), through the decision's pages: cover needs both
agencies' live signatures of an agreement in force, not past its review, with no expired ICO
registration, and the record says plainly what covered the share or why nothing did; a refusal of
onward disclosure by the agency the information came from needs reasons and a lead's countersignature."""

import pytest
from django.urls import reverse

from accounts.models import Role
from agreements.models import AgencyKind, AgreementStatus
from consent.services import child_agency_link
from decisions.models import Decision, OnwardDisclosure
from tests.agreements.factories import SignatureFactory, in_force_agreement
from tests.decisions.factories import SHARE_ANSWERS, submitted_decision
from tests.decisions.test_consent_that_counts import walk
from tests.factories import AgencyFactory, ChildFactory, UserFactory, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def cover_found():
    """Overrides the package's stand-in: these tests ask the agreements part itself."""
    return None


@pytest.fixture
def mash():
    _, version = in_force_agreement(purposes=["safeguarding"], title="MASH ISA")
    return version


@pytest.fixture
def probation(db):
    return AgencyFactory(
        name="Northshire Probation", kind=AgencyKind.OTHER, public_authority=True, competent_authority=True
    )


@pytest.fixture
def gp(db):
    return UserFactory(
        email="gp@example.org",
        agency=AgencyFactory(name="Riverside GP Practice", kind=AgencyKind.GP_PRACTICE),
        role=Role.PRACTITIONER,
    )


def _record(client, decision) -> str:
    return client.get(reverse("decisions:detail", args=[decision.pk])).content.decode()


def test_a_gp_practice_that_signed_nothing_sharing_with_probation_is_not_covered(client, gp, probation, mash):
    SignatureFactory(version=mash, agency=probation)  # only the recipient has signed
    child = ChildFactory(created_by=gp)
    client.force_login(gp)
    decision, url = walk(client, child, probation, until="agreement")
    assert decision.agreement_version is None
    page = client.get(url).content.decode()
    assert "Riverside GP Practice has not signed MASH ISA" in page
    decision, check = walk(client, child, probation)
    assert client.post(check).status_code == 302
    decision.refresh_from_db()
    assert decision.agreement_version is None
    assert decision.cover_note.startswith("No agreement covered this share")
    record = _record(client, decision)
    assert "No agreement covered this share: Riverside GP Practice has not signed MASH ISA" in record
    assert "Shared under MASH ISA" not in record


def test_the_record_says_what_covered_the_share(client, practitioner, recipient, child, mash):
    SignatureFactory(version=mash, agency=recipient, signed_on=days_ago(90))
    SignatureFactory(version=mash, agency=practitioner.agency, signed_on=days_ago(80))
    client.force_login(practitioner)
    decision, check = walk(client, child, recipient)
    assert decision.agreement_version == mash  # no "no agreement" page on the way
    client.post(check)
    decision.refresh_from_db()
    assert decision.agreement_version == mash
    record = _record(client, decision)
    assert f"Shared under MASH ISA version {mash.number}" in record
    assert (
        "signed by Home County Children&#x27;s Services on" in record
        and "and by Recipient Police on" in record
    )


@pytest.mark.parametrize("status", [AgreementStatus.IN_FORCE, AgreementStatus.UNDER_REVIEW])
def test_an_agreement_past_its_review_date_is_not_cover(client, practitioner, recipient, child, mash, status):
    for agency in (recipient, practitioner.agency):
        SignatureFactory(version=mash, agency=agency)
    mash.next_review_date = days_ago(1)
    mash.save()
    mash.agreement.status = status
    mash.agreement.save()
    client.force_login(practitioner)
    decision, url = walk(client, child, recipient, until="agreement")
    assert decision.agreement_version is None
    assert "was due for review on" in client.get(url).content.decode()


def test_an_agency_whose_ico_registration_expired_is_not_covered(
    client, practitioner, recipient, child, mash
):
    for agency in (recipient, practitioner.agency):
        SignatureFactory(version=mash, agency=agency)
    recipient.ico_registration_number = "Z5347709"
    recipient.ico_registration_expires_on = days_ago(3)
    recipient.save()
    client.force_login(practitioner)
    decision, url = walk(client, child, recipient, until="agreement")
    assert decision.agreement_version is None
    assert "Recipient Police&#x27;s ICO registration expired on" in client.get(url).content.decode()


def test_a_withdrawn_signatory_is_not_cover(client, practitioner, recipient, child, mash):
    SignatureFactory(version=mash, agency=recipient)
    SignatureFactory(
        version=mash,
        agency=practitioner.agency,
        state="withdrawn",
        withdrawn_on=days_ago(2),
        withdrawal_reason="Left the partnership",
    )
    client.force_login(practitioner)
    decision, url = walk(client, child, recipient, until="agreement")
    assert decision.agreement_version is None
    assert "withdrew its signature of MASH ISA on" in client.get(url).content.decode()


def test_a_hand_made_post_cannot_claim_cover(client, practitioner, recipient, child, mash):
    SignatureFactory(version=mash, agency=recipient)
    client.force_login(practitioner)
    decision, _ = walk(client, child, recipient)
    response = client.post(
        reverse("decisions:step", args=[decision.pk, "recipient"]),
        {**_recipient_page(recipient), "agreement_version": mash.pk, "cover_note": "Covered"},
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.agreement_version is None and decision.cover_note.startswith("No agreement")


def _recipient_page(recipient):
    today = days_ago(0)
    return {
        "information_shared": "Injury dates",
        "recipient_agency": recipient.pk,
        "recipient_name": "Sam Lee",
        "recipient_role": "DC",
        "share_method": "secure_email",
        "shared_on_0": today.day,
        "shared_on_1": today.month,
        "shared_on_2": today.year,
        "confirmed_in_writing": "yes",
    }


def _openness(source, agreed, reason=""):
    return {
        "family_told": "yes",
        "from_other_agency": "yes",
        "source_agency": source.pk,
        "source_agency_agreed": agreed,
        "onward_override_reason": reason,
        "protected_identities": "",
    }


def test_a_refusal_of_onward_disclosure_needs_reasons_and_a_countersignature(
    client, practitioner, lead, recipient, child
):
    school = AgencyFactory(name="Oak Primary School", kind=AgencyKind.SCHOOL)
    client.force_login(practitioner)
    decision, url = walk(client, child, recipient, until="openness")
    response = client.post(url, _openness(school, "refused"))
    assert response.status_code == 200
    assert "Oak Primary School supplied this information and refused to have it passed on" in (
        response.content.decode()
    )
    response = client.post(url, _openness(school, "refused", "."))
    assert "in at least 4 different words" in response.content.decode()
    reason = "The child is at risk tonight and the school could not be reached"
    assert client.post(url, _openness(school, "refused", reason)).status_code == 302
    check = reverse("decisions:check", args=[decision.pk])
    assert "not complete until a lead countersigns it" in client.get(check).content.decode()
    assert client.post(check).status_code == 302
    decision.refresh_from_db()
    assert decision.originator_refused and decision.onward_override_reason == reason
    assert decision.requires_countersignature and not decision.is_complete
    client.force_login(lead)
    client.post(reverse("decisions:review", args=[decision.pk]), {"action": "endorse", "comments": ""})
    decision.refresh_from_db()
    assert decision.is_complete


def test_the_originators_own_refusal_counts_whatever_the_practitioner_answers(
    client, practitioner, agency, child, outsider
):
    """The police (the outsider's agency) shared with us, saying it must not be passed on; our
    practitioner records that the police agreed: the police's own record stands."""
    police = outsider.agency
    answers = {"openness": {**SHARE_ANSWERS["openness"], "onward_disclosure": OnwardDisclosure.REFUSED}}
    child_agency_link(child=child, agency=police)  # the police hold a record about the child too
    originator = submitted_decision(outsider, agency, child=child, **answers)
    assert originator.onward_disclosure == OnwardDisclosure.REFUSED
    school = AgencyFactory(name="Oak Primary School", kind=AgencyKind.SCHOOL)
    client.force_login(practitioner)
    decision, url = walk(client, child, school, until="openness")
    response = client.post(url, _openness(police, "agreed"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{police.name} supplied this information and refused to have it passed on" in page
    # Saved around the page (a hand-made draft), submission still refuses it without a reason.
    decision.from_other_agency, decision.source_agency, decision.source_agency_agreed = True, police, "agreed"
    decision.family_told = True
    decision.save()
    page = client.get(url).content.decode()
    assert f"{police.name} recorded, when it shared this with your agency on" in page
    response = client.post(reverse("decisions:check", args=[decision.pk]))
    assert response.status_code == 200
    decision.refresh_from_db()
    assert decision.is_draft and decision.originator_refused
    assert any("refused to have it passed on" in problem.message for problem in response.context["problems"])
    assert Decision.objects.filter(pk=decision.pk, status="draft").exists()
