"""The contract the decisions part relies on: ``agreement_cover(agency=, purpose=, on=)``, in every state."""

import pytest

from agreements import services
from agreements.models import AgreementStatus, AgreementTier, SignatureState
from agreements.selectors import AgreementCover, agreement_cover
from tests.agreements.factories import (
    RepresentativeFactory,
    SignatureFactory,
    VersionFactory,
    in_force_agreement,
    provider_of,
    registered,
)
from tests.agreements.helpers import scan
from tests.factories import AgencyFactory, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def signatory():
    return registered(AgencyFactory(name="Signatory Police"))


def cover(agency, purpose="safeguarding", on=None):
    return agreement_cover(agency=agency, purpose=purpose, on=on or days_ago(0))


def test_a_live_signature_of_the_version_in_force_covers_its_purposes(signatory):
    agreement, version = in_force_agreement(purposes=["safeguarding", "crime"])
    signature = SignatureFactory(version=version, agency=signatory)
    result = cover(signatory, "crime")
    assert result == AgreementCover(agreement=agreement, version=version, signature=signature)


def test_a_purpose_the_agreement_does_not_cover_is_not_covered(signatory):
    _, version = in_force_agreement(purposes=["safeguarding"])
    SignatureFactory(version=version, agency=signatory)
    assert cover(signatory, "education") is None


def test_an_agency_that_has_not_signed_is_not_covered(signatory):
    in_force_agreement()
    assert cover(signatory) is None


@pytest.mark.parametrize(
    ("status", "covered"),
    [
        (AgreementStatus.DRAFT, False),
        (AgreementStatus.IN_FORCE, True),
        (AgreementStatus.UNDER_REVIEW, True),  # still governs sharing while it is reviewed
        (AgreementStatus.SUPERSEDED, False),
        (AgreementStatus.EXPIRED, False),
    ],
)
def test_only_an_agreement_in_force_or_under_review_covers(signatory, status, covered):
    agreement, version = in_force_agreement()
    SignatureFactory(version=version, agency=signatory)
    agreement.status = status
    agreement.save()
    assert (cover(signatory) is not None) is covered


def test_a_signature_withdrawn_before_the_date_does_not_cover_but_did_before(signatory):
    _, version = in_force_agreement(signed_off_on=days_ago(100))
    SignatureFactory(
        version=version,
        agency=signatory,
        signed_on=days_ago(90),
        state=SignatureState.WITHDRAWN,
        withdrawn_on=days_ago(10),
        withdrawal_reason="Left the partnership",
    )
    assert cover(signatory) is None
    assert cover(signatory, on=days_ago(11)) is not None
    assert cover(signatory, on=days_ago(10)) is None


def test_a_signature_made_after_the_date_does_not_cover_it(signatory):
    _, version = in_force_agreement(signed_off_on=days_ago(100))
    SignatureFactory(version=version, agency=signatory, signed_on=days_ago(5))
    assert cover(signatory, on=days_ago(6)) is None
    assert cover(signatory, on=days_ago(5)) is not None


def test_a_date_before_any_version_was_signed_off_is_not_covered(signatory):
    _, version = in_force_agreement(signed_off_on=days_ago(100))
    SignatureFactory(version=version, agency=signatory, signed_on=days_ago(100))
    assert cover(signatory, on=days_ago(101)) is None


def test_a_signature_of_an_earlier_version_needs_re_signing_to_cover(signatory):
    agreement, v1 = in_force_agreement(signed_off_on=days_ago(300))
    SignatureFactory(version=v1, agency=signatory, signed_on=days_ago(290))
    v2 = VersionFactory(agreement=agreement, signed_off_on=days_ago(30))
    assert cover(signatory) is None  # version 2 is in force: the signature of 1 no longer covers
    earlier = cover(signatory, on=days_ago(31))  # but on a day when version 1 was in force, it did
    assert earlier is not None and earlier.version == v1
    assert v2 != v1


def test_signing_the_new_version_replaces_the_old_signature_and_covers_again(signatory, admin):
    agreement, v1 = in_force_agreement(signed_off_on=days_ago(300))
    RepresentativeFactory(agency=signatory)
    old = SignatureFactory(version=v1, agency=signatory, signed_on=days_ago(290))
    v2 = VersionFactory(agreement=agreement, signed_off_on=days_ago(30))
    new = services.signature_record(
        version=v2,
        agency=signatory,
        signed_by_name="A",
        signed_by_role="B",
        signed_on=days_ago(20),
        group="core",
        evidence=scan(),
        by=admin,
    )
    old.refresh_from_db()
    assert old.state == SignatureState.REPLACED
    assert cover(signatory).signature == new
    assert cover(signatory, on=days_ago(100)).signature == old  # history is kept for earlier dates


def test_a_commissioned_provider_is_not_covered_by_its_commissioners_signature():
    commissioner = AgencyFactory(name="Commissioning Council")
    provider = provider_of(commissioner, name="Provider Ltd")
    _, version = in_force_agreement()
    SignatureFactory(version=version, agency=commissioner)
    assert cover(commissioner) is not None
    assert cover(provider) is None
    SignatureFactory(version=version, agency=provider)
    assert cover(provider).signature.agency == provider


def test_an_inactive_agency_is_not_covered(signatory):
    _, version = in_force_agreement()
    SignatureFactory(version=version, agency=signatory)
    signatory.is_active = False
    signatory.save()
    assert cover(signatory) is None


def test_the_most_specific_agreement_answers(signatory):
    protocol, p_version = in_force_agreement(purposes=["safeguarding"], signed_off_on=days_ago(50))
    service, s_version = in_force_agreement(
        purposes=["safeguarding"], tier=AgreementTier.SERVICE, parent=protocol, signed_off_on=days_ago(200)
    )
    SignatureFactory(version=p_version, agency=signatory)
    assert cover(signatory).agreement == protocol
    SignatureFactory(version=s_version, agency=signatory)
    assert cover(signatory).agreement == service


def test_cover_takes_a_fixed_number_of_queries(signatory, django_assert_num_queries):
    for _ in range(5):
        _, version = in_force_agreement()
        SignatureFactory(version=version, agency=signatory)
    with django_assert_num_queries(3):  # agreements, their versions, the agency's signatures
        assert cover(signatory) is not None
