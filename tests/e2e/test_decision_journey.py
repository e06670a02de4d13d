"""A practitioner records a decision overriding a refusal of consent; a lead countersigns it.

Every page on the way is checked with axe.
"""

import pytest

from consent.selectors import ConsentFound
from decisions import integrations
from decisions.models import Decision, Status
from tests.decisions.factories import child_for
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import AgencyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer(page, answers: dict) -> None:
    for name, value in answers.items():
        fields = page.locator(f"[name='{name}']")
        first = fields.first
        kind = first.get_attribute("type") or first.evaluate("e => e.tagName.toLowerCase()")
        if kind == "checkbox" and value == "on":
            first.check()
        elif kind in ("radio", "checkbox"):
            for one in value if isinstance(value, list) else [value]:
                page.locator(f"[name='{name}'][value='{one}']").check()
        elif kind == "select":
            first.select_option(str(value))
        else:
            first.fill(str(value))


def continue_(page, label="Save and continue"):
    page.get_by_role("button", name=label).click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").count() == 0, page.locator(
        ".govuk-error-summary"
    ).inner_text()


def test_a_decision_overriding_a_refusal_is_recorded_and_countersigned(page, practitioner, lead, monkeypatch):
    monkeypatch.setattr(integrations, "consent_for", lambda **kwargs: ConsentFound("refused", None))
    police = AgencyFactory(name="Northshire Police", kind="police")
    child = child_for(practitioner, given_name="Amy", family_name="Brook")

    sign_in(page, practitioner.email)
    assert_accessible(page)
    page.get_by_role("link", name="Record a decision").first.click()
    assert_accessible(page)
    answer(page, {"child": child.pk})
    continue_(page, "Start the decision")

    pages = [
        (
            "About the request",
            {
                "request_method": "phone",
                "requester_name": "DC Sam Lee",
                "requester_role": "Detective constable",
                "requester_agency": police.pk,
                "identity_check": "Called back through the switchboard",
            },
        ),
        (
            "The purpose",
            {"purpose": "safeguarding", "purpose_detail": "Bruising", "sexual_activity_under_13": "no"},
        ),
        ("The information", {"clear_purpose": "yes", "identifies_person": "yes", "confidential": "yes"}),
        ("Consent", {}),
        ("Another reason to share", {"other_reasons": ["child_safety"]}),
        (
            "Your decision",
            {"outcome": "share", "override_reason": "The risk of serious harm outweighs the refusal"},
        ),
        (
            "Sharing without consent",
            {
                "grounds": ["significant_harm_reasonable_cause"],
                "harm_if_shared": "Family upset",
                "harm_if_not_shared": "Child harmed",
            },
        ),
        ("Lawful basis", {"article6_basis": "public_task", "article9_condition": "9_2_g_sch1_18"}),
        (
            "Advice",
            {
                "advice_sought": "yes",
                "advice_from": "Dee Mann",
                "advice_role": "Manager",
                "advice_given": "Share the injury dates",
            },
        ),
        (
            "What you share, with whom",
            {
                "information_shared": "Injury dates",
                "recipient_name": "DC Sam Lee",
                "share_method": "secure_email",
                "shared_on_0": "21",
                "shared_on_1": "11",
                "shared_on_2": "2026",
                "confirmed_in_writing": "yes",
            },
        ),
        (
            "No agreement covers this share",
            {"no_agreement_acknowledged": "on", "no_agreement_reason": "Urgent"},
        ),
        (
            "Telling the family, protecting identities",
            {
                "family_told": "no",
                "family_not_told_reason": "It would put Amy at risk",
                "from_other_agency": "no",
            },
        ),
    ]
    for heading, answers in pages:
        assert page.locator("h1").inner_text() == heading
        if heading == "Consent":
            assert "Consent refused" in page.locator("main").inner_text()
        assert_accessible(page)
        answer(page, answers)
        continue_(page, "Continue" if heading == "Consent" else "Save and continue")

    assert page.locator("h1").inner_text() == "Check your answers"
    assert "not complete until a lead countersigns" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Submit decision").click()
    page.wait_for_load_state()
    decision = Decision.objects.get()
    assert decision.reference in page.locator("h1").inner_text()
    assert "not complete until a safeguarding lead countersigns" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, lead.email)
    assert decision.reference in page.locator("main").inner_text()
    assert "Needs countersignature" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name=decision.reference).click()
    assert_accessible(page)
    page.get_by_role("link", name="Review this decision").click()
    assert_accessible(page)
    answer(page, {"action": "endorse"})
    continue_(page, "Record your review")
    assert "countersigned by" in page.locator("main").inner_text()
    assert_accessible(page)

    decision.refresh_from_db()
    assert decision.status == Status.ENDORSED and decision.countersigned_by == lead and decision.is_complete
    assert page.console_errors == []


def test_the_lists_are_accessible(page, practitioner, lead):
    from tests.decisions.factories import submitted_decision

    police = AgencyFactory(name="Northshire Police", kind="police")
    decision = submitted_decision(practitioner, police)
    sign_in(page, lead.email)
    for url in ("/decisions/review/", "/decisions/log/", "/decisions/log/?outcome=share", "/decisions/"):
        page.goto(url)
        assert_accessible(page)
    assert decision.reference in page.goto("/decisions/log/").text()
    assert page.console_errors == []
