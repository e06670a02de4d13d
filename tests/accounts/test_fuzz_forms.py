"""Every form in accounts, fuzzed with 500 generated submissions each (see tests/fuzz.py)."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import strategies as st

from accounts.models import Role, User, UserSession
from agreements.models import Agency
from tests.auth import authenticator_for
from tests.factories import PASSWORD, UserFactory
from tests.fuzz import fuzz_form

pytestmark = pytest.mark.fuzz

emails = st.emails().map(str.lower)
names = st.text(min_size=1, max_size=60)
codes = st.from_regex(r"\A[0-9]{6}\Z")
passwords = st.text(min_size=8, max_size=40)
roles = st.sampled_from(Role.values)


def _no_one_became_staff() -> None:
    assert not User.objects.filter(is_staff=True).exists()
    assert not User.objects.filter(is_superuser=True).exists()


def test_fuzz_sign_in(csrf_client, practitioner):
    statuses = fuzz_form(
        csrf_client,
        reverse("accounts:login"),
        {"username": st.one_of(emails, st.just(practitioner.email)), "password": passwords},
        watch=[User, UserSession],
        may_change={User: {"last_login"}},
        may_create={UserSession},
        extra_names=["next", "otp_token", "role"],
        invariant=_no_one_became_staff,
    )
    assert statuses[200] and statuses[403]


def test_fuzz_second_factor(csrf_client, lead):
    authenticator_for(lead)

    def half_signed_in() -> None:
        if "_auth_user_id" not in csrf_client.session:
            csrf_client.logout()
            Client.force_login(csrf_client, lead)  # the password step only

    statuses = fuzz_form(
        csrf_client,
        reverse("accounts:two_factor"),
        {"code": st.one_of(codes, st.from_regex(r"\A[a-z2-9]{10}\Z"))},
        watch=[User, UserSession, StaticToken],
        # Too many wrong codes end the half-signed-in session (a 302 to sign-in).
        may_delete={UserSession},
        prepare=half_signed_in,
        extra_names=["otp_device", "next"],
    )
    assert statuses[200] and statuses[403]


def test_fuzz_two_factor_setup(csrf_client, agency):
    person = UserFactory(agency=agency, role=Role.PRACTITIONER)

    def half_signed_in() -> None:
        if "_auth_user_id" not in csrf_client.session:
            Client.force_login(csrf_client, person)  # the password step only

    statuses = fuzz_form(
        csrf_client,
        reverse("accounts:two_factor_setup"),
        {"code": codes},
        watch=[User, TOTPDevice, StaticDevice, StaticToken],
        prepare=half_signed_in,
        extra_names=["key", "confirmed", "user"],
        success=(),
    )
    assert statuses[200] and statuses[403]


def test_fuzz_password_reset_request(csrf_client, practitioner):
    statuses = fuzz_form(
        csrf_client,
        reverse("accounts:password_reset"),
        {"email": st.one_of(emails, st.just(practitioner.email))},
        watch=[User],
        extra_names=["domain_override", "html_email_template_name"],
    )
    assert statuses[302] and statuses[403]


def test_fuzz_password_reset_confirm(csrf_client, practitioner):
    def fresh_link() -> None:
        if "_password_reset_token" in csrf_client.session:
            return  # the link opened before is still good (no password was chosen with it)
        practitioner.refresh_from_db()
        uid = urlsafe_base64_encode(force_bytes(practitioner.pk))
        token = default_token_generator.make_token(practitioner)
        csrf_client.get(reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}))

    uid = urlsafe_base64_encode(force_bytes(practitioner.pk))
    statuses = fuzz_form(
        csrf_client,
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": "set-password"}),
        {"new_password1": passwords, "new_password2": passwords},
        watch=[User],
        may_change={User: {"password"}},
        prepare=fresh_link,
        extra_names=["email", "is_active", "role"],
        invariant=_no_one_became_staff,
    )
    assert statuses[200] and statuses[403]


def test_fuzz_user_invite(csrf_client, admin, other_agency):
    csrf_client.force_login(admin)
    statuses = fuzz_form(
        csrf_client,
        reverse("accounts:user_create"),
        {
            "email": emails,
            "full_name": names,
            "job_title": names,
            "agency": st.sampled_from([admin.agency_id, other_agency.pk]).map(str),
            "role": roles,
            "partnership_wide": st.sampled_from(["on", ""]),
        },
        watch=[User, Agency],
        may_create={User},
        extra_names=["password", "is_active", "lock_version", "agency_id"],
        invariant=lambda: _created_users_are_plain(admin),
    )
    assert statuses[200] and statuses[302] and statuses[403]


def _created_users_are_plain(admin) -> None:
    _no_one_became_staff()
    for person in User.objects.exclude(pk__lte=admin.pk):
        assert person.agency_id == admin.agency_id
        assert not person.partnership_wide
        assert not person.has_usable_password()


def test_fuzz_user_edit(csrf_client, admin, practitioner, other_agency):
    csrf_client.force_login(admin)
    statuses = fuzz_form(
        csrf_client,
        reverse("accounts:user_edit", kwargs={"pk": practitioner.pk}),
        {
            "full_name": names,
            "job_title": names,
            "agency": st.sampled_from([admin.agency_id, other_agency.pk]).map(str),
            "role": roles,
            "lock_version": st.integers(min_value=0, max_value=3).map(str),
        },
        watch=[User, Agency],
        may_change={
            User: {"full_name", "job_title", "agency_id", "role", "partnership_wide", "lock_version"}
        },
        extra_names=["email", "password", "is_active", "agency_id", "date_joined"],
        invariant=_no_one_became_staff,
    )
    assert statuses[200] and statuses[302] and statuses[403]
    practitioner.refresh_from_db()
    assert practitioner.agency_id == admin.agency_id


@pytest.mark.parametrize("action", ["accounts:user_deactivate", "accounts:user_reactivate"])
def test_fuzz_user_activation(csrf_client, admin, practitioner, action):
    csrf_client.force_login(admin)
    statuses = fuzz_form(
        csrf_client,
        reverse(action, kwargs={"pk": practitioner.pk}),
        {},
        watch=[User],
        may_change={User: {"is_active"}},
        extra_names=["role", "email", "is_active"],
        csrf_page=reverse("accounts:user_list"),
    )
    assert statuses[302] and statuses[403]


def test_fuzz_session_end(csrf_client, practitioner):
    csrf_client.force_login(practitioner)

    def another_session() -> str:
        tracked = UserSession.objects.create(
            user=practitioner,
            session_key=f"fuzz{UserSession.objects.count()}{timezone.now().timestamp()}"[:40],
            signed_in_at=timezone.now(),
        )
        return reverse("accounts:session_end", kwargs={"pk": tracked.pk})

    statuses = fuzz_form(
        csrf_client,
        another_session,
        {},
        watch=[User],
        extra_names=["session_key", "user"],
        csrf_page=reverse("accounts:session_list"),
    )
    assert statuses[302] and statuses[403]


def test_fuzz_lockout_lift(csrf_client, admin, practitioner):
    csrf_client.force_login(admin)

    def a_lock() -> str:
        attempt, _ = AccessAttempt.objects.get_or_create(
            username=practitioner.email,
            ip_address="192.0.2.1",
            user_agent="",
            defaults={
                "failures_since_start": 10,
                "get_data": "",
                "post_data": "",
                "http_accept": "",
                "path_info": "/accounts/login/",
            },
        )
        return reverse("accounts:lockout_lift", kwargs={"pk": attempt.pk})

    statuses = fuzz_form(
        csrf_client,
        a_lock,
        {},
        watch=[User],
        extra_names=["username", "ip_address"],
        csrf_page=reverse("accounts:lockout_list"),
    )
    assert statuses[302] and statuses[403]


def test_fuzz_backup_codes(csrf_client, practitioner):
    csrf_client.force_login(practitioner)
    statuses = fuzz_form(
        csrf_client,
        reverse("accounts:backup_codes"),
        # New codes need the password again: the right one sometimes, else anything.
        {"password": st.one_of(st.just(PASSWORD), st.text(max_size=40))},
        watch=[User, StaticDevice],
        may_create={StaticDevice},
        extra_names=["token", "user"],
    )
    assert statuses[302] and statuses[403]


def test_fuzz_passkey_name(csrf_client, practitioner):
    """Naming a passkey writes nothing: it waits in the session until the browser makes the passkey."""
    from accounts.models import Passkey

    csrf_client.force_login(practitioner)
    statuses = fuzz_form(
        csrf_client,
        reverse("accounts:passkey_add"),
        {"name": names, "password": st.one_of(passwords, st.just(PASSWORD))},
        watch=[User, Passkey],
        extra_names=["user", "credential_id", "public_key", "confirmed"],
    )
    assert statuses[200] and statuses[302] and statuses[403]
