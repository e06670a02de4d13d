import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

LAST_SEEN_KEY = "last_seen"


class IdleTimeoutMiddleware:
    """Sign a user out after SESSION_IDLE_TIMEOUT seconds without a request.

    The warning shown in the browser a couple of minutes before is a courtesy;
    this check on the server is what enforces the limit.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
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
