"""Factories for agencies' representatives, agreements, versions, signatures and incidents.

They write straight to the database (bypassing the services) to set up a state;
tests of the rules go through the services.
"""

import factory
from factory.django import DjangoModelFactory

from agreements.models import (
    AgencyKind,
    Agreement,
    AgreementPurpose,
    AgreementStatus,
    AgreementTier,
    AgreementVersion,
    Incident,
    IncidentKind,
    NominatedRepresentative,
    PartnershipGroup,
    Signature,
)
from devdata.demo.agreements import CONTENTS
from tests.factories import AgencyFactory, UserFactory, days_ago


class RepresentativeFactory(DjangoModelFactory):
    class Meta:
        model = NominatedRepresentative

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"rep{n}@example.org")
    started_on = factory.LazyFunction(lambda: days_ago(400))


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Agreement {n}")
    tier = AgreementTier.PROTOCOL
    owner = factory.SubFactory(AgencyFactory)
    status = AgreementStatus.DRAFT
    # Complete by default (agreements.checklist): an incomplete agreement cannot come into force.
    purpose = "To protect children from harm."
    parties_and_roles = CONTENTS["parties_and_roles"]
    data_items = CONTENTS["data_items"]
    lawful_basis = CONTENTS["lawful_basis"]
    article9_condition = CONTENTS["article9_condition"]
    recipients = CONTENTS["recipients"]
    frequency = CONTENTS["frequency"]
    data_quality = CONTENTS["data_quality"]
    security = CONTENTS["security"]
    retention_and_disposal = CONTENTS["retention_and_disposal"]
    rights_and_complaints = CONTENTS["rights_and_complaints"]
    breach_procedure = CONTENTS["breach_procedure"]
    dpia_reference = CONTENTS["dpia_reference"]
    termination = CONTENTS["termination"]

    @factory.post_generation
    def purposes(obj, create, extracted, **kwargs):
        if create:
            for purpose in extracted or ["safeguarding"]:
                AgreementPurpose.objects.create(agreement=obj, purpose=purpose)


class VersionFactory(DjangoModelFactory):
    class Meta:
        model = AgreementVersion

    agreement = factory.SubFactory(AgreementFactory)
    number = factory.Sequence(lambda n: f"1.{n}")
    text = "The text of the agreement."
    signed_off_by = "Chair of the partnership"
    signed_off_on = factory.LazyFunction(lambda: days_ago(100))
    next_review_date = factory.LazyFunction(lambda: days_ago(-265))


class SignatureFactory(DjangoModelFactory):
    class Meta:
        model = Signature

    version = factory.SubFactory(VersionFactory)
    agreement = factory.LazyAttribute(lambda o: o.version.agreement)
    agency = factory.SubFactory(AgencyFactory)
    signed_by_name = "Sam Signer"
    signed_by_role = "Director"
    signed_on = factory.LazyAttribute(lambda o: o.version.signed_off_on)
    representative = factory.LazyAttribute(
        lambda o: o.agency.current_representative or RepresentativeFactory(agency=o.agency)
    )
    group = PartnershipGroup.CORE
    recorded_by = factory.SubFactory(UserFactory, agency=factory.SelfAttribute("..agency"))


class IncidentFactory(DjangoModelFactory):
    class Meta:
        model = Incident

    kind = IncidentKind.COMPLAINT
    agency = factory.SubFactory(AgencyFactory)
    reported_by = "Parent"
    reported_on = factory.LazyFunction(lambda: days_ago(10))
    summary = "Something happened."
    recorded_by = factory.SubFactory(UserFactory, agency=factory.SelfAttribute("..agency"))


def in_force_agreement(
    *,
    owner=None,
    purposes=("safeguarding",),
    tier=AgreementTier.PROTOCOL,
    parent=None,
    signed_off_on=None,
    **fields,
):
    """An agreement in force with one signed-off version; returns (agreement, version)."""
    agreement = AgreementFactory(
        owner=owner or AgencyFactory(),
        purposes=list(purposes),
        tier=tier,
        parent=parent,
        status=AgreementStatus.IN_FORCE,
        **fields,
    )
    version = VersionFactory(agreement=agreement, signed_off_on=signed_off_on or days_ago(100))
    return agreement, version


def provider_of(commissioner, **kwargs):
    return AgencyFactory(kind=AgencyKind.COMMISSIONED, commissioned_by=commissioner, **kwargs)
