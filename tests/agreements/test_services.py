import itertools

import pytest
from django.core.exceptions import ValidationError

from agreements import services
from agreements.models import (
    STATUS_TRANSITIONS,
    AgreementStatus,
    AgreementTier,
    NominatedRepresentative,
    Signature,
    SignatureState,
)
from isa_portal.concurrency import EditConflict
from tests.agreements.factories import (
    AgreementFactory,
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


def sign(version, agency, by, **overrides):
    fields = {
        "signed_by_name": "Sam Signer",
        "signed_by_role": "Director",
        "signed_on": days_ago(1),
        "group": "core",
        "evidence": scan(),
    }
    fields.update(overrides)
    return services.signature_record(version=version, agency=agency, by=by, **fields)


# Status transitions

ALL_PAIRS = list(itertools.product(AgreementStatus, AgreementStatus))


@pytest.mark.parametrize(("start", "end"), ALL_PAIRS)
def test_only_the_allowed_status_transitions_are_accepted(admin, start, end):
    agreement = AgreementFactory(status=start)
    VersionFactory(agreement=agreement)  # signed off, so "in force" is possible when allowed
    allowed = end in STATUS_TRANSITIONS[start]
    if allowed:
        services.agreement_change_status(
            agreement=agreement, status=end, lock_version=agreement.lock_version, by=admin
        )
        agreement.refresh_from_db()
        assert agreement.status == end
    else:
        with pytest.raises(ValidationError):
            services.agreement_change_status(
                agreement=agreement, status=end, lock_version=agreement.lock_version, by=admin
            )
        agreement.refresh_from_db()
        assert agreement.status == start


def test_an_agreement_cannot_go_in_force_without_a_signed_off_version(admin):
    agreement = AgreementFactory()
    VersionFactory(agreement=agreement, signed_off_on=None, signed_off_by="", next_review_date=None)
    with pytest.raises(ValidationError, match="sign-off"):
        services.agreement_change_status(
            agreement=agreement, status=AgreementStatus.IN_FORCE, lock_version=0, by=admin
        )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT


def test_a_service_agreement_goes_in_force_only_beneath_a_parent_in_force(admin):
    protocol = AgreementFactory()
    service = AgreementFactory(tier=AgreementTier.SERVICE, parent=protocol)
    VersionFactory(agreement=service)
    with pytest.raises(ValidationError, match="in force first"):
        services.agreement_change_status(
            agreement=service, status=AgreementStatus.IN_FORCE, lock_version=0, by=admin
        )


def test_a_stale_status_change_is_refused(admin):
    agreement = AgreementFactory()
    VersionFactory(agreement=agreement)
    with pytest.raises(EditConflict):
        services.agreement_change_status(
            agreement=agreement, status=AgreementStatus.IN_FORCE, lock_version=5, by=admin
        )


# Signatures


def test_signing_the_version_in_force(admin, represented):
    _, version = in_force_agreement()
    signature = sign(version, represented, admin)
    assert signature.is_live
    assert signature.representative == represented.current_representative
    assert signature.recorded_by == admin


def test_a_draft_cannot_be_signed(admin, represented):
    agreement = AgreementFactory(status=AgreementStatus.DRAFT)
    version = VersionFactory(agreement=agreement)
    with pytest.raises(ValidationError, match="only an agreement in force can be signed"):
        sign(version, represented, admin)
    assert not Signature.objects.exists()


def test_only_the_version_in_force_can_be_signed(admin, represented):
    agreement, v1 = in_force_agreement(signed_off_on=days_ago(200))
    VersionFactory(agreement=agreement, signed_off_on=days_ago(20))
    with pytest.raises(ValidationError, match="Only the version in force"):
        sign(v1, represented, admin)
    not_signed_off = VersionFactory(
        agreement=agreement, signed_off_on=None, signed_off_by="", next_review_date=None
    )
    with pytest.raises(ValidationError, match="Only the version in force"):
        sign(not_signed_off, represented, admin)
    assert not Signature.objects.exists()


def test_a_duplicate_live_signature_is_refused(admin, represented):
    _, version = in_force_agreement()
    sign(version, represented, admin)
    with pytest.raises(ValidationError, match="has already signed version"):
        sign(version, represented, admin)
    assert Signature.objects.count() == 1


def test_the_database_holds_one_live_signature_per_agency_and_agreement(represented):
    from django.db import IntegrityError, transaction

    agreement, v1 = in_force_agreement(signed_off_on=days_ago(200))
    SignatureFactory(version=v1, agency=represented)
    v2 = VersionFactory(agreement=agreement, signed_off_on=days_ago(20))
    with pytest.raises(IntegrityError), transaction.atomic():
        SignatureFactory(version=v2, agency=represented)


def test_signing_again_after_withdrawing_is_allowed(admin, represented):
    _, version = in_force_agreement()
    first = sign(version, represented, admin, signed_on=days_ago(10))
    services.signature_withdraw(signature=first, withdrawn_on=days_ago(5), reason="Paused", by=admin)
    again = sign(version, represented, admin)
    assert again.is_live


def test_a_commissioned_provider_must_sign_in_its_own_right(admin, agency):
    RepresentativeFactory(agency=agency)
    registered(agency)
    provider = registered(provider_of(agency, name="Provider Ltd"))
    _, version = in_force_agreement()
    sign(version, agency, admin)
    with pytest.raises(ValidationError) as error:
        sign(version, provider, admin)
    message = error.value.message_dict["agency"][0]
    assert "must sign in its own right" in message and agency.name in message
    RepresentativeFactory(agency=provider)
    assert sign(version, provider, admin).agency == provider


def test_an_agency_without_a_nominated_representative_cannot_sign(admin):
    _, version = in_force_agreement()
    with pytest.raises(ValidationError, match="nominated representative"):
        sign(version, AgencyFactory(), admin)


def test_an_inactive_agency_cannot_sign(admin):
    _, version = in_force_agreement()
    gone = AgencyFactory(is_active=False)
    RepresentativeFactory(agency=gone)
    with pytest.raises(ValidationError, match="no longer active"):
        sign(version, gone, admin)


@pytest.mark.parametrize(
    ("signed_on", "message"), [(-1, "today or in the past"), (150, "on or after the sign-off")]
)
def test_the_date_signed_lies_between_sign_off_and_today(admin, represented, signed_on, message):
    _, version = in_force_agreement(signed_off_on=days_ago(100))
    with pytest.raises(ValidationError, match=message):
        sign(version, represented, admin, signed_on=days_ago(signed_on))


def test_withdrawal_needs_a_live_signature_a_reason_and_a_sensible_date(admin, represented):
    _, version = in_force_agreement()
    signature = sign(version, represented, admin, signed_on=days_ago(10))
    with pytest.raises(ValidationError, match="reason"):
        services.signature_withdraw(signature=signature, withdrawn_on=days_ago(1), reason="  ", by=admin)
    with pytest.raises(ValidationError, match="on or after the date signed"):
        services.signature_withdraw(signature=signature, withdrawn_on=days_ago(11), reason="x", by=admin)
    with pytest.raises(ValidationError, match="today or in the past"):
        services.signature_withdraw(signature=signature, withdrawn_on=days_ago(-1), reason="x", by=admin)
    withdrawn = services.signature_withdraw(
        signature=signature, withdrawn_on=days_ago(1), reason="Left", by=admin
    )
    assert withdrawn.state == SignatureState.WITHDRAWN
    with pytest.raises(ValidationError, match="Only a live signature"):
        services.signature_withdraw(signature=signature, withdrawn_on=days_ago(1), reason="Again", by=admin)


# Nominated representatives


def test_appointing_a_representative_ends_the_previous_term_and_keeps_the_history(admin, agency):
    first = services.representative_appoint(
        agency=agency, name="First", email="first@example.org", started_on=days_ago(300), by=admin
    )
    second = services.representative_appoint(
        agency=agency, name="Second", email="second@example.org", started_on=days_ago(10), by=admin
    )
    first.refresh_from_db()
    assert first.ended_on == days_ago(10)
    assert agency.current_representative == second
    assert NominatedRepresentative.objects.filter(agency=agency).count() == 2


def test_a_successor_cannot_start_before_the_present_holder(admin, agency):
    services.representative_appoint(
        agency=agency, name="First", email="f@example.org", started_on=days_ago(10), by=admin
    )
    with pytest.raises(ValidationError, match="on or after"):
        services.representative_appoint(
            agency=agency, name="Second", email="s@example.org", started_on=days_ago(20), by=admin
        )
    assert agency.current_representative.name == "First"


def test_a_signed_off_version_without_a_review_date_is_reviewed_after_the_interval(admin):
    import datetime

    from agreements.models import AgreementVersion

    agreement = AgreementFactory(review_interval_months=6)
    version = services.version_create(
        version=AgreementVersion(
            agreement=agreement,
            number="1",
            text="x",
            signed_off_by="Chair",
            signed_off_on=datetime.date(2026, 8, 31),
        ),
        by=admin,
    )
    assert version.next_review_date == datetime.date(2027, 2, 28)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ((2026, 1, 31), 1, (2026, 2, 28)),
        ((2026, 11, 15), 12, (2027, 11, 15)),
        ((2028, 1, 29), 1, (2028, 2, 29)),
    ],
)
def test_add_months(start, months, expected):
    import datetime

    assert services.add_months(datetime.date(*start), months) == datetime.date(*expected)
