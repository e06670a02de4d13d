"""Drafts a person can pick up (issue 16, item 4): named by child, purpose and date; continuing lands
on the first unanswered question; errors only after the person submits a page."""

import html

import pytest
from django.urls import reverse

from decisions import services
from tests.decisions.factories import SHARE_ANSWERS, child_for, draft_decision

pytestmark = pytest.mark.django_db


def half_answered(practitioner, recipient):
    """Two pages answered (the request, the purpose); the rest not yet."""
    decision = services.decision_start(
        child=child_for(practitioner, given_name="Leah", family_name="Hart"), by=practitioner
    )
    request = SHARE_ANSWERS["request"] | {"requester_agency": recipient}
    decision = services.decision_answer(decision=decision, step="request", answers=request, by=practitioner)
    return services.decision_answer(
        decision=decision, step="purpose", answers=SHARE_ANSWERS["purpose"], by=practitioner
    )


def test_continuing_a_draft_lands_on_its_first_unanswered_question(client, practitioner, recipient):
    decision = half_answered(practitioner, recipient)
    client.force_login(practitioner)
    response = client.get(reverse("decisions:resume", args=[decision.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("decisions:step", args=[decision.pk, "questions"])
    page = client.get(response["Location"]).content.decode()
    assert "govuk-error-summary" not in page and "govuk-error-message" not in page


def test_a_finished_draft_continues_at_check_your_answers(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    response = client.get(reverse("decisions:resume", args=[decision.pk]))
    assert response["Location"] == reverse("decisions:check", args=[decision.pk])


def test_drafts_are_named_by_child_purpose_and_date_and_link_to_continue(client, practitioner, recipient):
    decision = half_answered(practitioner, recipient)
    client.force_login(practitioner)
    page = html.unescape(client.get(reverse("decisions:list")).content.decode())
    assert f"Draft {decision.pk}<" not in page
    assert f'href="{reverse("decisions:resume", args=[decision.pk])}"' in page
    assert "Draft: Safeguarding" in page or "Draft: " + decision.get_purpose_display() in page
    assert decision.draft_name.startswith("Leah Hart, ")
    assert decision.get_purpose_display().lower() in decision.draft_name
    assert "started " in decision.draft_name


def test_the_home_page_offers_to_continue_where_you_left_off(client, practitioner, recipient):
    decision = half_answered(practitioner, recipient)
    client.force_login(practitioner)
    page = html.unescape(client.get(reverse("home")).content.decode())
    section = page[page.index("Continue where you left off") :]
    assert reverse("decisions:resume", args=[decision.pk]) in section
    assert "Your draft decision about Leah Hart" in section


def test_check_your_answers_lists_what_is_missing_without_errors_until_submitted(
    client, practitioner, recipient
):
    decision = half_answered(practitioner, recipient)
    client.force_login(practitioner)
    url = reverse("decisions:check", args=[decision.pk])
    page = client.get(url).content.decode()
    assert "govuk-error-summary" not in page
    assert "Still to answer" in page and "Continue where you left off" in page
    assert client.get(url).context["problems"] == []
    submitted = client.post(url)
    assert submitted.status_code == 200
    assert "govuk-error-summary" in submitted.content.decode()


def test_a_change_from_check_your_answers_goes_on_to_the_next_unanswered_question(
    client, practitioner, recipient
):
    decision = half_answered(practitioner, recipient)
    client.force_login(practitioner)
    url = reverse("decisions:step", args=[decision.pk, "questions"]) + "?from=check"
    response = client.post(url, {"clear_purpose": "yes"})
    assert response.status_code == 302
    # Each flowchart question is its own page (issue 12, item 7): the next is "does it identify anyone?".
    assert response["Location"] == reverse("decisions:step", args=[decision.pk, "identifies"])
