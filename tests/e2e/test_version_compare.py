"""Comparing two versions of an agreement in a real browser (issue 20, item 5): reached from the
"Needs re-signing" link, no axe-core violation, and at 390 px the two columns stack and nothing is
wider than the screen."""

import pytest

from tests.agreements.factories import SignatureFactory, VersionFactory, in_force_agreement
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import days_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = "() => document.documentElement.scrollWidth"


def test_a_re_signer_compares_the_versions_on_a_desktop_and_a_phone(page, practitioner, agency):
    agreement, v1 = in_force_agreement(owner=agency, signed_off_on=days_ago(300), title="Northshire Protocol")
    v1.number, v1.text = "1.0", "Purpose\nShare to protect children.\nPaper copies are faxed."
    v1.save()
    SignatureFactory(version=v1, agency=agency, signed_on=days_ago(200))
    v2 = VersionFactory(agreement=agreement, number="2.0", signed_off_on=days_ago(1))
    v2.text = "Purpose\nShare to safeguard children.\nReviewed every year: https://example.org/" + "x" * 120
    v2.save()
    sign_in(page, practitioner.email)
    page.goto(f"/agreements/{agreement.pk}/")
    page.get_by_role("link", name="See what changed since version 1.0").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "What changed between two versions"
    assert "removed: Paper copies are faxed." in page.locator(".app-diff").text_content()
    assert_accessible(page)
    page.get_by_label("Earlier version").select_option(label="Version 2.0 (in force)")
    page.get_by_label("Later version").select_option(label="Version 1.0")
    page.get_by_role("button", name="Compare these versions").click()
    page.wait_for_load_state()
    assert "added: Paper copies are faxed." in page.locator(".app-diff").text_content()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate(WIDTH) <= 390
    cells = page.locator(".app-diff__row--changed").first.locator(".app-diff__cell")
    first, second = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"] - 1  # stacked, not side by side
    assert page.console_errors == []
