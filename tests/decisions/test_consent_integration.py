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


def test_the_chronology_reads_decisions_with_their_reviews_and_addenda_in_one_query(
    client, django_assert_num_queries, practitioner, lead, child, recipient
):
    """Only the columns an entry shows are read (decisions.selectors.CHRONOLOGY_FIELDS): a column left
    out would be fetched again for every decision, and the count would grow with them. The reviews and
    addenda come in the decisions' own query (isa_portal.rows), not a query each."""
    from django.urls import reverse

    from decisions import services

    page = reverse("consent:child_detail", args=[child.pk])
    client.force_login(practitioner)
    for count in (1, 3):
        while len(decisions := list(child.decisions.exclude(status="draft"))) < count:
            decision = submitted_decision(practitioner, recipient, child=child)
            services.decision_add_addendum(decision=decision, text="Told the GP", by=practitioner)
            services.decision_review(decision=decision, action="return", comments="Dates?", by=lead)
        client.get(page)
        # session, user, child, consents, assessments, decisions with their reviews and addenda,
        # "viewed" (one statement, the child's name held outside the chain with it)
        with django_assert_num_queries(7):
            entries = client.get(page).context["entries"]
        shown = [dict(entry.details) for entry in entries if entry.kind == "Decision"]
        assert len(shown) == len(decisions)
        assert all(f"by {lead.full_name}, " in d["Reviews"] for d in shown), shown
        assert all(d["Addenda"].startswith(f"{practitioner.full_name}, ") for d in shown), shown
        assert {entry.title.split(":")[0] for entry in entries} == {d.reference for d in decisions}


def test_a_chronology_entry_lists_the_reviews_and_addenda_oldest_first_as_the_record_does(
    client, practitioner, lead, child, recipient
):
    """The rows read in the decision's own query say what the record's reviews and addenda say, in
    their order (created, then id), with the same dates."""
    from django.urls import reverse

    from decisions import services
    from isa_portal.web import long_date

    decision = submitted_decision(practitioner, recipient, child=child)
    services.decision_review(decision=decision, action="return", comments="Dates?", by=lead)
    services.decision_add_addendum(decision=decision, text="Dates added", by=practitioner)
    services.decision_review(decision=decision, action="endorse", comments="", by=lead)
    services.decision_add_addendum(decision=decision, text="Told the GP", by=lead)
    client.force_login(practitioner)
    entries = client.get(reverse("consent:child_detail", args=[child.pk])).context["entries"]
    (details,) = [dict(entry.details) for entry in entries if entry.kind == "Decision"]
    reviews = list(decision.reviews.order_by("created", "id"))
    addenda = list(decision.addenda.order_by("created", "id"))
    assert [review.action for review in reviews] == ["return", "endorse"]
    assert details["Reviews"] == "\n".join(
        f"{review.get_action_display()} by {review.reviewer_name}, {long_date(review.created)}"
        for review in reviews
    )
    assert details["Addenda"] == "\n".join(
        f"{note.author_name}, {long_date(note.created)}" for note in addenda
    )
    assert details["Addenda"].startswith(f"{practitioner.full_name}, ")


def test_the_chronology_built_once_shows_each_change_at_once(client, practitioner, lead, child, recipient):
    """The chronology's queries are built once per process (decisions.selectors._chronology_decisions,
    consent.sources._assessments, consent.position._every_record), never their rows: a decision, a
    review, an addendum, a consent written after one view show on the next."""
    from django.urls import reverse

    from decisions import services
    from tests.consent.factories import make_assessment, make_consent

    page = reverse("consent:child_detail", args=[child.pk])
    client.force_login(practitioner)
    assert client.get(page).context["entries"] == []
    decision = submitted_decision(practitioner, recipient, child=child)
    services.decision_review(decision=decision, action="return", comments="Dates?", by=lead)
    services.decision_add_addendum(decision=decision, text="Dates added", by=practitioner)
    make_consent(child, practitioner)
    make_assessment(child, practitioner, outcome="not_competent")
    response = client.get(page)
    kinds = sorted(entry.kind for entry in response.context["entries"])
    assert kinds == ["Competence assessment", "Consent", "Decision"]
    (details,) = [dict(e.details) for e in response.context["entries"] if e.kind == "Decision"]
    assert details["Reviews"].startswith("Return to the practitioner with comments by ")
    assert details["Addenda"].startswith(f"{practitioner.full_name}, ")
    assert len(response.context["consent_summary"].standing) == 1
