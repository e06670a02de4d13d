"""Sign-in bookkeeping: the session's clocks, the list of a person's sessions, lockouts."""

import time

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from accounts.middleware import LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from accounts.models import UserSession
from audit.context import client_address
from audit.models import Event
from audit.services import record_event


@receiver(user_logged_in, dispatch_uid="accounts_session_started")
def _session_started(sender, request, user, **kwargs) -> None:
    now = int(time.time())
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "ip_address": client_address(request),
            "signed_in_at": timezone.now(),
        },
    )


@receiver(user_logged_out, dispatch_uid="accounts_session_ended")
def _session_ended(sender, request, user, **kwargs) -> None:
    key = request.session.session_key
    if key:
        for tracked in UserSession.objects.filter(session_key=key):
            tracked.delete()


@receiver(user_locked_out, dispatch_uid="accounts_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    record_event(
        Event.LOCKOUT,
        model=get_user_model(),
        label=username or "(no email given)",
        detail={"username": username, "ip_address": ip_address},
    )


def _device_removed(sender, instance, **kwargs) -> None:
    """A removed authenticator or set of backup codes must stop vouching for any open session."""
    from accounts.services import sessions_end_all

    sessions_end_all(user=instance.user, by=instance.user)


def _passkey_removed(sender, instance, **kwargs) -> None:
    """A removed passkey stops vouching for the sessions it verified: only those, as a person may
    remove one of several passkeys from a session they verified with another."""
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.services import session_end

    for tracked in UserSession.objects.filter(user_id=instance.user_id):
        verified_with = SessionStore(session_key=tracked.session_key).load().get(DEVICE_ID_SESSION_KEY)
        if verified_with == instance.persistent_id:
            session_end(tracked=tracked, by=instance.user)


def _connect_device_signals() -> None:
    from django.db.models.signals import post_delete
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Passkey

    for model in (TOTPDevice, StaticDevice):
        post_delete.connect(
            _device_removed, sender=model, dispatch_uid=f"accounts_device_removed_{model.__name__}"
        )
    post_delete.connect(_passkey_removed, sender=Passkey, dispatch_uid="accounts_passkey_removed")


_connect_device_signals()
