"""The Django admin is for operations, not records (issue 14, item 1), tried through its own URLs."""

import importlib

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import override_settings
from django.urls import clear_url_caches, reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts import services
from accounts.models import Role, User
from audit.models import AuditEntry, Event
from tests.auth import authenticator_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(agency):
    return UserFactory(
        email="ops@example.org", agency=agency, role=Role.ADMIN, is_staff=True, is_superuser=True
    )


@pytest.fixture
def ops(client, operator):
    client.force_login(operator)
    return client


def _admin(path: str = "") -> str:
    return f"/{settings.ADMIN_URL}{path}"


def test_only_peoples_accounts_are_in_the_admin():
    assert set(admin.site._registry) == {User}


@pytest.mark.parametrize(
    "path",
    [
        "otp_totp/totpdevice/",
        "otp_static/staticdevice/",
        "otp_static/staticdevice/add/",
        "otp_static/statictoken/",
        "audit/auditentry/",
        "axes/accessattempt/",
        "auth/group/",
    ],
)
def test_no_authenticator_keys_backup_codes_audit_entries_or_locks_in_the_admin(ops, path):
    assert ops.get(_admin(path)).status_code == 404


def test_staff_cannot_plant_a_backup_code_on_someones_account(ops, lead):
    backup_codes = services.backup_codes_generate(user=lead, by=lead)
    device = StaticDevice.objects.get(user=lead)
    response = ops.post(
        _admin("otp_static/staticdevice/add/"),
        {"user": lead.pk, "name": "planted", "token_set-0-token": "planted1234"},
    )
    assert response.status_code == 404
    assert not StaticToken.objects.filter(token="planted1234").exists()
    page = ops.get(_admin(f"accounts/user/{lead.pk}/change/")).content.decode()
    for code in backup_codes:
        assert code not in page
    assert device.token_set.count() == len(backup_codes)


def test_a_persons_account_is_shown_without_secrets_and_cannot_be_changed(ops, lead):
    page = ops.get(_admin(f"accounts/user/{lead.pk}/change/"))
    assert page.status_code == 200
    text = page.content.decode()
    assert lead.email in text
    assert lead.password not in text
    # Roles change only in the service, where a role that reads children needs a second person.
    response = ops.post(
        _admin(f"accounts/user/{lead.pk}/change/"), {"role": Role.IG_OFFICER, "email": lead.email}
    )
    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.role == Role.LEAD


def test_every_page_staff_open_is_audited_naming_them(ops, operator, lead, ig_officer):
    ops.get(_admin())
    ops.get(_admin("accounts/user/"))
    ops.get(_admin(f"accounts/user/{lead.pk}/change/"))
    entries = AuditEntry.objects.filter(event=Event.ADMIN_VIEWED).order_by("id")
    assert [e.additional_data["path"] for e in entries] == [
        _admin(),
        _admin("accounts/user/"),
        _admin(f"accounts/user/{lead.pk}/change/"),
    ]
    assert {e.actor for e in entries} == {operator}
    about_lead = entries.last()
    assert about_lead.object_pk == str(lead.pk) and about_lead.agency_id == lead.agency_id
    # The lead's agency's IG officer sees that operations staff opened the lead's account.
    assert about_lead in AuditEntry.objects.visible_to(ig_officer)


def test_resetting_two_step_sign_in_is_audited_naming_the_person(ops, operator, lead):
    authenticator_for(lead)
    services.backup_codes_generate(user=lead, by=lead)
    response = ops.post(
        _admin("accounts/user/"), {"action": "reset_two_step_sign_in", "_selected_action": [lead.pk]}
    )
    assert response.status_code == 302
    assert not StaticDevice.objects.filter(user=lead).exists()
    assert not lead.totpdevice_set.exists()
    reset = AuditEntry.objects.get(event=Event.TWO_FACTOR_RESET)
    assert reset.actor == operator and reset.object_pk == str(lead.pk)
    assert str(lead) in reset.object_repr
    # The planted-token hole: no audit entry is about a nameless "StaticToken object (n)".
    assert not AuditEntry.objects.filter(object_repr__startswith="StaticToken object").exists()


def test_the_admin_is_off_unless_admin_url_is_set(client, operator):
    import isa_portal.urls

    client.force_login(operator)
    try:
        with override_settings(ADMIN_URL=""):
            importlib.reload(isa_portal.urls)
            clear_url_caches()
            assert client.get("/django-admin/").status_code == 404
            assert "admin" not in {
                getattr(p, "namespace", None) for p in importlib.import_module("isa_portal.urls").urlpatterns
            }
    finally:
        importlib.reload(isa_portal.urls)
        clear_url_caches()
    assert client.get(reverse("admin:index")).status_code == 200
