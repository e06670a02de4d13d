"""Writes about people: invitations, role changes, deactivation, sessions, second factors, lockouts.

Each function validates, saves inside one transaction (so the audit entries
written by django-auditlog and ``audit.services`` land with it or not at all)
and returns what it changed.
"""

import secrets
from binascii import unhexlify

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User, UserSession
from agreements.models import Agency
from audit.models import Event
from audit.services import record_event
from isa_portal.concurrency import claim_version

WIDE_ROLES = {Role.IG_OFFICER, Role.ADMIN}


def _check_assignment(*, agency: Agency | None, role: str, partnership_wide: bool, by: User) -> None:
    """The rules every user record keeps, and what an agency admin may not hand out."""
    if partnership_wide and role not in WIDE_ROLES:
        raise ValidationError(
            {"partnership_wide": "Only IG officers and administrators can work across the partnership"}
        )
    if agency is None and not partnership_wide:
        raise ValidationError({"agency": "Select the person's agency"})
    if not by.partnership_wide:
        if partnership_wide:
            raise ValidationError(
                {"partnership_wide": "Only a partnership administrator can give partnership-wide access"}
            )
        if agency is None or agency.pk != by.agency_id:
            raise ValidationError({"agency": "You can only add people to your own agency"})


def invitation_link(user: User, *, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return base_url.rstrip("/") + path


def user_invite(
    *,
    email: str,
    full_name: str,
    job_title: str,
    agency: Agency | None,
    role: str,
    partnership_wide: bool,
    base_url: str,
    by: User,
) -> User:
    """Create the account with no password, and email a link to choose one (the reset flow)."""
    email = email.strip().lower()
    _check_assignment(agency=agency, role=role, partnership_wide=partnership_wide, by=by)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone already has an account with this email address"})
    with transaction.atomic():
        user = User(
            email=email,
            full_name=full_name,
            job_title=job_title,
            agency=agency,
            role=role,
            partnership_wide=partnership_wide,
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        context = {
            "user": user,
            "invited_by": by,
            "link": invitation_link(user, base_url=base_url),
            "service_name": settings.SERVICE_NAME,
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        send_mail(
            subject=f"You have been invited to {settings.SERVICE_NAME}",
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    return user


EDITABLE_FIELDS = ("full_name", "job_title", "agency", "role", "partnership_wide")


def user_update(*, user: User, expected_version: int, by: User, **changes) -> User:
    """Change a person's details, role or agency; refuses an edit made on a stale copy."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"user_update cannot change {sorted(unknown)}")
    if user.pk == by.pk and changes.get("role", user.role) != user.role:
        raise ValidationError({"role": "You cannot change your own role; ask another administrator"})
    with transaction.atomic():
        claim_version(user, expected=expected_version)
        for name, value in changes.items():
            setattr(user, name, value)
        _check_assignment(agency=user.agency, role=user.role, partnership_wide=user.partnership_wide, by=by)
        user.full_clean(exclude=["password"])
        user.save()
    return user


def user_deactivate(*, user: User, by: User) -> User:
    """Turn an account off: it cannot sign in, and every session it has ends now."""
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account")
    with transaction.atomic():
        user.is_active = False
        user.save()
        sessions_end_all(user=user, by=by)
    return user


def user_reactivate(*, user: User, by: User) -> User:
    with transaction.atomic():
        user.is_active = True
        user.save()
    return user


def session_end(*, tracked: UserSession, by: User) -> None:
    """End one session on the server: its key stops working at once."""
    with transaction.atomic():
        SessionStore(session_key=tracked.session_key).delete()
        tracked.delete()


def sessions_end_all(*, user: User, by: User, keep: str | None = None) -> int:
    """End every session of ``user`` (but ``keep``, a session key). Returns how many ended."""
    ended = 0
    with transaction.atomic():
        for tracked in UserSession.objects.filter(user=user).exclude(session_key=keep or ""):
            session_end(tracked=tracked, by=by)
            ended += 1
    return ended


def totp_matches(key_hex: str, token: str) -> bool:
    """Whether ``token`` is the current code (give or take one step) for a key not yet saved."""
    # isdigit() alone lets through "²" and other digits int() cannot read.
    if len(token) != 6 or not token.isascii() or not token.isdigit():
        return False
    totp = TOTP(unhexlify(key_hex.encode()), step=30, t0=0, digits=6, drift=0)
    return totp.verify(int(token), tolerance=1)


def two_factor_enrol(*, user: User, key_hex: str, token: str, by: User) -> tuple[TOTPDevice, list[str]]:
    """Save the authenticator app the person has just proved they set up, and make backup codes.

    Refused when the person already has a confirmed app: a password alone must
    never be enough to add a second factor to someone's account.
    """
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError("You have already set up an authenticator app")
    if not totp_matches(key_hex, token):
        raise ValidationError({"code": "Enter the 6-digit code your authenticator app shows now"})
    with transaction.atomic():
        device = TOTPDevice(user=user, name="Authenticator app", key=key_hex, confirmed=True)
        device.save()
        codes = backup_codes_generate(user=user, by=by)
    return device, codes


def backup_codes_generate(*, user: User, by: User) -> list[str]:
    """Replace the person's backup codes with a new set; each works once. Returns them to show once."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name="Backup codes", defaults={"confirmed": True}
        )
        for old in device.token_set.all():
            old.delete()
        codes = [_backup_code() for _ in range(settings.OTP_BACKUP_CODES)]
        for code in codes:
            StaticToken(device=device, token=code).save()
    return codes


def _backup_code() -> str:
    # 10 characters from 31 letters and digits without look-alikes: about 50 bits each.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def lockout_lift(*, attempt: AccessAttempt, by: User) -> None:
    """Clear the failed attempts of one (username, address) pair, so its owner can sign in again."""
    with transaction.atomic():
        record_event(
            Event.LOCKOUT,
            model=User,
            label=f"lifted for {attempt.username}",
            detail={"lifted": True, "username": attempt.username, "ip_address": attempt.ip_address},
        )
        attempt.delete()
