"""Issue 20 item 2 in Chromium: an administrator invites the nominated representative, who sets up
their account from the email, signs in, reads the version, confirms the signature page's statements
and signs; the evidence is stored and shown on the signature's page and in the register.

The signature page PDF is drawn as a PNG (pypdfium2) in the test run. Set
ISA_SCREENSHOTS_DIR=docs/screenshots to keep it as signature-page.png; otherwise it goes to the
test's temporary directory, so a test run never changes the working tree.
"""

import os
import re
from pathlib import Path

import pytest
from django.core import mail

from agreements import evidence
from agreements.models import Signature, SignatureMethod
from tests.agreements.factories import (
    RepresentativeFactory,
    SignatureFactory,
    VersionFactory,
    in_force_agreement,
    registered,
)
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import days_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a long passphrase for signing 2026"


@pytest.fixture
def shots(tmp_path) -> Path:
    where = Path(os.environ.get("ISA_SCREENSHOTS_DIR") or tmp_path)
    where.mkdir(parents=True, exist_ok=True)
    return where


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


def test_the_representative_signs_in_and_signs_and_the_evidence_is_kept(page, browser, admin, agency, shots):
    registered(agency)
    RepresentativeFactory(agency=agency, name="Rita Rahman", email="rita.rahman@home.example.org")
    agreement, v1 = in_force_agreement(owner=agency, title="Northshire Protocol", signed_off_on=days_ago(400))
    SignatureFactory(version=v1, agency=agency)  # signed before evidence was kept
    v2 = VersionFactory(
        agreement=agreement,
        number="2.0",
        signed_off_on=days_ago(3),
        text="Partners share information to protect children.\nEach partner keeps a log of what it shares.",
    )

    # The administrator invites the representative to sign version 2.0.
    sign_in(page, admin.email)
    page.goto(f"/agreements/{agreement.pk}/")
    page.get_by_role("link", name="Invite a nominated representative to sign version 2.0").click()
    assert_accessible(page)
    page.get_by_label("Agency whose nominated representative should sign").select_option(label=agency.name)
    page.get_by_role("button", name="Send the invitation").click()
    assert "Invitation sent" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("button", name="Sign out").click()

    # The representative sets a password from the account email, then signs in.
    account_mail = next(m for m in mail.outbox if "invited to" in m.subject)
    link = re.search(r"https?://\S+/accounts/password-reset/\S+/", account_mail.body).group(0)
    page.goto(link[link.index("/accounts/") :])
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    sign_in(page, "rita.rahman@home.example.org", NEW_PASSWORD)
    assert "1 agreement waiting for your signature" in page.locator(".govuk-notification-banner").inner_text()
    assert page.get_by_role("link", name="Children").count() == 0  # no child's record, ever
    page.get_by_role("link", name="Read and sign").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Read and sign Northshire Protocol, version 2.0").click()

    # The version itself, what changed since the version signed before, and the statements.
    assert "Each partner keeps a log of what it shares." in page.locator("#agreement-text").inner_text()
    assert page.locator("#what-changed").get_attribute("href").endswith(f"?before={v1.pk}&after={v2.pk}")
    assert_accessible(page)
    page.get_by_role("button", name="Sign the agreement").click()  # nothing confirmed: refused
    assert "Confirm each statement to sign" in page.locator(".govuk-error-summary").inner_text()
    assert not Signature.objects.filter(version=v2).exists()
    assert_accessible(page)
    for _, statement in evidence.STATEMENTS:
        page.get_by_label(statement).check()
    page.get_by_label("Your role").fill("Director of Children's Services")
    page.get_by_label("Virtual group").check()
    page.get_by_role("button", name="Sign the agreement").click()

    # The evidence, stored and shown.
    signature = Signature.objects.get(version=v2)
    assert signature.method == SignatureMethod.ONLINE
    assert (
        signature.signed_by_name == "Rita Rahman" and signature.signer.email == "rita.rahman@home.example.org"
    )
    assert signature.group == "virtual"
    assert signature.version_sha256 == evidence.version_sha256(v2)
    assert signature.statements == [text for _, text in evidence.STATEMENTS]
    assert "You have signed version 2.0" in page.locator(".govuk-notification-banner").inner_text()
    assert "Signed online by the nominated representative" in page.locator("#how-signed").inner_text()
    assert signature.version_sha256 in page.locator("#what-was-signed").inner_text()
    assert "Unchanged" in page.locator("#hash-check").inner_text()
    assert "to subscribe to the principles contained in the code" in page.locator("#statements").inner_text()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the signature page (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")

    # The signature page as a picture, for the note.
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=1.5).to_pil()
    image.save(shots / "signature-page.png")
    document.close()
    assert image.size[0] > 800 and (shots / "signature-page.png").stat().st_size > 20_000

    # The register names who signed, as they were then.
    page.goto(f"/agreements/signatories/?agreement={agreement.pk}")
    row = page.locator("tr", has_text=agency.name).inner_text()
    assert "Signed the current version" in row
    assert "Signed by Rita Rahman, Director of Children's Services" in row
    assert "Signed online by the nominated representative" in row
    assert_accessible(page)
    assert page.console_errors == []
