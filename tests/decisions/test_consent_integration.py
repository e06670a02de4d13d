"""The decision asks the real consent part: the refusal on record is found, linked and overridden."""

import pytest
from django.utils import timezone

from consent.services import consent_record
from decisions.models import ConsentPosition
from tests.decisions.factories import draft_decision, submitted_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def consent_found():
    """Overrides the package's stand-in: these tests ask the consent part itself."""
    return None


def _record(practitioner, child, recipient, answer, **extra):
    return consent_record(
        child=child,
        by=practitioner,
        purpose="safeguarding",
        information_categories=["concerns", "identity"],  # all the decision shares
        recipients=[recipient],
        answer=answer,
        given_on=timezone.localdate(),
        asked="parent",
        parent_name="Jo Brook",
        parent_relationship="Mother",
        how_obtained="in_person",
        discussion_note="Discussed in the home visit.",
        **extra,
    )


def test_a_refusal_on_record_is_linked_and_needs_an_override_and_countersignature(
    practitioner, lead, child, recipient
):
    refusal = _record(practitioner, child, recipient, "refused")
    decision = draft_decision(practitioner, recipient, child=child)
    assert decision.consent_status == "refused"
    assert decision.consent_record == refusal
    decision = submitted_decision(
        practitioner, recipient, child=child, outcome={"override_reason": "Risk of serious harm"}
    )
    assert decision.consent_record == refusal and decision.overrides_refusal
    assert not decision.is_complete


def test_consent_given_on_record_makes_a_share_with_consent(practitioner, child, recipient):
    given = _record(practitioner, child, recipient, "given")
    decision = submitted_decision(practitioner, recipient, child=child)
    assert decision.consent_position == ConsentPosition.CONSENT_GIVEN
    assert decision.consent_record == given and decision.is_complete


def test_the_consent_page_links_to_the_consent_journeys_and_back(client, practitioner, child, recipient):
    from django.urls import reverse

    decision = draft_decision(practitioner, recipient, child=child)
    client.force_login(practitioner)
    page = client.get(reverse("decisions:step", args=[decision.pk, "consent"])).content.decode()
    assert reverse("consent:consent_start", kwargs={"pk": child.pk}) in page
    assert reverse("consent:assessment_start", kwargs={"pk": child.pk}) in page
    assert "next=%2Fdecisions%2F" in page


def test_the_childs_chronology_page_shows_the_decision(client, practitioner, child, recipient):
    from django.urls import reverse

    decision = submitted_decision(practitioner, recipient, child=child)
    client.force_login(practitioner)
    page = client.get(reverse("consent:child_detail", args=[child.pk])).content.decode()
    assert decision.reference in page
