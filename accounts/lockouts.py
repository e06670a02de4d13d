"""Throttling and lockout by django-axes: what counts as the same account, and the lockout page.

Failures are counted per (email address, client address) pair; ten within an hour lock that
pair for an hour. Every failure from an address also counts against the address alone, with a
higher limit (``SIGN_IN_ADDRESS_FAILURE_LIMIT``), so one address cannot guess at many accounts.
The client address is ``audit.context.client_address`` (behind ``TRUSTED_PROXIES``, the
forwarded one). The answer is the same whether or not the email address belongs to anyone, so
the page cannot be used to find accounts.
"""

import unicodedata
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

PAIR = ["username", "ip_address"]


def normalise_username(raw: object) -> str:
    """An email address as accounts store it: ``Name@X ``, ``name@x`` and full-width look-alikes are one."""
    return unicodedata.normalize("NFKC", str(raw or "")).strip().lower()[:254]


def username_tried(request: HttpRequest, credentials: dict | None) -> str:
    """``AXES_USERNAME_CALLABLE``: the email address as the sign-in form reads it."""
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    return normalise_username(raw)


def lockout_parameters(request_or_attempt, credentials: dict | None = None) -> list:
    """``AXES_LOCKOUT_PARAMETERS``: always the (email, address) pair; the address alone once it has
    failed ``SIGN_IN_ADDRESS_FAILURE_LIMIT`` times within the cool-off period, whoever it tried."""
    address = getattr(request_or_attempt, "axes_ip_address", None) or getattr(
        request_or_attempt, "ip_address", None
    )
    if address and address_failures(address) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
        return [PAIR, "ip_address"]
    return [PAIR]


def address_failures(address: str) -> int:
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def locked_out_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    return render(
        request,
        "accounts/locked_out.html",
        {"cool_off_hours": settings.AXES_COOLOFF_TIME, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
