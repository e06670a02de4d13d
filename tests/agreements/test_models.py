import pytest
from django.core.exceptions import ValidationError

from agreements.models import (
    Agency,
    AgencyKind,
    AgreementTier,
    AgreementVersion,
    IcoState,
    validate_ico_number,
)
from tests.agreements.factories import AgreementFactory, provider_of
from tests.factories import AgencyFactory, days_ago


@pytest.mark.parametrize("number", ["Z5347709", "ZA123456", "ZB012345", "za123456", "Z 534 7709"])
def test_ico_numbers_in_either_shape_are_accepted(number):
    validate_ico_number(number)


@pytest.mark.parametrize(
    "number",
    ["", "Z534770", "Z53477090", "Y5347709", "ZA12345", "Z12345AB", "ZA1234567", "1234567Z", "Z\uff15347709"],
)
def test_malformed_ico_numbers_are_refused(number):
    with pytest.raises(ValidationError, match="Z and 7 digits"):
        validate_ico_number(number)


@pytest.mark.parametrize(
    ("kind", "public"),
    [
        (AgencyKind.LOCAL_AUTHORITY, True),
        (AgencyKind.SCHOOL, True),
        (AgencyKind.VOLUNTARY, False),
        (AgencyKind.COMMISSIONED, False),
        (AgencyKind.EARLY_YEARS, False),
    ],
)
def test_public_authority_follows_the_kind(kind, public):
    assert Agency(kind=kind).is_public_authority is public


def test_ico_state_missing_expired_expiring_valid():
    on = days_ago(0)
    assert Agency(ico_registration_number="").ico_state(on) == IcoState.MISSING
    assert Agency(ico_registration_number="Z1234567", ico_registration_expires_on=days_ago(1)).ico_state(
        on
    ) == (IcoState.EXPIRED)
    assert Agency(ico_registration_number="Z1234567", ico_registration_expires_on=days_ago(-30)).ico_state(
        on
    ) == (IcoState.EXPIRING)
    assert Agency(ico_registration_number="Z1234567", ico_registration_expires_on=days_ago(-200)).ico_state(
        on
    ) == (IcoState.VALID)


@pytest.mark.django_db
def test_a_commissioned_provider_needs_its_commissioner_and_only_it_has_one():
    la = AgencyFactory()
    with pytest.raises(ValidationError) as missing:
        Agency(name="P", kind=AgencyKind.COMMISSIONED).full_clean()
    assert "commissioned_by" in missing.value.message_dict
    with pytest.raises(ValidationError) as wrong:
        Agency(name="S", kind=AgencyKind.SCHOOL, commissioned_by=la).full_clean()
    assert "commissioned_by" in wrong.value.message_dict
    provider_of(la).full_clean()


@pytest.mark.django_db
def test_an_ico_number_needs_its_expiry_date():
    with pytest.raises(ValidationError) as error:
        Agency(name="A", kind=AgencyKind.POLICE, ico_registration_number="Z1234567").full_clean()
    assert "ico_registration_expires_on" in error.value.message_dict


@pytest.mark.django_db
def test_tiers_sit_beneath_the_right_parent():
    protocol = AgreementFactory(tier=AgreementTier.PROTOCOL)
    service = AgreementFactory(tier=AgreementTier.SERVICE, parent=protocol)
    with pytest.raises(ValidationError, match="sits beneath"):
        AgreementFactory.build(tier=AgreementTier.SERVICE, owner=protocol.owner).clean()
    with pytest.raises(ValidationError, match="cannot sit beneath"):
        AgreementFactory.build(
            tier=AgreementTier.CODE_OF_PRACTICE, parent=service, owner=protocol.owner
        ).clean()
    with pytest.raises(ValidationError, match="does not sit beneath"):
        AgreementFactory.build(tier=AgreementTier.PROTOCOL, parent=protocol, owner=protocol.owner).clean()
    AgreementFactory.build(tier=AgreementTier.CODE_OF_PRACTICE, parent=protocol, owner=protocol.owner).clean()


@pytest.mark.django_db
def test_review_date_must_follow_sign_off():
    agreement = AgreementFactory()
    version = AgreementVersion(
        agreement=agreement,
        number="1",
        text="x",
        signed_off_by="Chair",
        signed_off_on=days_ago(10),
        next_review_date=days_ago(20),
    )
    with pytest.raises(ValidationError) as error:
        version.full_clean()
    assert error.value.message_dict["next_review_date"] == [
        "The next review date must be after the sign-off date"
    ]


@pytest.mark.django_db
def test_a_version_needs_text_or_a_pdf():
    version = AgreementVersion(agreement=AgreementFactory(), number="1")
    with pytest.raises(ValidationError) as error:
        version.full_clean()
    assert "text" in error.value.message_dict


@pytest.mark.django_db
def test_an_agencys_scope_is_every_agency_partnership_wide_and_its_own_otherwise(
    agency, other_agency, practitioner, partnership_ig
):
    from django.contrib.auth.models import AnonymousUser

    assert set(Agency.objects.in_scope_of(partnership_ig)) == {agency, other_agency}
    assert list(Agency.objects.in_scope_of(practitioner)) == [agency]
    assert list(Agency.objects.in_scope_of(AnonymousUser())) == []
    assert practitioner.sees_agency(agency.pk) and not practitioner.sees_agency(other_agency.pk)
    assert partnership_ig.sees_agency(agency.pk) and not practitioner.sees_agency(None)
