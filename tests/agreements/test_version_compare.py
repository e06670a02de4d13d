"""Comparing two versions of an agreement before signing again (issue 20, item 5)."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests.agreements.factories import (
    AgreementFactory,
    RepresentativeFactory,
    SignatureFactory,
    VersionFactory,
    in_force_agreement,
)
from tests.factories import AgencyFactory, UserFactory, days_ago

pytestmark = pytest.mark.django_db

OLD_TEXT = "1. Purpose\nShare to protect children.\nPaper copies are faxed.\nEnd of agreement."
NEW_TEXT = "1. Purpose\nShare to safeguard children.\nEnd of agreement.\nReviewed every year."


@pytest.fixture
def versions(agency):
    """Version 1.0 signed by the home agency; version 2.0 now in force, with new text and author."""
    agreement, v1 = in_force_agreement(owner=agency, signed_off_on=days_ago(300), title="Northshire Protocol")
    v1.number, v1.text, v1.author = "1.0", OLD_TEXT, "IG group"
    v1.save()
    SignatureFactory(version=v1, agency=agency, signed_on=days_ago(200))
    v2 = VersionFactory(agreement=agreement, number="2.0", text=NEW_TEXT, signed_off_on=days_ago(1))
    v2.author = "Partnership board"
    v2.save()
    return agreement, v1, v2


def compare_url(agreement, **query):
    url = reverse("agreements:version_compare", args=[agreement.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_comparison_marks_added_and_removed_lines_and_changed_fields(client, practitioner, versions):
    agreement, v1, v2 = versions
    client.force_login(practitioner)
    response = client.get(compare_url(agreement))
    assert response.status_code == 200
    page = response.content.decode()
    # Defaults: the version the agency signed against the one in force.
    assert f'<option value="{v1.pk}" selected>Version 1.0</option>' in page
    assert f'<option value="{v2.pk}" selected>Version 2.0 (in force)</option>' in page
    # A removed line, an added line and a changed word, each said in words, not colour alone.
    assert '<del><span class="govuk-visually-hidden">removed: </span>Paper copies are faxed.</del>' in page
    assert '<ins><span class="govuk-visually-hidden">added: </span>Reviewed every year.</ins>' in page
    assert '<del><span class="govuk-visually-hidden">removed: </span>protect</del>' in page
    assert '<ins><span class="govuk-visually-hidden">added: </span>safeguard</ins>' in page
    # A changed field, with before and after; an unchanged one is not listed.
    fields = page.split('id="contents-changes"')[1].split('id="text-changes"')[0]
    assert "Author" in fields and "IG group" in fields and "Partnership board" in fields
    assert "Signed off by" not in fields


def test_two_versions_chosen_with_the_form_are_compared_either_way(client, practitioner, versions):
    agreement, v1, v2 = versions
    client.force_login(practitioner)
    page = client.get(compare_url(agreement, before=v2.pk, after=v1.pk)).content.decode()
    assert '<ins><span class="govuk-visually-hidden">added: </span>Paper copies are faxed.</ins>' in page


def test_text_is_escaped(client, practitioner, versions):
    agreement, v1, _ = versions
    v1.text = "<script>alert(1)</script>"
    v1.save()
    client.force_login(practitioner)
    page = client.get(compare_url(agreement)).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_a_version_of_another_agreement_is_not_found(client, practitioner, versions):
    agreement, v1, _ = versions
    elsewhere = VersionFactory(agreement=AgreementFactory(), text="Secret draft")
    client.force_login(practitioner)
    assert client.get(compare_url(agreement, before=elsewhere.pk, after=v1.pk)).status_code == 404
    assert client.get(compare_url(agreement, before="x")).status_code == 404


def test_a_person_without_access_is_refused(client, agency, versions):
    agreement, *_ = versions
    assert client.get(compare_url(agreement)).status_code == 302  # not signed in: to the sign-in page
    waiting = UserFactory(email="waiting@example.org", agency=agency, role_approved=False)
    client.force_login(waiting)
    assert client.get(compare_url(agreement)).status_code == 403
    client.force_login(UserFactory(email="reader@example.org", agency=agency))
    assert client.get(reverse("agreements:version_compare", args=[agreement.pk + 999])).status_code == 404


def test_one_version_has_nothing_to_compare(client, practitioner, agency):
    agreement, _ = in_force_agreement(owner=agency)
    client.force_login(practitioner)
    page = client.get(compare_url(agreement)).content.decode()
    assert "nothing to compare" in page


def test_the_agreement_page_offers_the_comparison_where_re_signing_is_asked(client, practitioner, versions):
    agreement, v1, v2 = versions
    client.force_login(practitioner)
    page = client.get(reverse("agreements:agreement_detail", args=[agreement.pk])).content.decode()
    assert "Needs re-signing" in page
    assert f"{compare_url(agreement)}?before={v1.pk}&amp;after={v2.pk}" in page
    assert "See what changed since version 1.0" in page
    assert 'id="compare-versions"' in page


def test_the_re_sign_reminder_links_to_the_comparison(agency, settings):
    settings.SITE_URL = "https://isa.example.org"
    signer = AgencyFactory(name="Signer")
    RepresentativeFactory(agency=signer, email="signer@example.org")
    agreement, v1 = in_force_agreement(owner=agency, signed_off_on=days_ago(300))
    SignatureFactory(version=v1, agency=signer, signed_on=days_ago(200))
    v2 = VersionFactory(agreement=agreement, number="2.0", signed_off_on=days_ago(1))
    call_command("send_reminders")
    [message] = [m for m in mail.outbox if m.to == ["signer@example.org"]]
    assert f"https://isa.example.org{compare_url(agreement)}?before={v1.pk}&after={v2.pk}" in message.body


def test_the_comparison_shows_a_change_of_conditions(client, practitioner, versions):
    """Conditions are part of what is signed (issue 20, item 6): a signatory asked to sign again sees them."""
    from agreements.models import AgreementCondition

    agreement, _, v2 = versions
    AgreementCondition.objects.create(
        version=v2,
        kind="consent_required",
        purposes=["safeguarding"],
        clause="section 3.2",
        wording="Only with consent.",
    )
    client.force_login(practitioner)
    page = client.get(compare_url(agreement)).content.decode()
    fields = page.split('id="contents-changes"')[1].split('id="text-changes"')[0]
    assert "Conditions decisions are checked against" in fields
    assert (
        "section 3.2: Sharing for a purpose only with consent (Safeguarding a child from significant harm)"
        in fields
    )
