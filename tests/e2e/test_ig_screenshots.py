"""The subject access bundle and the reports page, opened in a real browser and saved as PNG
(issue 15). Set ISA_SCREENSHOTS_DIR (e.g. docs/screenshots) to keep the pictures; otherwise they
go to the test's temporary directory, so a test run never changes the working tree."""

import io
import os
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.audit.factories import write_entries
from tests.decisions.factories import child_for, submitted_decision
from tests.e2e.conftest import sign_in
from tests.factories import AgencyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shots(tmp_path) -> Path:
    where = Path(os.environ.get("ISA_SCREENSHOTS_DIR") or tmp_path)
    where.mkdir(parents=True, exist_ok=True)
    return where


def test_the_subject_access_pdf_reads_as_a_letter_with_black_bars(
    page, ig_officer, practitioner, shots, monkeypatch
):
    from agreements.models import AgencyKind
    from audit import sar
    from audit.models import SubjectAccessRequest
    from audit.sar_models import RedactionKind, SubjectAccessRedaction
    from audit.subject_access import BUNDLE_TEMPLATE, bundle_context, gather, render_html
    from decisions import integrations
    from isa_portal.pdf import render_pdf
    from isa_portal.vocabulary import SubjectAccessExemption

    monkeypatch.setattr(integrations, "cover_for", lambda **kwargs: None)
    child = child_for(practitioner, given_name="Amy", family_name="Brook", nhs_number="9434765919")
    police = AgencyFactory(name="Northshire Police", kind=AgencyKind.POLICE)
    decision = submitted_decision(
        practitioner,
        police,
        child=child,
        purpose={"purpose": "safeguarding", "purpose_detail": "Jane Doe saw bruising on Amy's arm at school"},
        openness={
            "family_told": False,
            "family_not_told_reason": "Telling them could put Amy at risk",
            "protected_identities": "Jane Doe",
            "from_other_agency": False,
            "source_agency": None,
            "source_agency_agreed": "",
        },
    )
    # A reviewer withholds a passage of the decision, under the crime exemption (issue 15, item 4).
    request = sar.sar_start_review(
        request=sar.sar_record(
            request=SubjectAccessRequest(
                child=child,
                requester_name="Jo Brook",
                requester_relationship="Mother",
                identity_check="Passport and birth certificate seen",
                received_on=timezone.localdate(),
            ),
            by=ig_officer,
        ),
        by=ig_officer,
    )
    sar.redaction_add(
        redaction=SubjectAccessRedaction(
            request=request,
            kind=RedactionKind.PASSAGE,
            record_type="decisions.Decision",
            record_id=decision.pk,
            field_name="purpose_detail",
            text="saw bruising on Amy's arm",
            exemption=SubjectAccessExemption.CRIME,
        ),
        by=ig_officer,
    )
    sections, redactor = gather(child, user=ig_officer, request=request)
    made_on = timezone.localdate()
    context = bundle_context(child, sections, redactor, made_on=made_on, request=request)
    pdf = render_pdf(BUNDLE_TEMPLATE, context)
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Your records: Amy Brook" in text and "Contents" in text
    assert "Jane Doe" not in text and "bruising" not in text
    assert "(withheld: DPA 2018 Sch 2 para 2, crime prevention or detection)" in text
    html = render_html(child, sections, redactor, made_on=made_on, request=request)
    assert 'class="redacted"' in html and "Jane Doe" not in html and "bruising" not in html
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.set_content(html)
    page.emulate_media(media="print")
    page.screenshot(path=str(shots / "subject-access-pdf.png"), full_page=True)
    assert (shots / "subject-access-pdf.png").stat().st_size > 10_000
    # The decision's page close up: the reviewer's black bar and the exemption beside it.
    barred = page.locator(".row", has_text="crime prevention or detection").first
    barred.screenshot(path=str(shots / "subject-access-redaction.png"))
    assert (shots / "subject-access-redaction.png").stat().st_size > 2_000


def test_the_reports_page_has_contents_and_summarised_tables(page, partnership_ig, practitioner, shots):
    write_entries(5, actor=practitioner)
    sign_in(page, partnership_ig.email)
    page.goto("/reports/")
    assert page.get_by_role("navigation", name="Contents").count() == 1
    page.screenshot(path=str(shots / "reports-page.png"), full_page=True)
    assert (shots / "reports-page.png").stat().st_size > 10_000
