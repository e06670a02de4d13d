"""Issue 20 item 3: an agency without a current ICO registration cannot sign, and loses cover when
its registration lapses, with a reminder to its representative and the administrators."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Role
from agreements.models import Signature
from agreements.selectors import cover_check
from tests.agreements.factories import RepresentativeFactory, SignatureFactory, in_force_agreement, registered
from tests.agreements.helpers import date_fields, scan
from tests.factories import AgencyFactory, UserFactory, days_ago

pytestmark = pytest.mark.django_db


def sign(client, version, agency):
    return client.post(
        reverse("agreements:signature_create", args=[version.pk]),
        {
            "agency": agency.pk,
            "signed_by_name": "Dana Director",
            "signed_by_role": "Director",
            **date_fields("signed_on", days_ago(1)),
            "group": "core",
            "evidence": scan(),
        },
    )


def test_an_agency_whose_ico_registration_expired_cannot_sign(client, admin, agency):
    RepresentativeFactory(agency=agency)
    registered(agency, expires_on=days_ago(60))
    _, version = in_force_agreement(owner=agency)
    client.force_login(admin)
    response = sign(client, version, agency)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert escape(f"{agency} cannot sign: its ICO registration expired on") in page
    assert not Signature.objects.exists()


def test_an_agency_with_no_ico_registration_cannot_sign(client, admin, agency):
    RepresentativeFactory(agency=agency)
    _, version = in_force_agreement(owner=agency)
    client.force_login(admin)
    response = sign(client, version, agency)
    assert response.status_code == 200
    assert escape(f"{agency} cannot sign: it has no ICO registration recorded") in response.content.decode()
    assert not Signature.objects.exists()


def test_an_agency_with_a_current_registration_signs(client, admin, agency):
    RepresentativeFactory(agency=agency)
    registered(agency)
    _, version = in_force_agreement(owner=agency)
    client.force_login(admin)
    assert sign(client, version, agency).status_code == 302
    assert Signature.objects.filter(agency=agency).count() == 1


def test_a_lapsed_registration_ends_cover_and_the_representative_and_admins_are_told():
    sharer = registered(AgencyFactory(name="Sharer"))
    lapsed = registered(AgencyFactory(name="Young Carers"), expires_on=days_ago(5))
    RepresentativeFactory(agency=lapsed, email="rep@carers.example.org")
    UserFactory(agency=lapsed, role=Role.ADMIN, email="admin@carers.example.org")
    UserFactory(agency=sharer, role=Role.ADMIN, partnership_wide=True, email="chair@partnership.example.org")
    agreement, version = in_force_agreement(owner=sharer)
    SignatureFactory(version=version, agency=sharer)
    SignatureFactory(version=version, agency=lapsed)  # signed while registered
    check = cover_check(recipient=lapsed, purpose="safeguarding", on=days_ago(0), sharer=sharer)
    assert not check
    assert "ICO registration expired" in check.note

    call_command("send_reminders")
    lapse = [m for m in mail.outbox if "no longer counts" in m.body]
    assert len(lapse) == 1
    assert set(lapse[0].to) == {"rep@carers.example.org"}
    assert set(lapse[0].cc) == {"admin@carers.example.org", "chair@partnership.example.org"}
    assert agreement.title in lapse[0].body
    call_command("send_reminders")  # idempotent
    assert len([m for m in mail.outbox if "no longer counts" in m.body]) == 1
