"""A practitioner adds a child, assesses their competence and records their consent, in Chromium.

Every page on the way must have zero axe-core violations.
"""

import pytest
from django.utils import timezone

from consent.models import CompetenceAssessment, ConsentRecord, Draft
from tests.consent.factories import make_assessment, make_consent
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import AgencyFactory, ChildFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def continue_(page):
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
    continue_(page)  # nothing chosen: the errors are shown the GOV.UK way
    assert page.title().startswith("Error: ")
    page.get_by_label("Assessing or supporting a child in need").check()
    page.get_by_label("Sharing information about them").check()
    continue_(page)
    page.get_by_label("Physical or mental health").check()
    continue_(page)
    page.get_by_label("Northshire NHS Trust").check()
    continue_(page)
    page.get_by_label("Yes", exact=True).check()
    continue_(page)
    page.get_by_label("The child").check()
    continue_(page)
    page.get_by_label("Consent given").check()
    page.get_by_label("In person").check()
    fill_date(page, today)
    continue_(page)
    assert page.locator("h1").inner_text() == "The child's competence"

    # No recent assessment: assess the child now, then come back.
    page.get_by_role("link", name="Assess Amara Okoye's competence now").click()
    assert_accessible(page)
    page.get_by_label("Sharing information about them").check()
    fill_date(page, today)
    continue_(page)
    answer_all(page, "Yes")
    continue_(page)
    answer_all(page, "Yes")
    continue_(page)
    page.get_by_label("Competent to decide", exact=True).check()
    continue_(page)
    assert page.locator("h1").inner_text() == "Check your answers"
    page.get_by_role("button", name="Save the record").click()
    assert "Competence assessment recorded" in page.locator("h1").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Continue where you were").click()
    assert_accessible(page)

    page.get_by_role("radio").first.check()
    continue_(page)
    continue_(page)  # no end date
    page.get_by_label("No", exact=True).check()
    continue_(page)
    page.get_by_label("Note of the discussion").fill("Amara is happy for her GP to know about the plan.")
    continue_(page)
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
    # The duplicate warning, and a form refused with errors.
    page.goto("/children/new/")
    page.get_by_label("First name").fill("Someone")
    page.get_by_label("Last name").fill("Else")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2012")
    page.get_by_label("NHS number (optional)").fill("4010232137")
    page.get_by_role("button", name="Save child").click()
    assert "Leah Morgan" in page.locator(".govuk-warning-text + p + ul").inner_text()
    assert_accessible(page)
    page.goto(f"/children/consents/{consent.pk}/withdraw/")
    page.get_by_role("button", name="Record withdrawal").click()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    assert page.console_errors == []
