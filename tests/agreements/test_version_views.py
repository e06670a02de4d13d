import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter

from agreements.models import AgreementVersion
from audit.models import Event
from tests.agreements.factories import AgreementFactory, VersionFactory
from tests.agreements.helpers import date_fields, entries_for
from tests.factories import days_ago

pytestmark = pytest.mark.django_db


def _one_blank_page() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _one_blank_page()


def version_data(**overrides):
    data = {
        "number": "2.0",
        "author": "IG group",
        "summary_of_changes": "Updated",
        "text": "",
        "signed_off_by": "Chair",
        **date_fields("signed_off_on", days_ago(5)),
        **date_fields("next_review_date", days_ago(-360)),
    }
    data.update(overrides)
    return data


@pytest.fixture
def agreement(agency):
    return AgreementFactory(owner=agency, title="Northshire Protocol")


def post_version(client, agreement, **overrides):
    return client.post(reverse("agreements:version_create", args=[agreement.pk]), version_data(**overrides))


def test_a_pdf_is_uploaded_outside_the_web_root_under_a_server_name(client, admin, agreement, settings):
    client.force_login(admin)
    response = post_version(client, agreement, document=SimpleUploadedFile("../../etc/evil name.pdf", PDF))
    assert response.status_code == 302
    version = AgreementVersion.objects.get()
    assert version.document.name.startswith("agreements/") and "evil" not in version.document.name
    assert version.document.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not version.document.path.startswith(str(settings.STATIC_ROOT))


def test_a_file_that_is_not_a_pdf_is_refused(client, admin, agreement):
    client.force_login(admin)
    fake = SimpleUploadedFile("agreement.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = post_version(client, agreement, document=fake)
    assert response.status_code == 200
    assert "The selected file must be a PDF" in response.content.decode()
    assert not AgreementVersion.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n<script>alert(1)</script>",  # the header, then anything at all
        b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",  # no pages, no cross-reference table
        PDF[: len(PDF) // 2],  # cut short
    ],
    ids=["header-then-html", "no-pages", "truncated"],
)
def test_a_file_that_starts_like_a_pdf_but_does_not_parse_is_refused(client, admin, agreement, content):
    client.force_login(admin)
    fake = SimpleUploadedFile("agreement.pdf", content, content_type="application/pdf")
    response = post_version(client, agreement, document=fake)
    assert response.status_code == 200
    assert "The selected file must be a PDF" in response.content.decode()
    assert not AgreementVersion.objects.exists()


def test_a_50_mb_upload_gets_a_gov_uk_error_not_a_crash(client, admin, agreement):
    client.force_login(admin)
    huge = SimpleUploadedFile("big.pdf", PDF + b"0" * (50 * 1024 * 1024), content_type="application/pdf")
    response = post_version(client, agreement, document=huge, text="Some text")
    assert response.status_code == 200
    page = response.content.decode()
    assert "The selected file must be smaller than 20" in page
    assert 'class="govuk-error-summary' in page
    assert not AgreementVersion.objects.exists()


def test_a_review_date_before_sign_off_is_refused(client, admin, agreement):
    client.force_login(admin)
    response = post_version(client, agreement, text="Text", **date_fields("next_review_date", days_ago(30)))
    assert "The next review date must be after the sign-off date" in response.content.decode()
    assert not AgreementVersion.objects.exists()


def test_text_only_versions_are_rendered_safely(client, admin, practitioner, agreement):
    client.force_login(admin)
    assert post_version(client, agreement, text="<script>alert(1)</script>\nSecond line").status_code == 302
    client.force_login(practitioner)
    version = AgreementVersion.objects.get()
    page = client.get(reverse("agreements:version_detail", args=[version.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line" in page


def test_a_signed_off_version_keeps_its_text_and_may_move_its_review_date(client, admin, agreement):
    version = VersionFactory(agreement=agreement, number="1.0", text="Original")
    client.force_login(admin)
    data = version_data(number="9.9", text="Rewritten", **date_fields("next_review_date", days_ago(-500)))
    assert client.post(reverse("agreements:version_edit", args=[version.pk]), data).status_code == 302
    version.refresh_from_db()
    assert version.text == "Original" and version.number == "1.0"
    assert version.next_review_date == days_ago(-500)


def test_the_pdf_downloads_to_signed_in_users_with_a_server_made_name_and_is_audited(
    client, practitioner, agreement
):
    version = VersionFactory(agreement=agreement, number="2.0")
    version.document.save("whatever-the-uploader-called-it.pdf", ContentFile(PDF))
    url = reverse("agreements:version_document", args=[version.pk])
    assert client.get(url).status_code == 302  # anonymous: sent to sign in
    client.force_login(practitioner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="northshire-protocol-version-20.pdf"'
    assert b"".join(response.streaming_content) == PDF
    assert entries_for(version, event=Event.DOWNLOAD, actor=practitioner).count() == 1


def test_a_version_without_a_pdf_has_nothing_to_download(client, practitioner, agreement):
    version = VersionFactory(agreement=agreement)
    client.force_login(practitioner)
    assert client.get(reverse("agreements:version_document", args=[version.pk])).status_code == 404
