"""The subject access workflow in a real browser with JavaScript turned off (issue 15, item 4): start
the review, withhold a passage with its exemption, finish the review, be refused issuing while the
police's answer is awaited, record their answer, issue. Every step is a plain form POST."""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_js_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1100, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_review_consult_and_issue_without_javascript(
    no_js_page, ig_officer, practitioner, tmp_path, monkeypatch
):
    from agreements.models import AgencyKind
    from audit import sar
    from audit.models import SubjectAccessRequest, SubjectAccessStatus
    from decisions import integrations
    from tests.decisions.factories import child_for, submitted_decision
    from tests.factories import AgencyFactory

    monkeypatch.setattr(integrations, "cover_for", lambda **kwargs: None)
    page = no_js_page
    child = child_for(practitioner, given_name="Amy", family_name="Brook", nhs_number="")
    police = AgencyFactory(name="Northshire Police", kind=AgencyKind.POLICE)
    decision = submitted_decision(
        practitioner,
        police,
        child=child,
        purpose={
            "purpose": "safeguarding",
            "purpose_detail": "Police intelligence says the uncle is violent",
        },
        openness={
            "family_told": False,
            "family_not_told_reason": "Telling them could put Amy at risk",
            "protected_identities": "",
            "from_other_agency": True,
            "source_agency": police,
            "source_agency_agreed": "agreed",
        },
    )
    request = sar.sar_record(
        request=SubjectAccessRequest(
            child=child,
            requester_name="Jo Brook",
            requester_relationship="Mother",
            identity_check="Passport seen",
            received_on=timezone.localdate(),
        ),
        by=ig_officer,
    )
    shots = Path(os.environ.get("ISA_SCREENSHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    sign_in(page, ig_officer.email)
    page.goto(f"/audit/subject-access/requests/{request.pk}/")
    page.get_by_role("button", name="Start the review").click()
    page.get_by_role("link", name="Review the records and mark what to withhold").click()
    page.get_by_role("link", name=f"Withhold a passage of {decision.reference}").click()
    page.get_by_label("Purpose detail").check()
    page.get_by_label("Words to withhold").fill("the uncle is violent")
    page.get_by_label("DPA 2018 Schedule 2, paragraph 2", exact=False).check()
    page.get_by_role("button", name="Withhold these words").click()
    assert "Words withheld from the bundle" in page.content()
    assert page.locator(".redaction-reason", has_text="crime prevention or detection").count() >= 1
    page.screenshot(path=str(shots / "subject-access-review.png"), full_page=True)

    page.get_by_role("link", name=f"Back to {request.reference}").click()
    page.get_by_role("button", name="Finish the review").click()
    page.get_by_role("button", name="Issue the bundle").click()
    assert (
        "You cannot issue the bundle until Northshire Police has answered your consultation" in page.content()
    )
    page.get_by_role("link", name="Record the consultation of Northshire Police").click()
    page.get_by_label("Who you consulted").fill("Sam Lee, data protection officer")
    today = timezone.localdate()
    for field, value in (("consulted_on", today), ("responded_on", today)):
        page.locator(f"#id_{field}_0").fill(str(value.day))
        page.locator(f"#id_{field}_1").fill(str(value.month))
        page.locator(f"#id_{field}_2").fill(str(value.year))
    page.get_by_label("Content for it to be disclosed").check()
    page.get_by_role("button", name="Save the consultation").click()
    assert "Ready to issue (now)" in page.content()
    page.get_by_role("button", name="Issue the bundle").click()
    assert "Issued (now)" in page.content()
    request.refresh_from_db()
    assert request.status == SubjectAccessStatus.ISSUED and request.redactions.count() == 1


def test_the_workflow_pages_pass_axe(page, ig_officer, practitioner, monkeypatch):
    from agreements.models import AgencyKind
    from audit import sar
    from audit.models import SubjectAccessRequest
    from decisions import integrations
    from tests.decisions.factories import child_for, submitted_decision
    from tests.e2e.conftest import assert_accessible
    from tests.factories import AgencyFactory

    monkeypatch.setattr(integrations, "cover_for", lambda **kwargs: None)
    child = child_for(practitioner, given_name="Amy", family_name="Brook", nhs_number="")
    police = AgencyFactory(name="Northshire Police", kind=AgencyKind.POLICE)
    decision = submitted_decision(
        practitioner,
        police,
        child=child,
        openness={
            "family_told": False,
            "family_not_told_reason": "Telling them could put Amy at risk",
            "protected_identities": "",
            "from_other_agency": True,
            "source_agency": police,
            "source_agency_agreed": "agreed",
        },
    )
    request = sar.sar_start_review(
        request=sar.sar_record(
            request=SubjectAccessRequest(
                child=child,
                requester_name="Jo Brook",
                requester_relationship="Mother",
                identity_check="Passport seen",
                received_on=timezone.localdate(),
            ),
            by=ig_officer,
        ),
        by=ig_officer,
    )
    sign_in(page, ig_officer.email)
    base = f"/audit/subject-access/requests/{request.pk}"
    for url in (
        f"{base}/",
        f"{base}/review/",
        f"{base}/withhold/",
        f"{base}/withhold/?record=decisions.Decision&id={decision.pk}",
        f"{base}/consult/?agency={police.pk}",
    ):
        page.goto(url)
        assert_accessible(page)
