"""Issue 20 item 2: the nominated representative signs, and the signature keeps its evidence."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Role, User
from accounts.permissions import Perm
from agreements import evidence, services
from agreements.models import (
    Signature,
    SignatureInvitation,
    SignatureMethod,
    SignatureState,
)
from audit.models import AuditEntry, Event
from tests.agreements.factories import (
    RepresentativeFactory,
    SignatureFactory,
    VersionFactory,
    in_force_agreement,
    registered,
)
from tests.agreements.helpers import date_fields, entries_for
from tests.factories import UserFactory, days_ago

pytestmark = pytest.mark.django_db

ALL_STATEMENTS = [key for key, _ in evidence.STATEMENTS]
# The reference documents live in shared/ beside the checkout (or beside a worktree's folder).
CODES = [
    Path(settings.BASE_DIR).parents[n] / "shared" / "reference" / "buckinghamshire-code-of-practice.txt"
    for n in (0, 1)
]


@pytest.fixture
def rep(represented):
    """The home agency's nominated representative, with an account of their email address."""
    representative = represented.current_representative
    representative.email = "rep@home.example.org"
    representative.save()
    return UserFactory(
        email="rep@home.example.org", agency=represented, role=Role.REPRESENTATIVE, full_name="Rita Rep"
    )


@pytest.fixture
def invitation(rep, admin, represented):
    _, version = in_force_agreement(owner=represented, title="Northshire Protocol")
    return services.signature_invite(version=version, agency=represented, by=admin)


def sign(invitation, by, **overrides):
    data = {"statements": ALL_STATEMENTS, "group": "core", "role": "Director of Children's Services"}
    data.update(overrides)
    return services.signature_sign(invitation=invitation, by=by, **data)


def sign_page(client, invitation, **overrides):
    data = {"statements": ALL_STATEMENTS, "group": "virtual", "role": "Director"}
    data.update(overrides)
    return client.post(reverse("agreements:signature_sign", args=[invitation.pk]), data)


# The statements and the content hash


def test_the_statements_are_the_buckinghamshire_signature_pages_in_its_words():
    found = [path for path in CODES if path.exists()]
    if not found:
        pytest.skip("shared/reference/ is not beside this checkout")
    code = found[0].read_text()
    page = code[code.index("By signing, you are agreeing:") : code.index("Signature.....")]
    assert evidence.STATEMENTS_INTRO in page
    for _, text in evidence.STATEMENTS:
        assert f"- {text}\n" in page
    assert page.count("\n- ") == len(evidence.STATEMENTS)


def test_a_changed_version_hashes_differently():
    _, version = in_force_agreement()
    before = evidence.version_sha256(version)
    assert before == evidence.version_sha256(version)  # the same content, the same hash
    assert len(before) == 64

    version.text += " And one more sentence."
    assert evidence.version_sha256(version) != before
    version.refresh_from_db()
    assert evidence.version_sha256(version) == before

    version.agreement.retention_and_disposal = "Kept for one year."
    assert evidence.version_sha256(version) != before
    version.agreement.refresh_from_db()

    version.document.save("v.pdf", ContentFile(b"%PDF-1.4 one\n%%EOF\n"))
    with_pdf = evidence.version_sha256(version)
    assert with_pdf != before
    version.document.save("v.pdf", ContentFile(b"%PDF-1.4 two\n%%EOF\n"))
    assert evidence.version_sha256(version) != with_pdf

    # Its conditions are part of what is signed.
    from agreements.models import AgreementCondition

    unconditioned = evidence.version_sha256(version)
    condition = AgreementCondition.objects.create(
        version=version, kind="consent_required", purposes=["safeguarding"], clause="3.2", wording="Consent."
    )
    assert evidence.version_sha256(version) != unconditioned
    condition.delete()
    assert evidence.version_sha256(version) == unconditioned

    # The review date may move after sign-off without changing what was agreed.
    version.document = ""
    version.next_review_date = days_ago(-900)
    assert evidence.version_sha256(version) == before


def test_every_content_field_an_admin_edits_is_part_of_the_hash():
    """A field added to the agreement form must join the hash, or the signature would not bind it."""
    from agreements.forms import AgreementForm

    # How the agreement sits in the register, not what its signatories agreed to.
    structural = {"parent", "owner", "review_interval_months"}
    hashed = {*evidence.AGREEMENT_CONTENT_FIELDS, "purposes"}
    assert set(AgreementForm.Meta.fields) - structural <= hashed


# Inviting


def test_inviting_makes_an_account_that_reads_agreements_only_and_emails_the_representative(
    admin, represented
):
    representative = represented.current_representative
    _, version = in_force_agreement(owner=represented)
    invitation = services.signature_invite(version=version, agency=represented, by=admin)

    account = User.objects.get(email=representative.email)
    assert invitation.account == account and invitation.account_created
    assert account.role == Role.REPRESENTATIVE and account.agency == represented
    assert account.can(Perm.VIEW_AGREEMENTS)
    assert not account.can(Perm.VIEW_CHILD_RECORDS)
    assert not account.has_usable_password()
    subjects = [m.subject for m in mail.outbox]
    assert any("invited to" in s for s in subjects)  # the account's own invitation: choose a password
    signing = [m for m in mail.outbox if m.subject.startswith("Please sign version")]
    assert len(signing) == 1 and signing[0].to == [representative.email]
    assert reverse("agreements:signature_sign", args=[invitation.pk]) in signing[0].body
    entry = AuditEntry.objects.get(event=Event.SIGNATURE_INVITED)
    assert entry.actor == admin and entry.object_pk == str(invitation.pk)


def test_inviting_again_sends_nothing_more(admin, rep, represented):
    _, version = in_force_agreement(owner=represented)
    first = services.signature_invite(version=version, agency=represented, by=admin)
    sent = len(mail.outbox)
    again = services.signature_invite(version=version, agency=represented, by=admin)
    assert again == first
    assert len(mail.outbox) == sent == 1  # an existing account: only the signing email
    assert SignatureInvitation.objects.count() == 1
    assert AuditEntry.objects.filter(event=Event.SIGNATURE_INVITED).count() == 1


def test_an_account_of_another_agency_is_not_used(admin, represented, other_agency):
    representative = represented.current_representative
    UserFactory(email=representative.email, agency=other_agency)
    _, version = in_force_agreement(owner=represented)
    with pytest.raises(ValidationError, match="belongs to"):
        services.signature_invite(version=version, agency=represented, by=admin)
    assert not SignatureInvitation.objects.exists()


def test_an_agency_without_a_current_ico_registration_is_not_invited(admin, agency):
    RepresentativeFactory(agency=agency)
    registered(agency, expires_on=days_ago(3))
    _, version = in_force_agreement(owner=agency)
    with pytest.raises(ValidationError, match="ICO registration expired"):
        services.signature_invite(version=version, agency=agency, by=admin)
    assert mail.outbox == []


# Signing


def test_the_representative_signs_and_the_evidence_is_kept(invitation, rep, represented):
    version = invitation.version
    signature = sign(invitation, rep)

    assert signature.method == SignatureMethod.ONLINE
    assert signature.signer == rep and signature.recorded_by == rep
    assert signature.signer_email == "rep@home.example.org"
    assert signature.signed_by_name == "Rita Rep"
    assert signature.signed_by_role == "Director of Children's Services"
    assert signature.agency_name == represented.name
    assert signature.representative_name == represented.current_representative.name
    assert signature.representative_email == "rep@home.example.org"
    assert signature.signed_at is not None and signature.signed_on == days_ago(0)
    assert signature.version_sha256 == evidence.version_sha256(version)
    assert signature.statements_key == evidence.STATEMENTS_KEY
    assert signature.statements == [text for _, text in evidence.STATEMENTS]
    with signature.signature_page.open("rb") as page:
        assert page.read(5) == b"%PDF-"
    invitation.refresh_from_db()
    assert invitation.signature == signature
    entry = entries_for(signature, event=Event.SIGNATURE_RECORDED).get()
    assert entry.actor == rep
    assert entry.additional_data["method"] == "online"
    assert entry.additional_data["version_sha256"] == signature.version_sha256
    assert evidence.hash_check(signature).state == evidence.HashState.MATCHES


def test_the_signature_page_pdf_names_the_signer_the_statements_and_the_hash(invitation, rep):
    from pypdf import PdfReader

    signature = sign(invitation, rep)
    with signature.signature_page.open("rb") as handle:
        text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(handle).pages)
    assert "Rita Rep" in text
    assert "to subscribe to the principles contained in the code" in text
    assert signature.version_sha256[:32] in text.replace(" ", "")


def test_the_representative_cannot_sign_twice(invitation, rep):
    sign(invitation, rep)
    with pytest.raises(ValidationError, match="signed already"):
        sign(invitation, rep)
    assert Signature.objects.count() == 1


def test_every_statement_must_be_confirmed(invitation, rep):
    with pytest.raises(ValidationError, match="the terms of reference"):
        sign(invitation, rep, statements=ALL_STATEMENTS[:-1])
    assert not Signature.objects.exists()


@pytest.mark.parametrize("who", ["admin", "lead", "other_rep"])
def test_nobody_but_the_representative_signs(invitation, who, admin, lead, other_agency):
    if who == "other_rep":
        RepresentativeFactory(agency=other_agency, email="rep@other.example.org")
        registered(other_agency)
        signer = UserFactory(email="rep@other.example.org", agency=other_agency, role=Role.REPRESENTATIVE)
    else:
        signer = {"admin": admin, "lead": lead}[who]
    with pytest.raises(PermissionDenied):
        sign(invitation, signer)
    assert not Signature.objects.exists()


def test_a_former_representative_cannot_sign(invitation, rep, admin, represented):
    services.representative_appoint(
        agency=represented, name="New Rep", email="new@home.example.org", started_on=days_ago(0), by=admin
    )
    with pytest.raises(PermissionDenied):
        sign(invitation, rep)


def test_an_agency_whose_registration_lapsed_after_the_invitation_cannot_sign(invitation, rep, represented):
    registered(represented, expires_on=days_ago(1))
    with pytest.raises(ValidationError, match="ICO registration expired"):
        sign(invitation, rep)
    assert not Signature.objects.exists()


def test_signing_a_new_version_replaces_the_earlier_signature(admin, rep, represented):
    agreement, v1 = in_force_agreement(owner=represented, signed_off_on=days_ago(200))
    old = SignatureFactory(version=v1, agency=represented)
    v2 = VersionFactory(agreement=agreement, signed_off_on=days_ago(5), text="Changed text.")
    invitation = services.signature_invite(version=v2, agency=represented, by=admin)
    signature = sign(invitation, rep)
    old.refresh_from_db()
    assert old.state == SignatureState.REPLACED and signature.version == v2


def test_a_signature_shows_when_its_version_no_longer_hashes_the_same(invitation, rep):
    signature = sign(invitation, rep)
    agreement = signature.agreement
    agreement.purpose = "A different purpose, changed after signing."
    agreement.save()
    signature.refresh_from_db()
    check = evidence.hash_check(signature)
    assert check.state == evidence.HashState.CHANGED
    assert check.current != signature.version_sha256


def test_a_signature_recorded_before_evidence_was_kept_says_so():
    signature = SignatureFactory()
    assert signature.method == SignatureMethod.RECORDED
    assert evidence.hash_check(signature).state == evidence.HashState.NOT_RECORDED
    assert signature.how_signed == "Recorded before signing evidence was kept"


# Paper signatures


def paper(agency, **overrides):
    data = {
        "agency": agency.pk,
        "signed_by_name": "Dana Director",
        "signed_by_role": "Director",
        **date_fields("signed_on", days_ago(2)),
        "group": "core",
        "evidence": SimpleUploadedFile(
            "scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png"
        ),
    }
    data.update(overrides)
    return data


def test_a_paper_signature_needs_its_scan(admin, represented):
    _, version = in_force_agreement(owner=represented)
    with pytest.raises(ValidationError, match="Upload the scan"):
        services.signature_record(
            version=version,
            agency=represented,
            signed_by_name="Dana",
            signed_by_role="Director",
            signed_on=days_ago(1),
            group="core",
            evidence=None,
            by=admin,
        )


def test_the_paper_signature_page_refuses_no_scan_and_a_scan_of_the_wrong_type(client, admin, represented):
    _, version = in_force_agreement(owner=represented)
    client.force_login(admin)
    url = reverse("agreements:signature_create", args=[version.pk])
    response = client.post(url, {k: v for k, v in paper(represented).items() if k != "evidence"})
    assert response.status_code == 200
    assert "Upload the scan of the signed paper signature page" in response.content.decode()
    fake = SimpleUploadedFile("scan.pdf", b"MZ this is a program", content_type="application/pdf")
    response = client.post(url, paper(represented, evidence=fake))
    assert "The selected file must be a PDF, PNG or JPEG" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_too_large_scan_is_refused(client, admin, represented, settings):
    from agreements import forms

    _, version = in_force_agreement(owner=represented)
    client.force_login(admin)
    big = SimpleUploadedFile(
        "scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * (forms.SIGNATURE_EVIDENCE_MAX_SIZE + 1)
    )
    response = client.post(
        reverse("agreements:signature_create", args=[version.pk]), paper(represented, evidence=big)
    )
    assert escape("The selected file must be smaller than") in response.content.decode()
    assert not Signature.objects.exists()


def test_a_paper_signature_is_marked_as_paper_recorded_by_the_admin(client, admin, represented):
    agreement, version = in_force_agreement(owner=represented)
    client.force_login(admin)
    response = client.post(reverse("agreements:signature_create", args=[version.pk]), paper(represented))
    signature = Signature.objects.get()
    assert response["Location"] == reverse("agreements:signature_detail", args=[signature.pk])
    assert signature.method == SignatureMethod.PAPER
    assert signature.version_sha256 == evidence.version_sha256(version)
    assert signature.evidence.name.endswith(".png")
    marked = f"Paper, recorded by {admin}"
    assert marked in client.get(reverse("agreements:signature_detail", args=[signature.pk])).content.decode()
    assert marked in client.get(reverse("agreements:agreement_detail", args=[agreement.pk])).content.decode()
    assert marked in client.get(reverse("agreements:signatory_register")).content.decode()
    scan = client.get(reverse("agreements:signature_scan", args=[signature.pk]))
    assert scan["Content-Type"] == "image/png"
    assert b"".join(scan.streaming_content).startswith(b"\x89PNG")


# The pages


def test_the_representative_sees_what_waits_reads_it_and_signs(client, invitation, rep, represented):
    client.force_login(rep)
    home = client.get(reverse("home")).content.decode()
    assert "1 agreement waiting for your signature" in home
    waiting = client.get(reverse("agreements:signatures_waiting")).content.decode()
    assert "Northshire Protocol" in waiting
    page = client.get(reverse("agreements:signature_sign", args=[invitation.pk])).content.decode()
    assert invitation.version.text in page
    for _, text in evidence.STATEMENTS:
        assert escape(text) in page

    response = sign_page(client, invitation)
    signature = Signature.objects.get()
    assert response["Location"] == reverse("agreements:signature_detail", args=[signature.pk])
    assert signature.group == "virtual" and signature.signed_by_role == "Director"
    assert "Nothing is waiting" in client.get(reverse("agreements:signatures_waiting")).content.decode()
    detail = client.get(response["Location"]).content.decode()
    assert "Signed online by the nominated representative" in detail
    assert signature.version_sha256 in detail
    assert "Unchanged" in detail
    pdf = client.get(reverse("agreements:signature_page", args=[signature.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert entries_for(signature, event=Event.DOWNLOAD).exists()


def test_a_representative_in_another_role_sees_the_banner_and_others_do_not(client, represented, admin, lead):
    """The session's user says whether they hold the post; the banner follows it, whatever the role."""
    _, version = in_force_agreement(owner=represented, title="Northshire Protocol")
    representative = represented.current_representative
    representative.email = lead.email.upper()  # the post's address, as typed
    representative.save()
    services.signature_invite(version=version, agency=represented, by=admin)
    client.force_login(lead)
    assert "1 agreement waiting for your signature" in client.get(reverse("home")).content.decode()

    representative.email = "someone.else@home.example.org"
    representative.save()
    assert "waiting for your signature" not in client.get(reverse("home")).content.decode()


def test_an_unconfirmed_statement_is_an_error_on_the_page_and_nothing_is_saved(client, invitation, rep):
    client.force_login(rep)
    response = sign_page(client, invitation, statements=ALL_STATEMENTS[:2])
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert escape("you have not confirmed “to supply information within the bounds of this code”") in page
    assert not Signature.objects.exists()


@pytest.mark.parametrize("who", ["admin", "lead", "outsider"])
def test_the_signing_page_does_not_exist_for_anyone_else(client, invitation, who, admin, lead, outsider):
    client.force_login({"admin": admin, "lead": lead, "outsider": outsider}[who])
    url = reverse("agreements:signature_sign", args=[invitation.pk])
    assert client.get(url).status_code == 404
    assert sign_page(client, invitation).status_code == 404
    assert not Signature.objects.exists()


def test_the_page_offers_what_changed_since_the_version_signed_before(client, admin, rep, represented):
    agreement, v1 = in_force_agreement(owner=represented, signed_off_on=days_ago(200))
    SignatureFactory(version=v1, agency=represented)
    v2 = VersionFactory(agreement=agreement, signed_off_on=days_ago(5))
    invitation = services.signature_invite(version=v2, agency=represented, by=admin)
    client.force_login(rep)
    page = client.get(reverse("agreements:signature_sign", args=[invitation.pk])).content.decode()
    compare = reverse("agreements:version_compare", args=[agreement.pk])
    assert f"{compare}?before={v1.pk}&amp;after={v2.pk}" in page


def test_the_admin_invites_through_the_page(client, admin, rep, represented):
    _, version = in_force_agreement(owner=represented)
    client.force_login(admin)
    response = client.post(
        reverse("agreements:signature_invite", args=[version.pk]), {"agency": represented.pk}
    )
    assert response.status_code == 302
    assert SignatureInvitation.objects.get().account == rep


def test_the_register_shows_who_signed_as_they_were_not_todays_representative(
    client, invitation, rep, admin, represented
):
    signature = sign(invitation, rep)
    services.representative_appoint(
        agency=represented,
        name="Nadia Newcomer",
        email="nadia@home.example.org",
        started_on=days_ago(0),
        by=admin,
    )
    represented.name = "Home County Council (renamed)"
    represented.save()
    client.force_login(admin)
    page = client.get(reverse("agreements:signatory_register")).content.decode()
    assert "Rita Rep" in page
    assert escape(signature.representative_name) in page
    assert "Nadia Newcomer" not in page
    response = client.get(reverse("agreements:signatory_register") + "?format=csv")
    export = (
        b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    )
    assert "Rita Rep" in export and "rep@home.example.org" in export
    assert "Home County Children's Services" in export  # the agency's name when it signed
    assert signature.version_sha256 in export
    assert "Signed online by the nominated representative" in export
    assert "Nadia Newcomer" not in export


def test_the_data_migration_fills_the_snapshot_of_earlier_signatures_from_what_they_named():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("agreements.migrations.0010_fill_signature_snapshot")
    signature = SignatureFactory()
    assert signature.agency_name == ""
    migration.fill(apps, None)
    signature.refresh_from_db()
    assert signature.agency_name == signature.agency.name
    assert signature.representative_name == signature.representative.name
    assert signature.representative_email == signature.representative.email
    assert signature.method == SignatureMethod.RECORDED


def test_after_signing_inviting_again_is_refused_and_after_a_withdrawal_it_is_allowed(invitation, rep, admin):
    signature = sign(invitation, rep)
    with pytest.raises(ValidationError, match="has already signed version"):
        services.signature_invite(version=invitation.version, agency=invitation.agency, by=admin)
    services.signature_withdraw(
        signature=signature, withdrawn_on=days_ago(0), reason="Restructured", by=admin
    )
    again = services.signature_invite(version=invitation.version, agency=invitation.agency, by=admin)
    assert again != invitation
    assert sign(again, rep).is_live
