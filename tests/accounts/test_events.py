"""Access granted, changed and taken away, sessions ended, second factors set up: each a named event."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts import services
from accounts.models import Role, UserSession
from audit.models import AuditEntry, Event
from tests.accounts.conftest import password_step
from tests.auth import authenticator_for, current_code, mark_second_factor_passed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ACCESS = AuditEntry.Action.ACCESS


def _event(event: str, user) -> AuditEntry:
    return AuditEntry.objects.get(event=event, content_type__model="user", object_pk=str(user.pk))


def _by(entry: AuditEntry, actor) -> None:
    assert (entry.actor, entry.actor_email, entry.actor_role) == (actor, actor.email, actor.role)
    assert entry.action == ACCESS  # the action column is for auditlog's field changes


def test_an_invitation_grants_access(admin, agency):
    # A role that reads no child's record needs no second person (tests/accounts/test_access_grants.py).
    person = services.user_invite(
        email="new@example.org",
        full_name="New Person",
        job_title="Office manager",
        agency=agency,
        role=Role.ADMIN,
        partnership_wide=False,
        base_url="https://isa.example.org",
        by=admin,
    )
    entry = _event(Event.ACCESS_GRANTED, person)
    _by(entry, admin)
    assert entry.agency_id == agency.pk
    assert entry.additional_data == {
        "role": Role.ADMIN,
        "agency": agency.pk,
        "partnership_wide": False,
    }


def test_a_role_change_is_recorded_before_and_after(admin, practitioner):
    # To a role that reads no child's record: at once (to one that does, it waits for approval).
    services.user_update(
        user=practitioner, expected_version=practitioner.lock_version, by=admin, role=Role.ADMIN
    )
    entry = _event(Event.ROLE_CHANGED, practitioner)
    _by(entry, admin)
    assert entry.additional_data == {"fields": ["role"], "role": [Role.PRACTITIONER, Role.ADMIN]}


def test_a_move_to_another_agency_is_a_role_change(admin, agency, other_agency):
    partnership_admin = UserFactory(agency=other_agency, role=Role.ADMIN, partnership_wide=True)
    services.user_update(
        user=admin,
        expected_version=admin.lock_version,
        by=partnership_admin,
        agency=other_agency,
    )
    entry = _event(Event.ROLE_CHANGED, admin)
    _by(entry, partnership_admin)
    assert entry.additional_data == {"fields": ["agency"], "agency": [agency.pk, other_agency.pk]}


def test_other_changes_to_a_person_are_recorded_as_such(admin, practitioner):
    services.user_update(
        user=practitioner, expected_version=practitioner.lock_version, by=admin, job_title="Social worker"
    )
    entry = _event(Event.USER_CHANGED, practitioner)
    _by(entry, admin)
    assert entry.additional_data == {"fields": ["job_title"]}
    assert not AuditEntry.objects.filter(event=Event.ROLE_CHANGED).exists()


def test_turning_an_account_off_and_on_is_recorded(admin, practitioner):
    services.user_deactivate(user=practitioner, by=admin)
    revoked = _event(Event.ACCESS_REVOKED, practitioner)
    _by(revoked, admin)
    assert revoked.additional_data == {"sessions_ended": 0}
    services.user_reactivate(user=practitioner, by=admin)
    _by(_event(Event.ACCESS_RESTORED, practitioner), admin)


def test_ending_a_session_is_recorded_with_who_ended_it(practitioner, admin):
    client = Client()
    password_step(client, practitioner.email)
    mark_second_factor_passed(client, practitioner)
    tracked = UserSession.objects.get(user=practitioner)
    services.user_deactivate(user=practitioner, by=admin)
    ended = _event(Event.SESSION_ENDED, practitioner)
    _by(ended, admin)
    assert ended.additional_data == {"signed_in_at": tracked.signed_in_at.isoformat(), "by_its_owner": False}
    assert _event(Event.ACCESS_REVOKED, practitioner).additional_data == {"sessions_ended": 1}


def test_setting_up_an_authenticator_app_is_recorded_with_its_backup_codes(practitioner):
    key = random_hex(20)
    services.two_factor_enrol(
        user=practitioner, key_hex=key, token=current_code(TOTPDevice(key=key)), by=practitioner
    )
    set_up = _event(Event.TWO_FACTOR_SET_UP, practitioner)
    _by(set_up, practitioner)
    assert set_up.additional_data == {"device": "Authenticator app"}
    issued = _event(Event.BACKUP_CODES_ISSUED, practitioner)
    _by(issued, practitioner)
    assert issued.additional_data == {"codes": 10}
    # The code that proved the app is the person's second factor: they are signed in.
    signed_in = AuditEntry.objects.get(event=Event.SIGN_IN)
    assert (signed_in.actor, signed_in.additional_data) == (practitioner, {"second_factor": "set up"})


def test_a_wrong_second_factor_code_is_recorded_with_the_sessions_count(lead):
    authenticator_for(lead)
    assert services.second_factor_check(user=lead, code="000000", failures=2) is None
    failed = AuditEntry.objects.get(event=Event.SIGN_IN_FAILED)
    assert (failed.actor, failed.additional_data) == (lead, {"second_factor": "wrong code", "failures": 2})
    assert not AuditEntry.objects.filter(event=Event.SIGN_IN).exists()


def test_a_right_second_factor_code_is_a_sign_in(lead):
    device = authenticator_for(lead)
    assert services.second_factor_check(user=lead, code=current_code(device), failures=1) == device
    signed_in = AuditEntry.objects.get(event=Event.SIGN_IN)
    assert (signed_in.actor, signed_in.additional_data) == (lead, {"second_factor": device.name})
    assert not AuditEntry.objects.filter(event=Event.SIGN_IN_FAILED).exists()


def test_a_password_reset_is_recorded_and_ends_every_session(practitioner):
    client = Client()
    password_step(client, practitioner.email)
    services.user_password_reset(user=practitioner, password="a new long passphrase")
    entry = _event(Event.PASSWORD_RESET, practitioner)
    _by(entry, practitioner)
    assert entry.additional_data == {"sessions_ended": 1}
    assert not UserSession.objects.filter(user=practitioner).exists()
    practitioner.refresh_from_db()
    assert practitioner.check_password("a new long passphrase")
