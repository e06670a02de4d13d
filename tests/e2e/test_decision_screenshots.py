"""The guided decision's suggestion, lawful basis and consent pages in Chromium, saved as PNG (issue 12).

Set ISA_SCREENSHOTS_DIR=docs/screenshots to keep the pictures (decision-suggestion.png,
decision-lawful-basis.png, decision-consent-summary.png); otherwise they go to the test's temporary
directory, so a test run never changes the working tree. Each page must also pass axe-core.
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from agreements.models import AgencyKind
from tests.consent.factories import make_consent
from tests.decisions.factories import child_for, draft_decision
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import AgencyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shots(tmp_path) -> Path:
    where = Path(os.environ.get("ISA_SCREENSHOTS_DIR") or tmp_path)
    where.mkdir(parents=True, exist_ok=True)
    return where


def test_the_suggestion_the_lawful_basis_and_the_consent_summary_in_a_browser(page, practitioner, shots):
    police = AgencyFactory(name="Northshire Police", kind=AgencyKind.POLICE)
    child = child_for(practitioner, given_name="Amy", family_name="Brook", nhs_number="9434765919")
    today = timezone.localdate()
    make_consent(child, practitioner, answer="given", recipients=[police], on=today - timedelta(days=40))
    make_consent(child, practitioner, answer="refused", recipients=[police], on=today - timedelta(days=3))
    decision = draft_decision(
        practitioner,
        police,
        child=child,
        purpose={
            "purpose": "safeguarding",
            "purpose_detail": "Unexplained bruising seen at school; police considering a s47 enquiry",
            "information_categories": ["concerns", "health"],
        },
        other_reason={"other_reasons": ["child_safety", "public_function"]},
        outcome={"outcome": "share", "override_reason": "The risk of serious harm outweighs the refusal"},
    )
    sign_in(page, practitioner.email)

    page.goto(f"/decisions/{decision.pk}/answers/outcome/")
    panel = page.locator("[data-suggestion]")
    assert "Suggested: Share" in panel.inner_text()
    assert "Consent to this share was refused." in panel.inner_text()
    assert "Question" in page.locator("[data-progress]").inner_text()
    assert_accessible(page)
    page.screenshot(path=str(shots / "decision-suggestion.png"), full_page=True)

    page.goto(f"/decisions/{decision.pk}/answers/lawful_basis/")
    assert "Suggested for this share" in page.locator("main").inner_text()
    assert_accessible(page)
    page.screenshot(path=str(shots / "decision-lawful-basis.png"), full_page=True)

    page.goto(f"/decisions/{decision.pk}/answers/consent/")
    assert page.locator("h1").inner_text() == "Consent"
    assert "Amy Brook" in page.locator("main").inner_text()
    assert_accessible(page)
    page.screenshot(path=str(shots / "decision-consent-summary.png"), full_page=True)

    for name in ("decision-suggestion.png", "decision-lawful-basis.png", "decision-consent-summary.png"):
        assert (shots / name).stat().st_size > 10_000, name
