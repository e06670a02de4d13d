"""The escalation ladder, through the pages: nobody resolves their own escalation, the next rung is
told, the timer shows, a resolution has an outcome apart from any countersignature, and an agency
with one lead falls through to the partnership's designated lead."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Role
from decisions import rules, views
from decisions.models import Decision, EscalationTier, Status
from tests.decisions.factories import submitted_decision
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_lead(lead):
    return UserFactory(email="second-lead@example.org", agency=lead.agency, role=Role.LEAD)


@pytest.fixture
def partnership_lead(db):
    host = AgencyFactory(name="Safeguarding Partnership Business Unit")
    return UserFactory(email="partnership-lead@example.org", agency=host, role=Role.PARTNERSHIP_LEAD)


def _review(client, user, decision, **data):
    """POST the review page as ``user``; e-mails sent after the commit land in ``mail.outbox``."""
    client.force_login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("decisions:review", args=[decision.pk]), data)


def _escalate(client, user, decision, comments="I disagree: the share goes beyond what is needed"):
    response = _review(client, user, decision, action="escalate", comments=comments)
    assert response.status_code == 302, response.content.decode()
    decision.refresh_from_db()
    return decision.reviews.order_by("-created", "-id").first()


def test_a_lead_who_escalated_cannot_resolve_it_themselves(
    client, practitioner, lead, second_lead, recipient
):
    decision = submitted_decision(practitioner, recipient)
    _escalate(client, lead, decision)
    # The page offers no "resolve" to the lead who escalated...
    page = client.get(reverse("decisions:review", args=[decision.pk])).content.decode()
    assert 'value="resolve"' not in page
    assert "you cannot resolve it yourself" in page
    # ...and a hand-made POST is refused with a clear message, nothing written.
    response = _review(
        client,
        lead,
        decision,
        action="resolve",
        outcome="agreed",
        comments="Discussed with myself; resolved.",
    )
    assert response.status_code == 200
    assert escape(rules.NO_SELF_RESOLUTION_MESSAGE) in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == Status.ESCALATED and decision.countersigned_at is None
    assert [r.action for r in decision.reviews.all()] == ["escalate"]


def test_escalating_emails_the_next_rung_another_lead_of_the_agency(
    client, practitioner, lead, second_lead, partnership_lead, recipient
):
    decision = submitted_decision(practitioner, recipient)
    mail.outbox.clear()
    review = _escalate(client, lead, decision)
    assert review.escalated_to == EscalationTier.AGENCY
    assert [message.to for message in mail.outbox] == [[second_lead.email]]
    message = mail.outbox[0]
    assert decision.reference in message.subject and "escalated" in message.subject
    assert "working day" in message.body and lead.full_name in message.body
    assert decision.child.family_name not in message.body  # no case details by e-mail


def test_the_other_lead_resolves_with_an_outcome_and_without_countersigning(
    client, practitioner, lead, second_lead, recipient
):
    decision = submitted_decision(practitioner, recipient)
    _escalate(client, lead, decision)
    # How it ended is required.
    response = _review(client, second_lead, decision, action="resolve", comments="Met and talked it through")
    assert response.status_code == 200
    assert escape(rules.OUTCOME_REQUIRED_MESSAGE) in response.content.decode()
    # An overturned decision cannot be countersigned.
    response = _review(
        client, second_lead, decision, action="resolve", outcome="overturned", countersign="on", comments="No"
    )
    assert escape(rules.OVERTURNED_NOT_COUNTERSIGNED_MESSAGE) in response.content.decode()
    response = _review(
        client, second_lead, decision, action="resolve", outcome="overturned", comments="Too much was shared"
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == Status.RESOLVED
    assert decision.countersigned_at is None  # resolving is not countersigning
    resolution = decision.reviews.get(action="resolve")
    assert (resolution.outcome, resolution.reviewer) == ("overturned", second_lead)
    client.force_login(practitioner)
    record = client.get(reverse("decisions:detail", args=[decision.pk])).content.decode()
    assert "Decision overturned" in record


def test_a_resolver_countersigns_only_when_they_say_so(client, practitioner, lead, second_lead, recipient):
    decision = submitted_decision(practitioner, recipient)
    _escalate(client, lead, decision)
    response = _review(
        client,
        second_lead,
        decision,
        action="resolve",
        outcome="upheld",
        countersign="on",
        comments="It stands",
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.countersigned_by == second_lead


def test_the_escalation_shows_its_timer(
    client, practitioner, lead, second_lead, recipient, settings, monkeypatch
):
    settings.ESCALATION_RESPONSE_WORKING_DAYS = 5
    decision = submitted_decision(practitioner, recipient)
    _escalate(client, lead, decision)
    client.force_login(second_lead)
    page = client.get(reverse("decisions:detail", args=[decision.pk])).content.decode()
    assert "Escalated by " + lead.full_name in page
    assert "within 5 working days" in page
    assert "Overdue" not in page
    later = timezone.now() + timedelta(days=9)
    monkeypatch.setattr(views, "timezone", SimpleNamespace(now=lambda: later))
    page = client.get(reverse("decisions:detail", args=[decision.pk])).content.decode()
    assert "9 days ago" in page and "Overdue" in page


def test_an_agency_with_one_lead_falls_through_to_the_partnership_tier(
    client, practitioner, lead, partnership_lead, recipient
):
    decision = submitted_decision(practitioner, recipient)
    elsewhere = submitted_decision(practitioner, recipient)
    mail.outbox.clear()
    review = _escalate(client, lead, decision)
    assert review.escalated_to == EscalationTier.PARTNERSHIP
    assert [message.to for message in mail.outbox] == [[partnership_lead.email]]
    # The partnership's designated lead sees it, in their queue, and only what reached them.
    client.force_login(partnership_lead)
    assert client.get(reverse("decisions:detail", args=[decision.pk])).status_code == 200
    assert client.get(reverse("decisions:detail", args=[elsewhere.pk])).status_code == 404
    queue = client.get(reverse("decisions:review_queue")).content.decode()
    assert decision.reference in queue and elsewhere.reference not in queue
    # The lead who escalated still cannot resolve it, nor escalate further (there is no rung above).
    response = _review(client, lead, decision, action="resolve", outcome="agreed", comments="Sorted")
    assert response.status_code == 200
    response = _review(
        client, partnership_lead, decision, action="resolve", outcome="upheld", comments="The share was right"
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == Status.RESOLVED
    assert decision.reviews.get(action="resolve").reviewer == partnership_lead


def test_a_sole_leads_own_decision_is_reviewed_at_the_partnership_tier(
    client, lead, partnership_lead, recipient
):
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        decision = submitted_decision(lead, recipient)
    assert [message.to for message in mail.outbox] == [[partnership_lead.email]]
    client.force_login(partnership_lead)
    assert decision.reference in client.get(reverse("decisions:review_queue")).content.decode()
    response = _review(client, partnership_lead, decision, action="endorse", comments="")
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == Status.ENDORSED and decision.countersigned_by == partnership_lead


def test_an_agency_tier_escalation_can_go_on_up_to_the_partnership(
    client, practitioner, lead, second_lead, partnership_lead, recipient
):
    decision = submitted_decision(practitioner, recipient)
    _escalate(client, lead, decision)
    client.force_login(partnership_lead)
    assert client.get(reverse("decisions:detail", args=[decision.pk])).status_code == 404
    mail.outbox.clear()
    review = _escalate(client, lead, decision, comments="No answer within the timescale")
    assert review.escalated_to == EscalationTier.PARTNERSHIP
    assert [message.to for message in mail.outbox] == [[partnership_lead.email]]
    # Now at the partnership tier, the agency's other lead no longer resolves it.
    response = _review(client, second_lead, decision, action="resolve", outcome="agreed", comments="Fine")
    assert response.status_code == 200
    assert Decision.objects.get(pk=decision.pk).status == Status.ESCALATED


def test_the_partnership_lead_records_nothing_and_sees_no_other_records(client, partnership_lead):
    client.force_login(partnership_lead)
    assert client.get(reverse("decisions:new")).status_code == 403
    assert client.get(reverse("decisions:log")).status_code == 403


def test_the_partnership_leads_home_page_lists_what_waits_for_them(client, lead, partnership_lead, recipient):
    decision = submitted_decision(lead, recipient)  # the agency's only lead: falls through
    client.force_login(partnership_lead)
    page = client.get(reverse("home")).content.decode()
    assert "Waiting at the partnership tier" in page and decision.reference in page
