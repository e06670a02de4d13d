"""The decision asks the real agreements part whether the recipient is an active signatory."""

import pytest
from django.urls import reverse

from decisions.journeys import DECISION
from tests.agreements.factories import SignatureFactory, in_force_agreement
from tests.decisions.factories import draft_decision, submitted_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def cover_found():
    """Overrides the package's stand-in: these tests ask the agreements part itself."""
    return None


def test_a_recipient_signed_up_to_an_agreement_in_force_is_recorded_with_its_version(practitioner, recipient):
    _, version = in_force_agreement(purposes=["safeguarding"])
    SignatureFactory(version=version, agency=recipient)
    SignatureFactory(version=version, agency=practitioner.agency)  # cover needs both agencies' signatures
    decision = draft_decision(practitioner, recipient)
    assert decision.agreement_version == version
    assert not DECISION.step("agreement").applies(decision)  # no warning to acknowledge
    decision = submitted_decision(
        practitioner, recipient, agreement={"no_agreement_acknowledged": False, "no_agreement_reason": ""}
    )
    assert decision.agreement_version == version


def test_an_agreement_for_another_purpose_gives_the_warning(client, practitioner, recipient):
    _, version = in_force_agreement(purposes=["education"])
    SignatureFactory(version=version, agency=recipient)
    decision = draft_decision(
        practitioner, recipient, agreement={"no_agreement_acknowledged": False, "no_agreement_reason": ""}
    )
    assert decision.agreement_version is None
    client.force_login(practitioner)
    response = client.post(reverse("decisions:check", args=[decision.pk]))
    assert "not both active signatories" in response.content.decode()
    page = client.get(reverse("decisions:step", args=[decision.pk, "agreement"])).content.decode()
    assert "not both active signatories" in page and "still share to protect a child" in page


def test_an_inactive_agency_is_not_offered_as_a_recipient(client, practitioner, recipient):
    recipient.is_active = False
    recipient.save()
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    form = client.get(reverse("decisions:step", args=[decision.pk, "recipient"])).context["form"]
    assert recipient not in form.fields["recipient_agency"].queryset
