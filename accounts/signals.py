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
