"""Passkeys (django-otp-webauthn): a second step of signing in beside the authenticator app.

A passkey signs a challenge bound to the service's domain (the relying party ID) and to the origin
the browser is on, so unlike a code it cannot be typed into a look-alike site: phishing-resistant.
The WebAuthn ceremonies run in the library's views (``accounts.passkey_views`` subclasses them);
the writes they lead to are here, each in one transaction with its audit entry, as in
``accounts.services``.
"""

from logging import getLogger

from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.exceptions import CredentialDisabled, OTPWebAuthnApiError
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.utils import rewrite_exceptions

from accounts.models import Passkey, User
from accounts.services import backup_codes_generate
from audit.models import Event
from audit.services import record_event

_log = getLogger("accounts.passkeys")


class PasskeyHelper(WebAuthnHelper):
    """The library's helper (``OTP_WEBAUTHN_HELPER_CLASS``), saving each passkey with the name its
    owner gave it."""

    passkey_name = ""

    def create_credential(self, user, response, parsed_credential, original_data):
        passkey = super().create_credential(user, response, parsed_credential, original_data)
        passkey.name = self.passkey_name
        return passkey


def passkey_name_check(*, user: User, name: str, password: str | None) -> str:
    """The name for a passkey about to be made. Adding one to a signed-in session asks for the
    password again: a session left open on a shared computer must not be enough to add a way in."""
    if password is not None and not user.check_password(password):
        with transaction.atomic():
            record_event(Event.SIGN_IN_FAILED, user, actor=user, detail={"passkey": "wrong password"})
        raise ValidationError({"password": "Enter the password you sign in with"})
    if Passkey.objects.filter(user=user, name__iexact=name).exists():
        raise ValidationError({"name": "You already have a passkey with this name"})
    return name


def passkey_register(
    *, helper: PasskeyHelper, user: User, state: dict, data: dict, name: str, first: bool
) -> tuple[Passkey, list[str] | None]:
    """Save the passkey the person's browser has just made, if it answers the challenge it was given.

    ``first``: this is the person's first second step, made at their first sign-in. It then comes
    with backup codes (returned, to show once) and completes their sign-in, as an authenticator
    app set up there does (``services.two_factor_enrol``). A refusal raises the library's
    ``OTPWebAuthnApiError`` and is audited.
    """
    try:
        with transaction.atomic():
            helper.passkey_name = name
            with rewrite_exceptions(logger=_log):
                passkey = helper.register_complete(user=user, state=state, data=data)
            record_event(
                Event.PASSKEY_ADDED, user, actor=user, detail={"passkey": passkey.name, "first": first}
            )
            codes = None
            if first:
                codes = backup_codes_generate(user=user, by=user)
                record_event(Event.SIGN_IN, user, actor=user, detail={"second_factor": "set up"})
    except OTPWebAuthnApiError as error:
        with transaction.atomic():
            record_event(
                Event.SIGN_IN_FAILED, user, actor=user, detail={"passkey": "not added", "reason": error.code}
            )
        raise
    return passkey, codes


def passkey_check(*, helper: PasskeyHelper, user: User, state: dict, data: dict, failures: int) -> Passkey:
    """The person's own passkey that signed this challenge (its counter moved on), or the library's
    ``OTPWebAuthnApiError``: either way audited. Another person's passkey is refused
    (``credential_user_mismatch``), however valid its signature.

    ``failures`` is how many failed second steps this session will have had if this one fails too.
    """
    try:
        with transaction.atomic():
            with rewrite_exceptions(logger=_log):
                passkey = helper.authenticate_complete(user=user, state=state, data=data)
            if not passkey.confirmed:
                raise CredentialDisabled()
            record_event(
                Event.SIGN_IN, user, actor=user, detail={"second_factor": "passkey", "passkey": passkey.name}
            )
    except OTPWebAuthnApiError as error:
        with transaction.atomic():
            record_event(
                Event.SIGN_IN_FAILED,
                user,
                actor=user,
                detail={"second_factor": "passkey", "reason": error.code, "failures": failures},
            )
        raise
    return passkey


def passkey_remove(*, passkey: Passkey, by: User) -> None:
    """Remove a passkey: the sessions it verified end (``accounts.signals``). Refused when it is the
    person's last way to give the second step (backup codes are a fallback, not a way of their own)."""
    user = passkey.user
    with transaction.atomic():
        if not _another_second_step(user, besides=passkey):
            raise ValidationError("You cannot remove your only passkey. Add another passkey first.")
        name = passkey.name
        passkey.delete()
        record_event(Event.PASSKEY_REMOVED, user, actor=by, detail={"passkey": name})


def app_remove(*, device: TOTPDevice, by: User) -> None:
    """Remove the person's authenticator app, under the same rule as a passkey: never their last way
    to give the second step. Every session of theirs ends (``accounts.signals``)."""
    user = device.user
    with transaction.atomic():
        if not _another_second_step(user, besides=device):
            raise ValidationError(
                "You cannot remove your authenticator app: it is your only second step. Add a passkey first."
            )
        name = device.name
        device.delete()
        record_event(Event.TWO_FACTOR_REMOVED, user, actor=by, detail={"device": name})


def _another_second_step(user: User, *, besides: Passkey | TOTPDevice) -> bool:
    """Whether the person has a way to give the second step besides ``besides``, which is about to
    go (backup codes are a fallback, not a way of their own). Call inside the removal's transaction:
    it locks the person, so two removals at once cannot each count on the other."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    passkeys = Passkey.objects.filter(user=user, confirmed=True)
    apps = TOTPDevice.objects.filter(user=user, confirmed=True)
    if isinstance(besides, Passkey):
        passkeys = passkeys.exclude(pk=besides.pk)
    else:
        apps = apps.exclude(pk=besides.pk)
    return passkeys.exists() or apps.exists()
