"""Consent that counts (issue 12, item 2), through the decision's pages: every consent record of the
child is read against this share; a competent child's refusal stands against a parent's later consent;
a refusal recorded for another purpose is not hidden; consent out of scope is not consent."""

import uuid

import pytest
from django.urls import reverse

from agreements.models import AgencyKind
from consent.position import Share, consent_position
from consent.services import consent_withdraw
from decisions.models import ConsentPosition, Decision
from tests.consent.factories import make_assessment, make_consent
from tests.factories import AgencyFactory, ChildFactory, born_years_ago, days_ago
from tests.journeys.test_decision_journey import PAGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def consent_found():
    """Overrides the package's stand-in: these tests ask the consent part itself."""
    return None


@pytest.fixture
def health(db):
    return AgencyFactory(name="Northshire NHS Trust", kind=AgencyKind.NHS_TRUST)


@pytest.fixture
def teenager(practitioner):
    return ChildFactory(
        created_by=practitioner, given_name="Leah", family_name="Morgan", date_of_birth=born_years_ago(15)
    )


def _pages(recipient, overrides):
    pages = {step: dict(values) for step, values in PAGES.items()}
    for step, values in overrides.items():
        pages.setdefault(step, {}).update(values)
    return {
        step: {k: (recipient.pk if v == "RECIPIENT" else v) for k, v in values.items()}
        for step, values in pages.items()
    }


def walk(client, child, recipient, *, until=None, **overrides):
    """Start a decision about ``child`` and answer each page as a practitioner would, through the
    views, until the page ``until`` (or "check your answers"). Returns the decision and the URL reached."""
    pages = _pages(recipient, overrides)
    token = uuid.uuid4()
    response = client.post(reverse("decisions:new"), {"child": child.pk, "token": str(token)})
    decision = Decision.objects.get(creation_token=token)
    url = response["Location"]
    while "/answers/" in url:
        step = url.rstrip("/").split("/")[-1]
        if step == until:
            break
        response = client.post(url, pages.get(step, {}))
        assert response.status_code == 302, (step, response.context and response.context["form"].errors)
        url = response["Location"]
    decision.refresh_from_db()
    return decision, url


def _competent_refusal(child, practitioner, recipients, on):
    assessment = make_assessment(child, practitioner, on=on)
    return make_consent(
        child,
        practitioner,
        answer="refused",
        asked="child",
        assessment=assessment,
        parent_name="",
        parent_relationship="",
        how_obtained="in_person",
        recipients=recipients,
        on=on,
    )


def test_a_competent_childs_refusal_stands_against_a_later_parental_consent(
    client, practitioner, lead, teenager, recipient
):
    refusal = _competent_refusal(teenager, practitioner, [recipient], days_ago(10))
    make_consent(teenager, practitioner, answer="given", recipients=[recipient], on=days_ago(2))
    client.force_login(practitioner)
    decision, url = walk(client, teenager, recipient, until="consent")
    page = client.get(url).content.decode()
    assert "Consent refused" in page and "was assessed competent and refused" in page
    assert "A parent&#x27;s consent does not override a competent child&#x27;s refusal" in page
    client.post(url, {})
    decision.refresh_from_db()
    assert (decision.consent_status, decision.consent_record) == ("refused", refusal)
    # The outcome page asks for the best-interests reason in the child's own terms, and in words.
    outcome = reverse("decisions:step", args=[decision.pk, "outcome"])
    client.post(reverse("decisions:step", args=[decision.pk, "other_reason"]), PAGES["other_reason"])
    response = client.post(outcome, {"outcome": "share", "departure_reason": "", "override_reason": ""})
    assert "Leah was assessed competent and refused consent" in response.content.decode()
    response = client.post(outcome, {"outcome": "share", "departure_reason": "", "override_reason": "."})
    assert "in at least 4 different words" in response.content.decode()
    decision, url = walk(client, teenager, recipient)  # a new decision, answered in full
    assert url == reverse("decisions:check", args=[decision.pk])
    response = client.post(url)
    decision.refresh_from_db()
    assert response.status_code == 302, response.context["problems"]
    assert decision.consent_status == "refused" and decision.consent_record == refusal
    assert decision.consent_position == ConsentPosition.WITHOUT_CONSENT
    assert decision.competence_assessment == refusal.assessment
    assert decision.overrides_refusal and decision.requires_countersignature and not decision.is_complete
    client.force_login(lead)
    client.post(reverse("decisions:review", args=[decision.pk]), {"action": "endorse", "comments": ""})
    decision.refresh_from_db()
    assert decision.is_complete and decision.countersigned_by == lead


def test_only_the_child_sets_aside_their_own_refusal(practitioner, teenager, recipient):
    refusal = _competent_refusal(teenager, practitioner, [recipient], days_ago(20))
    share = Share(purpose="safeguarding", recipient=recipient, information_categories=("concerns",))
    make_consent(teenager, practitioner, answer="given", recipients=[recipient], on=days_ago(10))
    found = consent_position(child=teenager, on=days_ago(0), share=share)
    assert (found.status, found.record, found.competent_child_refused) == ("refused", refusal, True)
    changed_mind = make_consent(
        teenager,
        practitioner,
        answer="given",
        asked="child",
        assessment=refusal.assessment,
        parent_name="",
        parent_relationship="",
        recipients=[recipient],
        on=days_ago(5),
    )
    found = consent_position(child=teenager, on=days_ago(0), share=share)
    assert (found.status, found.record, found.competent_child_refused) == ("given", changed_mind, False)
    assert "Set aside by the later consent of Leah Morgan (the child)" in found.bearings[0].why


def test_a_refusal_recorded_for_another_purpose_does_not_disappear(client, practitioner, child, health):
    refusal = make_consent(
        child,
        practitioner,
        answer="refused",
        purpose="health_care",
        recipients=[health],
        parent_name="Tom Brook",
        parent_relationship="Father",
        on=days_ago(3),
    )
    client.force_login(practitioner)
    decision, url = walk(client, child, health, until="consent", request={"requester_agency": health.pk})
    page = client.get(url).content.decode()
    assert "Consent refused" in page and "Tom Brook (Father)" in page
    assert "a refusal stands whatever the purpose it was recorded for" in page
    decision, url = walk(client, child, health, request={"requester_agency": health.pk})
    assert (decision.consent_status, decision.consent_record) == ("refused", refusal)
    assert decision.overrides_refusal and not decision.is_complete


@pytest.mark.parametrize(
    "scope, gap",
    [
        ({"information_categories": ["identity"]}, "does not cover safeguarding concerns and incidents"),
        ({"purpose": "early_help"}, "not for safeguarding"),
        ({"recipients": "other"}, "does not include Recipient Police"),
        ({"on": days_ago(30), "valid_until": days_ago(20)}, "Lasted until"),
    ],
)
def test_consent_out_of_scope_is_not_consent_for_this_share(
    client, practitioner, child, recipient, scope, gap
):
    scope = dict(scope)
    if scope.get("recipients") == "other":
        scope["recipients"] = [AgencyFactory(name="Other School", kind=AgencyKind.SCHOOL)]
    make_consent(child, practitioner, answer="given", **{"recipients": [recipient], **scope})
    client.force_login(practitioner)
    decision, url = walk(
        client, child, recipient, until="consent", request={"requester_agency": recipient.pk}
    )
    page = client.get(url).content.decode()
    assert "No consent recorded" in page and gap in page
    client.post(url, {})
    decision.refresh_from_db()
    assert decision.consent_status == "none" and decision.consent_record is None


def test_consent_that_covers_the_share_counts(client, practitioner, child, recipient):
    given = make_consent(child, practitioner, answer="given", recipients=[recipient], on=days_ago(1))
    client.force_login(practitioner)
    decision, url = walk(
        client,
        child,
        recipient,
        request={"requester_agency": recipient.pk},
        lawful_basis={"article9_condition": "none"},  # Schedule 1 paragraph 18 is for without consent
    )
    assert (decision.consent_status, decision.consent_record) == ("given", given)
    assert client.post(url).status_code == 302
    decision.refresh_from_db()
    assert decision.consent_position == ConsentPosition.CONSENT_GIVEN


def test_a_withdrawal_counts_against_the_share_and_not_sought_does_not_set_a_refusal_aside(
    practitioner, child, recipient
):
    given = make_consent(child, practitioner, recipients=[recipient], on=days_ago(10))
    withdrawal = consent_withdraw(
        consent=given,
        by=practitioner,
        withdrawn_on=days_ago(5),
        how_obtained="phone",
        discussion_note="Rang.",
    )
    make_consent(child, practitioner, answer="not_sought", recipients=[recipient], on=days_ago(1))
    share = Share(purpose="safeguarding", recipient=recipient, information_categories=("concerns",))
    found = consent_position(child=child, on=days_ago(0), share=share)
    assert (found.status, found.record) == ("withdrawn", withdrawal)
    whys = [bearing.why for bearing in found.bearings]
    assert whys[0].startswith("Withdrawn on") and whys[2].startswith("Does not set aside the refusal")


def test_hand_made_posts_cannot_turn_a_refusal_into_consent(client, practitioner, teenager, recipient):
    _competent_refusal(teenager, practitioner, [recipient], days_ago(10))
    make_consent(teenager, practitioner, answer="given", recipients=[recipient], on=days_ago(2))
    client.force_login(practitioner)
    decision, url = walk(client, teenager, recipient, until="consent")
    # The consent page has no answers to give: whatever is posted, the position is looked up.
    client.post(url, {"consent_status": "given", "consent_record": "", "override_reason": ""})
    decision.refresh_from_db()
    assert decision.consent_status == "refused"
    decision, check = walk(
        client, teenager, recipient, outcome={"override_reason": "Risk outweighs the refusal"}
    )
    # A draft doctored to read "consent given", with no reason: submission looks consent up again.
    decision.consent_status, decision.override_reason = "given", ""
    decision.save()
    response = client.post(check)
    decision.refresh_from_db()
    assert response.status_code == 200 and decision.is_draft
    assert decision.consent_status == "refused"
    assert any(
        "Leah was assessed competent and refused consent" in problem.message
        for problem in response.context["problems"]
    )
