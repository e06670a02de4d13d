"""Session limits and the second-factor gate, enforced on the server for every request."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device

from accounts.services import user_sign_out

LAST_SEEN_KEY = "last_seen"
SIGNED_IN_AT_KEY = "signed_in_at"


class SessionLimitsMiddleware:
    """Sign a user out after SESSION_IDLE_TIMEOUT seconds without a request, and
    SESSION_ABSOLUTE_LIMIT seconds after they signed in, however busy they are.

    The warning shown in the browser a couple of minutes before the idle limit is
    a courtesy; this check on the server is what enforces both limits.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            # A session without a sign-in time was not started by our sign-in: treat it as expired.
            signed_in_at = request.session.get(SIGNED_IN_AT_KEY, 0)
            if now - signed_in_at > settings.SESSION_ABSOLUTE_LIMIT:
                user_sign_out(request=request)
                messages.info(
                    request,
                    f"You were signed out because you signed in more than "
                    f"{settings.SESSION_ABSOLUTE_LIMIT // 3600} hours ago. Sign in again to carry on.",
                )
                return redirect(f"{reverse('accounts:login')}?timed_out=1")
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                user_sign_out(request=request)
                messages.info(
                    request,
                    "You were signed out because you had not done anything for "
                    f"{settings.SESSION_IDLE_TIMEOUT // 60} minutes. Sign in again to carry on.",
                )
                return redirect(f"{reverse('accounts:login')}?timed_out=1")
            # The time-out warning polls its status: that must not count as activity.
            # Writing the session at most every half minute spares a write per request.
            if request.path != reverse("accounts:session_status") and (
                LAST_SEEN_KEY not in request.session or now - last_seen >= 30
            ):
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


# What a user who has given their password but not yet their second factor may reach.
HALF_SIGNED_IN_VIEWS = frozenset(
    {
        "accounts:two_factor",
        "accounts:two_factor_setup",
        "accounts:logout",
        "accounts:session_status",
        "accounts:session_extend",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "healthz",
    }
)


def is_verified(request: HttpRequest) -> bool:
    """Whether this session has passed the second factor (or the local demo turned it off).

    The session is held on the server and the device id is written into it only
    after a correct code (``django_otp.login``), so reading it costs no query. A
    device removed from a user ends that user's sessions with it.
    """
    return not settings.OTP_REQUIRED or bool(request.session.get(DEVICE_ID_SESSION_KEY))


class SecondFactorMiddleware:
    """Every role needs a second factor: until it is given, every page leads to it.

    Also gives ``request.user.is_verified()``, which the Django admin
    (``django_otp.admin.OTPAdminSite``) asks before letting staff in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            verified = is_verified(request)
            user.is_verified = lambda: verified
            if not verified and _view_name(request) not in HALF_SIGNED_IN_VIEWS:
                step = "accounts:two_factor" if user_has_device(user) else "accounts:two_factor_setup"
                query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                return redirect(reverse(step) + (f"?{query}" if query else ""))
        return self.get_response(request)


def _view_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None
