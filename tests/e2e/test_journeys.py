"""The question journeys in Chromium: a practitioner records a decision overriding a refusal of consent
and a lead countersigns it; a practitioner adds a child, assesses their competence and records their
consent. Every page on the way, and the pages around the journeys, must have zero axe-core violations.
"""

import pytest
from django.utils import timezone

from consent.models import CompetenceAssessment, ConsentRecord
from consent.selectors import ConsentFound
from decisions import integrations
from decisions.models import Decision, Status
from journeys.models import Draft
from tests.consent.factories import make_assessment, make_consent
from tests.decisions.factories import child_for
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import AgencyFactory, ChildFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The decision --------------------------------------------------------------------------------------


def fill_in(page, answers: dict) -> None:
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
            first.select_option(str(value), force=True)  # an agency select is behind its autocomplete
        else:
            first.fill(str(value))


def save_and_continue(page, label="Save and continue"):
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
    fill_in(page, {"child": child.pk})
    save_and_continue(page, "Start the decision")

    pages = [
        (
            "About the request",
            {
                "request_method": "phone",
                "requester_name": "DC Sam Lee",
                "requester_role": "Detective constable",
                "requester_agency": police.pk,
                "identity_method": "call_back",
                "identity_checked_against": "The force switchboard number",
                "identity_outcome": "confirmed",
                "identity_check": "Called back through the switchboard",
                "written_confirmation": "received",
            },
        ),
        (
            "The purpose",
            {
                "purpose": "safeguarding",
                "purpose_detail": "Bruising",
                "information_categories": ["concerns"],
            },
        ),
        ("A clear and legitimate purpose", {"clear_purpose": "yes"}),
        ("Who the information identifies", {"identifies_person": "yes"}),
        ("Whether it is confidential", {"confidential": "yes"}),
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
                "harm_if_shared": "The family may be upset with us",
                "harm_if_not_shared": "The child may be harmed again",
            },
        ),
        ("Lawful basis", {"article6_basis": "public_task", "article9_condition": "9_2_g_sch1_18"}),
        ("Advice", {"advice_sought": "yes"}),
        (
            "The advice you took",
            {
                "advice_source": "manager",
                "advice_from": "Dee Mann",
                "advice_role": "Manager",
                "advice_on_0": str(timezone.localdate().day),
                "advice_on_1": str(timezone.localdate().month),
                "advice_on_2": str(timezone.localdate().year),
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
        fill_in(page, answers)
        save_and_continue(page, "Continue" if heading == "Consent" else "Save and continue")

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
    fill_in(page, {"action": "endorse"})
    save_and_continue(page, "Record your review")
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


# Competence and consent ----------------------------------------------------------------------------


def continue_and_check(page):
    """Continue, then check the page it leads to with axe."""
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert_accessible(page)


def fill_date(page, day):
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


def answer_all(page, answer: str):
    for radio in page.get_by_role("radio", name=answer, exact=True).all():
        radio.check()


def test_practitioner_records_a_childs_own_consent_after_assessing_them(page, practitioner):
    AgencyFactory(name="Northshire NHS Trust")
    today = timezone.localdate()
    sign_in(page, practitioner.email)

    page.get_by_role("link", name="Children").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Add a child").click()
    assert_accessible(page)
    page.get_by_label("First name").fill("Amara")
    page.get_by_label("Last name").fill("Okoye")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("5")
    page.get_by_label("Year").fill(str(today.year - 14))
    page.get_by_label("NHS number (optional)").fill("943 476 5918")
    page.get_by_role("button", name="Save child").click()
    assert "fails its check digit" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("First name").input_value() == "Amara"
    assert_accessible(page)
    page.get_by_label("NHS number (optional)").fill("943 476 5919")
    page.get_by_role("button", name="Save child").click()
    assert page.locator("h1").inner_text() == "Amara Okoye"
    assert_accessible(page)

    # The consent journey, as far as whose consent it is.
    page.get_by_role("link", name="Record consent").click()
    continue_and_check(page)  # nothing chosen: the errors are shown the GOV.UK way
    assert page.title().startswith("Error: ")
    page.get_by_label("Assessing or supporting a child in need").check()
    page.get_by_label("Sharing information about them").check()
    continue_and_check(page)
    page.get_by_label("Physical or mental health").check()
    continue_and_check(page)
    page.get_by_role("combobox", name="Add an agency").fill("nhs trust")  # recipients: chosen by search
    page.get_by_role("option", name="Northshire NHS Trust").click()
    continue_and_check(page)
    page.get_by_label("Yes", exact=True).check()
    continue_and_check(page)
    page.get_by_label("The child").check()
    continue_and_check(page)
    page.get_by_label("Consent given").check()
    page.get_by_label("In person").check()
    fill_date(page, today)
    continue_and_check(page)
    assert page.locator("h1").inner_text() == "The child's competence"

    # No recent assessment: assess the child now, then come back.
    page.get_by_role("link", name="Assess Amara Okoye's competence now").click()
    assert_accessible(page)
    page.get_by_label("Sharing information about them").check()
    fill_date(page, today)
    continue_and_check(page)
    answer_all(page, "Yes")
    continue_and_check(page)
    answer_all(page, "Yes")
    continue_and_check(page)
    page.get_by_label("Competent to decide", exact=True).check()
    continue_and_check(page)
    assert page.locator("h1").inner_text() == "Check your answers"
    page.get_by_role("button", name="Save the record").click()
    assert "Competence assessment recorded" in page.locator("h1").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Continue where you were").click()
    assert_accessible(page)

    page.get_by_role("radio").first.check()
    continue_and_check(page)
    continue_and_check(page)  # no end date
    page.get_by_label("No", exact=True).check()
    continue_and_check(page)
    page.get_by_label("Note of the discussion").fill("Amara is happy for her GP to know about the plan.")
    continue_and_check(page)
    assert page.locator("h1").inner_text() == "Check your answers"
    page.get_by_role("button", name="Save the record").click()
    assert "Consent record saved" in page.locator("h1").inner_text()
    assert_accessible(page)

    consent = ConsentRecord.objects.get()
    assert (consent.asked, consent.answer, consent.assessment) == (
        "child",
        "given",
        CompetenceAssessment.objects.get(),
    )

    page.get_by_role("link", name="Back to Amara Okoye").click()
    chronology = page.locator("table").inner_text()
    assert "Consent given" in chronology and "Competent to decide" in chronology
    assert_accessible(page)
    page.get_by_role("link", name="Consent given").click()
    assert_accessible(page)
    page.get_by_role("link", name="Record that consent was withdrawn").click()
    assert_accessible(page)
    page.go_back()
    page.go_back()
    page.get_by_role("link", name="Print the chronology").click()
    assert_accessible(page)
    assert page.console_errors == []


def test_the_other_pages_of_the_part_are_accessible_too(page, practitioner):
    child = ChildFactory(
        given_name="Leah", family_name="Morgan", nhs_number="4010232137", created_by=practitioner
    )
    assessment = make_assessment(child, practitioner, matter="sexual_health")
    consent = make_consent(child, practitioner)
    Draft.objects.create(
        user=practitioner, child=child, journey="consent", answers={"sought": {"sought": "no"}}
    )
    Draft.objects.create(
        user=practitioner, child=child, journey="assessment", answers={"matter": {"matter": "sexual_health"}}
    )
    sign_in(page, practitioner.email)
    pages = [
        "/children/?name=leah&nhs_number=4010232137",
        f"/children/{child.pk}/consents/new/not-sought/",
        f"/children/{child.pk}/consents/new/parent/",
        f"/children/{child.pk}/assessments/new/fraser/",
        f"/children/assessments/{assessment.pk}/",
    ]
    for url in pages:
        page.goto(url)
        assert_accessible(page)
    # One child, one record: an NHS number the partnership holds for a child born on another day is
    # refused with an error, naming nobody; then a form refused with errors.
    page.goto("/children/new/")
    page.get_by_label("First name").fill("Someone")
    page.get_by_label("Last name").fill("Else")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2012")
    page.get_by_label("NHS number (optional)").fill("4010232137")
    page.get_by_role("button", name="Save child").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "already holds a child with this NHS number, born on a different date" in summary
    assert "Leah Morgan" not in page.content()
    assert_accessible(page)
    page.goto(f"/children/consents/{consent.pk}/withdraw/")
    page.get_by_role("button", name="Record withdrawal").click()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    assert page.console_errors == []
