"""The agreements pages in a real browser: accessible, and the signing journey works."""

import pytest

from agreements.models import Signature
from tests.agreements.factories import IncidentFactory, RepresentativeFactory, in_force_agreement, registered
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import days_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_records_a_signature_and_sees_it_in_the_register(page, admin, agency):
    RepresentativeFactory(agency=agency)
    registered(agency)  # only an agency with a current ICO registration can sign
    agreement, version = in_force_agreement(owner=agency, title="Northshire Protocol")
    sign_in(page, admin.email)
    page.goto(f"/agreements/{agreement.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name=f"Record a paper signature of version {version.number}").click()
    page.get_by_role("button", name="Record signature").click()  # empty: GOV.UK errors
    assert "Select the agency signing" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Agency signing").select_option(label=agency.name)
    page.get_by_label("Name of the person who signed").fill("Dana Director")
    page.get_by_label("Their role").fill("Director")
    signed = days_ago(1)
    page.get_by_label("Day").fill(str(signed.day))
    page.get_by_label("Month").fill(str(signed.month))
    page.get_by_label("Year").fill(str(signed.year))
    page.get_by_label("Core group").check()
    page.get_by_role("button", name="Record signature").click()
    # A paper signature needs the scan of the signed page (issue 20): refused without it.
    assert "Upload the scan" in page.locator(".govuk-error-summary").inner_text()
    assert not Signature.objects.exists()
    page.get_by_label("Day").fill(str(signed.day))
    page.get_by_label("Month").fill(str(signed.month))
    page.get_by_label("Year").fill(str(signed.year))
    page.get_by_label("Scan of the signed paper signature page").set_input_files(
        files=[{"name": "scan.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"0" * 64}]
    )
    page.get_by_role("button", name="Record signature").click()
    assert Signature.objects.filter(agency=agency, signed_by_name="Dana Director").exists()
    assert f"Paper, recorded by {admin}" in page.locator("#how-signed").inner_text()
    page.goto("/agreements/signatories/")
    register = page.locator("table").last  # after the table of agencies still to sign
    assert "Signed the current version" in register.inner_text()
    assert f"Paper, recorded by {admin}" in register.inner_text()
    assert_accessible(page)
    assert page.console_errors == []


def test_the_incident_pages_are_accessible(page, partnership_ig, agency):
    IncidentFactory(agency=agency, reported_on=days_ago(2), lessons_learned="Check before sending.")
    sign_in(page, partnership_ig.email)
    page.goto("/agreements/incidents/")
    assert_accessible(page)
    page.goto("/agreements/incidents/summary/")
    assert "Check before sending." in page.content()
    assert_accessible(page)
    page.goto("/agreements/incidents/new/")
    assert_accessible(page)


def test_the_admin_pages_are_accessible(page, admin, agency):
    agreement, version = in_force_agreement(owner=agency, title="Northshire Protocol")
    sign_in(page, admin.email)
    for path in [
        "/",
        "/agreements/",
        "/agreements/agencies/",
        f"/agreements/agencies/{agency.pk}/",
        f"/agreements/agencies/{agency.pk}/edit/",
        f"/agreements/agencies/{agency.pk}/representative/",
        f"/agreements/{agreement.pk}/edit/",
        f"/agreements/{agreement.pk}/status/",
        f"/agreements/{agreement.pk}/versions/new/",
        f"/agreements/versions/{version.pk}/",
    ]:
        page.goto(path)
        assert_accessible(page)
    assert page.console_errors == []
