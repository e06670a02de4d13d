"""Writes about people: invitations, role changes, deactivation, sessions, second factors, lockouts.

Each function validates, saves inside one transaction with its named audit event
(``audit.services.record_event``; django-auditlog adds the field changes), so they land
together or not at all, and returns what it changed.
"""

import base64
import hashlib
import hmac
import secrets
from binascii import unhexlify

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import grants
from accounts.lockouts import normalise_username
from accounts.models import Passkey, Role, User, UserSession
from agreements.models import Agency
from audit.models import Event
from audit.services import changed_fields, record_event
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
    needs_approval = grants.needs_approval(role, partnership_wide)
    with transaction.atomic():
        user = User(
            email=email,
            full_name=full_name,
            job_title=job_title,
            agency=agency,
            role=role,
            partnership_wide=partnership_wide,
            # A role that reads children's records waits for a second person (accounts.grants).
            role_approved=not needs_approval,
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        if needs_approval:
            grants.access_request(
                user=user, role=role, agency=agency, partnership_wide=partnership_wide, by=by
            )
        else:
            record_event(
                Event.ACCESS_GRANTED,
                user,
                actor=by,
                detail={"role": role, "agency": user.agency_id, "partnership_wide": partnership_wide},
            )
        context = {
            "user": user,
            "invited_by": by,
            "link": invitation_link(user, base_url=base_url),
            "sign_in_url": base_url.rstrip("/") + reverse("accounts:login"),
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
ACCESS_FIELDS = ("agency", "role", "partnership_wide")


def user_update(*, user: User, expected_version: int, by: User, **changes) -> User:
    """Change a person's details, role or agency; refuses an edit made on a stale copy."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"user_update cannot change {sorted(unknown)}")
    if user.pk == by.pk and changes.get("role", user.role) != user.role:
        raise ValidationError({"role": "You cannot change your own role; ask another administrator"})
    with transaction.atomic():
        before = claim_version(user, expected=expected_version)
        for name, value in changes.items():
            setattr(user, name, value)
        _check_assignment(agency=user.agency, role=user.role, partnership_wide=user.partnership_wide, by=by)
        user.full_clean(exclude=["password"])
        asked = {name: getattr(user, name) for name in ACCESS_FIELDS}
        if grants.needs_approval(user.role, user.partnership_wide) and any(
            before.serializable_value(name) != user.serializable_value(name) for name in ACCESS_FIELDS
        ):
            # Access to children's records waits for a second person: the rest is saved now.
            for name in ACCESS_FIELDS:
                setattr(user, name, getattr(before, name))
            requested = grants.access_request(user=user, by=by, **asked)
        else:
            requested = None
        user.save()
        changed = changed_fields(before, user)
        if requested is not None and not changed:
            return user  # the request is the whole change, and is its own event
        # What someone may see and do is the change that matters: it has an event of its own.
        access = {
            name: [before.serializable_value(name), user.serializable_value(name)]
            for name in ACCESS_FIELDS
            if name in changed
        }
        record_event(
            Event.ROLE_CHANGED if access else Event.USER_CHANGED,
            user,
            actor=by,
            detail={"fields": changed, **access},
        )
    return user


def user_deactivate(*, user: User, by: User) -> User:
    """Turn an account off: it cannot sign in, and every session it has ends now."""
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account")
    with transaction.atomic():
        user.is_active = False
        user.save()
        ended = sessions_end_all(user=user, by=by)
        record_event(Event.ACCESS_REVOKED, user, actor=by, detail={"sessions_ended": ended})
    return user


def user_reactivate(*, user: User, by: User) -> User:
    with transaction.atomic():
        user.is_active = True
        user.save()
        record_event(Event.ACCESS_RESTORED, user, actor=by)
    return user


def user_password_reset(*, user: User, password: str) -> User:
    """A new password chosen from an emailed link: saved, audited, and every session ended."""
    with transaction.atomic():
        user.set_password(password)
        user.save()
        ended = sessions_end_all(user=user, by=user)
        record_event(Event.PASSWORD_RESET, user, actor=user, detail={"sessions_ended": ended})
        # Whoever locked the account by guessing, its owner has just proved who they are.
        for attempt in AccessAttempt.objects.filter(username=normalise_username(user.email)):
            lockout_lift(attempt=attempt, by=user)
    return user


def user_sign_out(*, request: HttpRequest) -> None:
    """Sign out: the session's record goes, and the sign-out is audited, in one transaction."""
    with transaction.atomic():
        logout(request)


def session_end(*, tracked: UserSession, by: User) -> None:
    """End one session on the server: its key stops working at once."""
    with transaction.atomic():
        SessionStore(session_key=tracked.session_key).delete()
        signed_in_at = tracked.signed_in_at
        tracked.delete()
        record_event(
            Event.SESSION_ENDED,
            tracked.user,
            actor=by,
            detail={"signed_in_at": signed_in_at.isoformat(), "by_its_owner": by.pk == tracked.user_id},
        )


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

    The code that proves it is their second factor: this completes their sign-in too. Refused
    when the person already has a confirmed app: a password alone must never be enough to add
    a second factor to someone's account.
    """
    with transaction.atomic():
        device = _app_confirm(user=user, key_hex=key_hex, token=token, by=by)
        codes = backup_codes_generate(user=user, by=by)
        record_event(Event.SIGN_IN, user, actor=user, detail={"second_factor": "set up"})
    return device, codes


def two_factor_app_add(*, user: User, key_hex: str, token: str, password: str | None, by: User) -> TOTPDevice:
    """An authenticator app added from the security page, by someone past the second step whose
    first one was a passkey. Asks for the password again as adding a passkey does (``password``
    None: single sign-on only, the caller has checked their recent sign-in instead). One app per
    person: a second is refused rather than replacing the first, so that a session left open
    cannot quietly take the app over; to move to a new phone they remove the old app first.
    Their backup codes stay as they are."""
    if password is not None and not user.check_password(password):
        with transaction.atomic():
            record_event(
                Event.SIGN_IN_FAILED, user, actor=user, detail={"authenticator_app": "wrong password"}
            )
        raise ValidationError({"password": "Enter the password you sign in with"})
    with transaction.atomic():
        # Two set-ups sent at once must not both find no app.
        User.objects.select_for_update().filter(pk=user.pk).first()
        return _app_confirm(user=user, key_hex=key_hex, token=token, by=by)


def _app_confirm(*, user: User, key_hex: str, token: str, by: User) -> TOTPDevice:
    """Save the person's authenticator app once ``token`` shows it holds ``key_hex``, audited. Call
    inside the caller's transaction."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError("You have already set up an authenticator app")
    if not totp_matches(key_hex, token):
        raise ValidationError({"code": "Enter the 6-digit code your authenticator app shows now"})
    device = TOTPDevice(user=user, name="Authenticator app", key=key_hex, confirmed=True)
    device.save()
    record_event(Event.TWO_FACTOR_SET_UP, user, actor=by, detail={"device": device.name})
    return device


def two_factor_reset(*, user: User, by: User) -> int:
    """Remove a person's authenticator app, passkeys and backup codes (they lost their phone): every session
    of theirs ends, and their next sign-in sets up a new app. Returns how many devices went."""
    if user.pk == by.pk:
        raise ValidationError("You cannot reset your own two-step sign-in; ask another member of staff")
    removed = 0
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice, Passkey):
            for device in model.objects.filter(user=user):
                device.delete()  # ends their sessions (accounts.signals)
                removed += 1
        sessions_end_all(user=user, by=by)
        record_event(Event.TWO_FACTOR_RESET, user, actor=by, detail={"devices_removed": removed})
    return removed


def second_factor_check(*, user: User, code: str, failures: int) -> Device | None:
    """The device ``code`` came from (a backup code is used up), or None; either way audited.

    ``failures`` is how many wrong codes this session will have given if this one is wrong too.
    Using up a code (or counting a wrong one against the device) and its audit entry are one
    transaction.
    """
    with transaction.atomic():
        device = _device_matching(user, code)
        if device is not None:
            record_event(Event.SIGN_IN, user, actor=user, detail={"second_factor": device.name})
        else:
            record_event(
                Event.SIGN_IN_FAILED,
                user,
                actor=user,
                detail={"second_factor": "wrong code", "failures": failures},
            )
    return device


def _device_matching(user: User, code: str) -> Device | None:
    """A 6-digit code is asked of the authenticator app only; anything else of the backup codes only,
    so a wrong guess of one kind never slows down (throttles) the other."""
    if len(code) == 6 and code.isascii() and code.isdigit():
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(code):  # throttled, and a code used once is refused again
                return device
        return None
    return _backup_code_use(user, code)


def _backup_code_use(user: User, code: str) -> StaticDevice | None:
    device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None or not device.verify_is_allowed()[0]:
        return None
    for token in device.token_set.all():
        if backup_code_matches(token.token, code):
            token.delete()
            device.throttle_reset(commit=False)
            device.set_last_used_timestamp(commit=False)
            device.save()
            return device
    device.throttle_increment()
    return None


# Backup codes are stored hashed, each with its own random 32-bit salt (ASVS 2.6.2): PBKDF2-SHA256,
# 4 bytes of salt and 8 of digest in django-otp's 16-character token column. A database reader
# cannot use them; checking one costs ten hashes at most (the codes a person has left).
BACKUP_CODE_ITERATIONS = 20_000


def backup_code_hash(code: str, *, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(4)
    digest = hashlib.pbkdf2_hmac("sha256", code.encode(), salt, BACKUP_CODE_ITERATIONS, dklen=8)
    return base64.urlsafe_b64encode(salt + digest).decode()


def backup_code_matches(stored: str, code: str) -> bool:
    try:
        salt = base64.urlsafe_b64decode(stored.encode())[:4]
    except (ValueError, TypeError):
        return False
    return len(salt) == 4 and hmac.compare_digest(stored, backup_code_hash(code, salt=salt))


def backup_codes_generate(*, user: User, by: User) -> list[str]:
    """Replace the person's backup codes with a new set; each works once. Returns them to show once:
    only their hashes are kept."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name="Backup codes", defaults={"confirmed": True}
        )
        for old in device.token_set.all():
            old.delete()
        codes = [_backup_code() for _ in range(settings.OTP_BACKUP_CODES)]
        for code in codes:
            StaticToken(device=device, token=backup_code_hash(code)).save()
        record_event(Event.BACKUP_CODES_ISSUED, user, actor=by, detail={"codes": len(codes)})
    return codes


def backup_codes_regenerate(*, user: User, password: str | None, by: User) -> list[str]:
    """A new set of backup codes, for someone who gives their password again: a session left open
    on a shared computer must not be enough to take over the account's second factor. ``password``
    None: the person has none to give (single sign-on only) and the caller has checked their recent
    sign-in instead (``accounts.reauthentication``)."""
    if password is not None and not user.check_password(password):
        with transaction.atomic():
            record_event(
                Event.SIGN_IN_FAILED, user, actor=user, detail={"backup_codes": "wrong password"}
            )
        raise ValidationError({"password": "Enter the password you sign in with"})
    return backup_codes_generate(user=user, by=by)


def _backup_code() -> str:
    # 10 characters from 31 letters and digits without look-alikes: about 50 bits each.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def session_cycle_key(*, request: HttpRequest) -> None:
    """A new session key once the second factor is given: a key seen before it (a shared computer,
    a log) is worth nothing after. The person's list of sessions follows the new key."""
    old = request.session.session_key
    with transaction.atomic():
        request.session.cycle_key()
        for tracked in UserSession.objects.filter(session_key=old or ""):
            tracked.session_key = request.session.session_key
            tracked.save()


def lockout_lift(*, attempt: AccessAttempt, by: User) -> None:
    """Clear the failed attempts of one (username, address) pair, so its owner can sign in again."""
    with transaction.atomic():
        record_event(
            Event.LOCKOUT,
            model=User,
            actor=by,
            label=f"lifted for {attempt.username}",
            detail={"lifted": True, "username": attempt.username, "ip_address": attempt.ip_address},
        )
        attempt.delete()
