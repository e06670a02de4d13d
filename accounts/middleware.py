"""Session limits and the second-factor gate, enforced on the server for every request."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device

from accounts.services import user_sign_out

LAST_SEEN_KEY = "last_seen"
SIGNED_IN_AT_KEY = "signed_in_at"
# Set by a single sign-on whose provider's MFA claim the operator said counts (accounts.oidc):
# the provider's slug, standing in for the product's own second step.
PROVIDER_MFA_KEY = "second_step_by_provider"


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
            # At the limit, not after it: the page's own countdown reaches 0 at the same moment and
            # sends the browser to the signed-out page, which must find the session ended.
            if now - signed_in_at >= settings.SESSION_ABSOLUTE_LIMIT:
                return self._signed_out(request, reason="absolute")
            if now - last_seen >= settings.SESSION_IDLE_TIMEOUT:
                return self._signed_out(request, reason="idle")
            # The time-out warning polls its status, and the signed-out page is where the countdown
            # lands: neither is activity. Writing the session at most every half minute spares a
            # write per request.
            if request.path not in self._not_activity() and (
                LAST_SEEN_KEY not in request.session or now - last_seen >= 30
            ):
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _not_activity() -> set[str]:
        return {reverse("accounts:session_status"), reverse("accounts:signed_out")}

    @staticmethod
    def _signed_out(request: HttpRequest, *, reason: str) -> HttpResponse:
        """End the session on the server, and say so on a page of its own (``accounts:signed_out``),
        from which signing in again returns to the page the person was on."""
        user_sign_out(request=request)
        if request.path == reverse("accounts:signed_out"):
            target = request.GET.get("next", "")
        elif request.method == "GET" and request.path not in SessionLimitsMiddleware._not_activity():
            target = request.get_full_path()
        else:
            target = ""
        query = {"reason": reason, **({"next": target} if target else {})}
        return redirect(f"{reverse('accounts:signed_out')}?{urlencode(query)}")


# What a user who has given their password but not yet their second factor may reach.
HALF_SIGNED_IN_VIEWS = frozenset(
    {
        "accounts:two_factor",
        "accounts:two_factor_setup",
        # A passkey is made (at set-up) or used (as the second step) before the step is complete.
        "accounts:passkey_add",
        "accounts:passkey_create",
        "accounts:passkey_register_begin",
        "accounts:passkey_register_complete",
        "accounts:passkey_verify_begin",
        "accounts:passkey_verify_complete",
        "accounts:logout",
        "accounts:signed_out",
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
    """Whether this session has passed the second factor (or the local demo turned it off, or a
    single sign-on provider trusted for it vouched for more than one factor).

    The session is held on the server and the device id is written into it only
    after a correct code (``django_otp.login``), so reading it costs no query. A
    device removed from a user ends that user's sessions with it.
    """
    return (
        not settings.OTP_REQUIRED
        or bool(request.session.get(DEVICE_ID_SESSION_KEY))
        or bool(request.session.get(PROVIDER_MFA_KEY))
    )


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
