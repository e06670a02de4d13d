"""A guided decision that helps decide (issue 12, item 7), driven through its pages: it stops where the
national flowchart stops and says what to do instead, says why it suggests an outcome, routes "I am not
sure" to advice and records it, asks each follow-up only when an answer calls for it, shows progress,
records what a share in part held back, and asks a reconsideration what is new."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions import services
from decisions.models import Decision, Outcome, Status
from tests.decisions.factories import draft_decision, submitted_decision
from tests.journeys.test_decision_journey import PAGES

pytestmark = pytest.mark.django_db


def _step(decision, step):
    return reverse("decisions:step", args=[decision.pk, step])


def _check(decision):
    return reverse("decisions:check", args=[decision.pk])


def _started(client, practitioner, child):
    client.force_login(practitioner)
    decision = services.decision_start(child=child, by=practitioner)
    assert client.post(_step(decision, "request"), PAGES["request"]).status_code == 302
    assert client.post(_step(decision, "purpose"), PAGES["purpose"]).status_code == 302
    return decision


def test_no_clear_purpose_stops_the_flowchart_and_says_what_to_do_instead(client, practitioner, child):
    decision = _started(client, practitioner, child)
    response = client.post(_step(decision, "questions"), {"clear_purpose": "no"})
    # Straight to what records the stop: none of the flowchart's later questions.
    assert response["Location"] == _step(decision, "advice")
    page = client.get(response["Location"]).content.decode()
    assert "The flowchart stops here" in page
    assert "Do not share: there is no clear and legitimate purpose" in page
    assert "What to do instead" in page and "change your answer" in page
    for later in ("identifies", "confidential", "other_reason", "outcome", "lawful_basis", "recipient"):
        assert client.get(_step(decision, later))["Location"] == _check(decision), later
    # A hand-made post to the outcome page cannot make it a share.
    client.post(_step(decision, "outcome"), {"outcome": "share", "departure_reason": "I want to share it"})
    decision.refresh_from_db()
    assert decision.outcome == Outcome.DO_NOT_SHARE
    response = client.post(_step(decision, "advice"), {"advice_sought": "no"})
    assert response["Location"] == _step(decision, "no_share")
    assert "The flowchart stops here" in client.get(response["Location"]).content.decode()
    client.post(
        _step(decision, "no_share"),
        {"no_share_detriment": "Without a purpose, sharing her records would only intrude on the family"},
    )
    check = client.get(_check(decision))
    assert check.context["unanswered"] == []
    assert "What to do instead" in check.content.decode()
    client.post(_check(decision))
    decision.refresh_from_db()
    assert (decision.status, decision.outcome) == (Status.AWAITING_REVIEW, Outcome.DO_NOT_SHARE)
    assert decision.identifies_person is None and decision.confidential is None


def test_no_consent_and_no_other_reason_stops_at_do_not_share(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient, other_reason={"other_reasons": []})
    assert decision.outcome == Outcome.DO_NOT_SHARE
    client.force_login(practitioner)
    assert client.get(_step(decision, "outcome"))["Location"] == _check(decision)
    page = client.get(_step(decision, "no_share")).content.decode()
    assert "Do not share: there is no consent and no other reason to share" in page
    assert _step(decision, "other_reason") in page  # "select it": a child at risk is a reason
    # Choosing a reason lifts the stop: the decision page is asked again.
    response = client.post(_step(decision, "other_reason"), {"other_reasons": ["child_safety"]})
    assert response["Location"] == _step(decision, "outcome")


def test_the_suggestion_says_why_in_words_from_the_answers(client, practitioner, recipient, consent_found):
    consent_found.status = "refused"
    decision = draft_decision(practitioner, recipient, other_reason={"other_reasons": ["child_safety"]})
    client.force_login(practitioner)
    response = client.get(_step(decision, "outcome"))
    suggestion = response.context["suggestion"]
    assert suggestion.outcome == Outcome.SHARE
    assert suggestion.reasons == (
        "There is a clear and legitimate purpose for sharing.",
        f"The information identifies {decision.child} and is confidential, so it needs consent or another "
        "reason to share.",
        "Consent to this share was refused.",
        "There is another reason to share without consent: sharing is needed for the safety or welfare of "
        "a child.",
    )
    page = response.content.decode()
    assert "Suggested: Share" in page and "Consent to this share was refused." in page


def test_not_sure_routes_to_advice_and_records_who_when_and_what(client, practitioner, child):
    decision = _started(client, practitioner, child)
    response = client.post(_step(decision, "questions"), {"clear_purpose": "not_sure"})
    assert response["Location"] == _step(decision, "questions_advice")
    page = client.get(response["Location"]).content.decode()
    assert "Seek advice before you go on" in page and "Caldicott guardian" in page
    response = client.post(_step(decision, "questions_advice"), {"clear_purpose": "yes"})
    errors = response.context["form"].errors
    assert errors["advice_source"] == ["Select whom you asked for advice"]
    assert errors["advice_on"] == ["Enter the date they advised you"]
    assert errors["advice_given"] == ["Enter what they advised"]
    today = timezone.localdate()
    response = client.post(
        _step(decision, "questions_advice"),
        {
            "advice_source": "dpo",
            "advice_from": "Priya Shah",
            "advice_role": "Data protection officer",
            "advice_on_0": today.day,
            "advice_on_1": today.month,
            "advice_on_2": today.year,
            "advice_given": "Sharing the bruising reports for the s47 enquiry is a clear purpose",
            "clear_purpose": "yes",
        },
    )
    assert response["Location"] == _step(decision, "identifies")
    decision.refresh_from_db()
    assert (decision.unsure_about, decision.clear_purpose, decision.advice_sought) == (
        "clear_purpose",
        True,
        True,
    )
    assert (decision.advice_source, decision.advice_from, decision.advice_on) == ("dpo", "Priya Shah", today)
    # The advice is recorded once: the later advice page is not asked again.
    assert client.get(_step(decision, "advice"))["Location"] == _check(decision)
    rows = {
        row.label: row.value
        for section in client.get(_check(decision)).context["sections"]
        for row in section.rows
    }
    assert rows["Whom advice was sought from"] == "A data protection officer"
    assert rows["The advice given"].startswith("Sharing the bruising reports")


def test_follow_up_questions_are_asked_only_when_the_answer_calls_for_them(client, practitioner, child):
    decision = _started(client, practitioner, child)
    # The old single page's answers to later questions are not taken from the first page.
    response = client.post(
        _step(decision, "questions"),
        {"clear_purpose": "yes", "identifies_person": "yes", "confidential": "yes"},
    )
    assert response["Location"] == _step(decision, "identifies")
    decision.refresh_from_db()
    assert decision.identifies_person is None
    response = client.post(_step(decision, "identifies"), {"identifies_person": "no"})
    assert response["Location"] == _step(decision, "consent")  # not "is it confidential?"
    assert client.get(_step(decision, "confidential"))["Location"] == _check(decision)
    client.post(_step(decision, "consent"), {})
    decision.refresh_from_db()
    assert decision.proposed_outcome == Outcome.SHARE
    response = client.get(_step(decision, "outcome"))  # nor "another reason to share"
    assert "does not identify anyone" in response.content.decode()


def test_each_page_shows_how_far_along_the_decision_is(client, practitioner, child):
    client.force_login(practitioner)
    decision = services.decision_start(child=child, by=practitioner)
    first = client.get(_step(decision, "request"))
    assert first.context["progress"] == (1, 6)
    assert "Question 1 of about 6" in first.content.decode()
    decision = _started(client, practitioner, child)
    client.post(_step(decision, "questions"), {"clear_purpose": "yes"})
    assert "Question 4 of about" in client.get(_step(decision, "identifies")).content.decode()


def test_share_in_part_records_what_was_withheld_and_why(client, practitioner, recipient):
    in_part = {"outcome": "share_in_part", "departure_reason": "Only the injury dates are needed here"}
    decision = draft_decision(
        practitioner,
        recipient,
        outcome=in_part,
        withheld={"withheld_information": "", "withheld_reason": ""},
    )
    client.force_login(practitioner)
    problems = [problem.message for problem in client.post(_check(decision)).context["problems"]]
    assert "Enter what you held back: a share in part says what was not shared" in problems
    assert "Enter why you held it back" in problems
    response = client.post(
        _step(decision, "withheld"),
        {"withheld_information": "The mother's health history", "withheld_reason": "."},
    )
    assert response.context["form"].errors["withheld_reason"] == [
        "Say why you held that information back, in at least 4 different words: who or what withholding it "
        "protects"
    ]
    client.post(
        _step(decision, "withheld"),
        {
            "withheld_information": "The mother's health history",
            "withheld_reason": "The police do not need her health history for this enquiry",
        },
    )
    client.post(_check(decision))
    decision.refresh_from_db()
    assert decision.status == Status.AWAITING_REVIEW
    page = client.get(reverse("decisions:detail", args=[decision.pk])).content.decode()
    assert "What was held back" in page and "The mother&#x27;s health history" in page
    # A full share is not asked what it held back.
    shared = draft_decision(practitioner, recipient)
    assert client.get(_step(shared, "withheld"))["Location"] == _check(shared)


def test_a_reconsideration_asks_what_the_new_information_is(client, practitioner, recipient):
    earlier = submitted_decision(
        practitioner,
        recipient,
        other_reason={"other_reasons": []},
        no_share={"no_share_detriment": "Sharing would expose the child to retaliation at home"},
    )
    assert earlier.outcome == Outcome.DO_NOT_SHARE
    client.force_login(practitioner)
    response = client.post(
        reverse("decisions:reconsider", args=[earlier.pk]), {"token": "8a4f1a52-8f43-4c43-9a39-3e2b0f6a9d99"}
    )
    new = Decision.objects.get(reconsiders=earlier)
    assert response["Location"] == _step(new, "request")
    response = client.post(_step(new, "request"), PAGES["request"])
    assert response["Location"] == _step(new, "new_information")
    assert earlier.reference in client.get(response["Location"]).content.decode()
    problems = [problem.message for problem in client.post(_check(new)).context["problems"]]
    assert "Enter what is new since the earlier decision: a reconsideration rests on it" in problems
    response = client.post(_step(new, "new_information"), {"new_information": "More"})
    assert "in at least 4 different words" in response.content.decode()
    response = client.post(
        _step(new, "new_information"),
        {"new_information": "The police have told us the father moved back into the home last week"},
    )
    assert response["Location"] == _step(new, "purpose")
    new.refresh_from_db()
    assert new.new_information.startswith("The police have told us")


def test_the_advice_date_cannot_be_in_the_future(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    later = date.today().replace(year=date.today().year + 1)
    response = client.post(
        _step(decision, "advice_detail"),
        {
            "advice_source": "manager",
            "advice_from": "Dee Mann",
            "advice_on_0": later.day,
            "advice_on_1": later.month,
            "advice_on_2": later.year,
            "advice_given": "Share the dates of the injuries",
        },
    )
    assert response.context["form"].errors["advice_on"] == [
        "The date you were advised cannot be in the future"
    ]


def test_whom_when_and_what_advice_is_asked_only_when_advice_was_sought(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient, advice={"advice_sought": False})
    client.force_login(practitioner)
    assert client.get(_step(decision, "advice_detail"))["Location"] == _check(decision)
    response = client.post(_step(decision, "advice"), {"advice_sought": "yes"})
    assert response["Location"] == _step(decision, "advice_detail")
    page = client.get(response["Location"])
    assert set(page.context["form"].fields) == {
        "advice_source",
        "advice_from",
        "advice_role",
        "advice_on",
        "advice_given",
    }
