"""No dead ends and plain words (issue 16, item 6 and 7): links a person may follow, one plain
GOV.UK message per field, a success banner after each change, titles and back links."""

import datetime
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import Role
from agreements.models import AgencyKind
from isa_portal.web import possessive, time_of_day
from tests.agreements.factories import AgreementFactory, SignatureFactory, VersionFactory, in_force_agreement
from tests.agreements.helpers import date_fields
from tests.factories import AgencyFactory, UserFactory, days_ago

ROOT = Path(__file__).resolve().parent.parent.parent
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def error_messages(response) -> list[str]:
    """The messages beside the questions (not the summary), as a person reads them."""
    page = response.content.decode()
    return [m.strip() for m in re.findall(r'govuk-error-message">\s*<span[^>]*>Error:</span>([^<]*)', page)]


def summary_errors(response) -> list[str]:
    page = response.content.decode()
    body = re.search(r'govuk-error-summary__list">(.*?)</ul>', page, re.S)
    return (
        [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r"<li>(.*?)</li>", body.group(1), re.S)]
        if body
        else []
    )


@pytest.fixture
def partnership_admin(agency):
    return UserFactory(email="padmin@example.org", agency=agency, role=Role.ADMIN, partnership_wide=True)


@pytest.mark.django_db
def test_withdraw_links_only_on_signatures_the_person_may_withdraw(client, admin, agency, other_agency):
    agreement, version = in_force_agreement(owner=agency)
    own = SignatureFactory(agreement=agreement, version=version, agency=agency)
    theirs = SignatureFactory(agreement=agreement, version=version, agency=other_agency)
    client.force_login(admin)
    page = client.get(reverse("agreements:agreement_detail", args=[agreement.pk])).content.decode()
    assert reverse("agreements:signature_withdraw", args=[own.pk]) in page
    assert reverse("agreements:signature_withdraw", args=[theirs.pk]) not in page
    # And the one link shown leads somewhere.
    assert client.get(reverse("agreements:signature_withdraw", args=[own.pk])).status_code == 200


@pytest.mark.django_db
def test_a_partnership_admin_may_withdraw_any_signature_and_gets_a_banner(
    client, partnership_admin, other_agency
):
    other_agency.name = "Other Town Children's Services"
    other_agency.save()
    agreement, version = in_force_agreement(owner=partnership_admin.agency)
    theirs = SignatureFactory(agreement=agreement, version=version, agency=other_agency)
    client.force_login(partnership_admin)
    url = reverse("agreements:signature_withdraw", args=[theirs.pk])
    detail = client.get(reverse("agreements:agreement_detail", args=[agreement.pk])).content.decode()
    assert url in detail
    page = html.unescape(client.get(url).content.decode())
    assert "Services' signature" in page and "Services's" not in page
    response = client.post(
        url, {"reason": "Left the partnership", **date_fields("withdrawn_on", days_ago(1))}, follow=True
    )
    assert "govuk-notification-banner--success" in response.content.decode()
    assert "Signature withdrawn" in html.unescape(response.content.decode())


@pytest.mark.django_db
def test_editing_a_version_with_a_pdf_attached_is_no_server_error(client, admin, agency):
    agreement = AgreementFactory(owner=agency)
    version = VersionFactory(agreement=agreement, number="1.0")
    version.document.save("agreement.pdf", ContentFile(PDF))
    client.force_login(admin)
    response = client.get(reverse("agreements:version_edit", args=[version.pk]))
    assert response.status_code == 200
    assert "A PDF is attached to this version" in response.content.decode()


@pytest.mark.django_db
def test_a_repeated_version_number_is_a_plain_message_beside_the_number(client, admin, agency):
    agreement = AgreementFactory(owner=agency)
    VersionFactory(agreement=agreement, number="1.0")
    client.force_login(admin)
    response = client.post(reverse("agreements:version_create", args=[agreement.pk]), {"number": "1.0"})
    assert response.status_code == 200
    assert "This agreement already has a version 1.0: give this version a new number" in error_messages(
        response
    )
    assert "already exists" not in response.content.decode()


@pytest.mark.django_db
def test_adding_a_version_shows_a_success_banner(client, admin, agency):
    agreement = AgreementFactory(owner=agency)
    client.force_login(admin)
    data = {"number": "2.0", "author": "IG group", "text": "The text.", "signed_off_by": "Chair"}
    data.update(date_fields("signed_off_on", days_ago(5)))
    response = client.post(reverse("agreements:version_create", args=[agreement.pk]), data, follow=True)
    assert error_messages(response) == []
    assert "Version added" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "", "", "ICO registration expires on must include a month and year"),
        ("", "", "2027", "ICO registration expires on must include a day and month"),
        ("x", "y", "2027", "Enter a real date"),
    ],
)
def test_the_agency_form_gives_one_error_for_one_date(client, partnership_admin, day, month, year, message):
    client.force_login(partnership_admin)
    data = {"name": "New Agency", "kind": AgencyKind.POLICE, "group": "core"}
    data.update(
        {
            "ico_registration_expires_on_0": day,
            "ico_registration_expires_on_1": month,
            "ico_registration_expires_on_2": year,
        }
    )
    response = client.post(reverse("agreements:agency_create"), data)
    assert error_messages(response) == [message]
    assert summary_errors(response) == [message]


@pytest.mark.django_db
def test_an_impossible_date_on_any_date_field_is_never_enter_a_list_of_values(client, ig_officer):
    client.force_login(ig_officer)
    response = client.get(
        reverse("audit:entry_list"), {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"}
    )
    assert "Enter a list of values" not in response.content.decode()


@pytest.mark.django_db
def test_an_empty_add_agency_comes_back_with_an_error_summary(client, partnership_admin):
    client.force_login(partnership_admin)
    response = client.post(reverse("agreements:agency_create"), {})
    assert response.status_code == 200
    assert "Enter the name of the agency" in summary_errors(response)
    assert "<title>Error: Add an agency" in response.content.decode()


@pytest.mark.django_db
def test_adding_an_agency_shows_a_success_banner(client, partnership_admin):
    client.force_login(partnership_admin)
    response = client.post(
        reverse("agreements:agency_create"),
        {"name": "Eastfield Academy", "kind": AgencyKind.SCHOOL, "group": "virtual", "is_active": "on"},
        follow=True,
    )
    assert "Agency added" in response.content.decode()


@pytest.mark.django_db
def test_the_add_a_person_page_has_a_title_and_a_back_link(client, admin):
    client.force_login(admin)
    page = client.get(reverse("accounts:user_create")).content.decode()
    assert re.search(r"<title>\s*Add a person \N{EN DASH} ", page)
    assert f'href="{reverse("accounts:user_list")}" class="govuk-back-link"' in page


def test_possessive_and_time_of_day_are_written_as_gov_uk_writes_them():
    assert possessive("Children's Services") == "Children's Services'"
    assert possessive("Riverside Primary School") == "Riverside Primary School's"
    assert time_of_day(datetime.time(2, 13)) == "2:13am"
    assert time_of_day(datetime.time(14, 0)) == "2pm"
    assert time_of_day(datetime.time(12, 0)) == "midday"
    assert time_of_day(datetime.time(0, 0)) == "midnight"


@pytest.mark.django_db
def test_the_home_page_counts_agencies_that_never_signed_as_well_as_re_signs(
    client, admin, agency, other_agency
):
    agreement, _in_force = in_force_agreement(owner=agency)
    earlier = VersionFactory(agreement=agreement, number="0.9", signed_off_on=days_ago(400))
    SignatureFactory(agreement=agreement, version=earlier, agency=agency)
    AgencyFactory(name="Third Agency")
    client.force_login(
        UserFactory(email="pa2@example.org", agency=agency, role=Role.ADMIN, partnership_wide=True)
    )
    page = client.get(reverse("home")).content.decode()
    # The home agency signed an earlier version; the other two never signed (issue 20, item 4's table).
    assert f'data-to-sign="{agreement.pk}:sign_again"><a' in page
    assert f'?agreement={agreement.pk}&amp;needs=never_signed">2</a>' in page
    assert f'?agreement={agreement.pk}&amp;needs=sign_again">1</a>' in page
    assert "Signatures of the versions in force still needed: 3" in page


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set when DEBUG is off"),
        ({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must be set when DEBUG is off"),
    ],
)
def test_a_management_command_without_its_configuration_says_so_in_one_line(env, named):
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO") and k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")
    }
    environ.update({"DEV_DATA": "true", "DATABASE_URL": "sqlite:///:memory:"})
    for key, value in env.items():
        if value is not None:
            environ[key] = value
    result = subprocess.run(
        [sys.executable, "manage.py", "generate_volume"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert named in result.stderr
