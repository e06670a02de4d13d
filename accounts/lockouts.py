"""Throttling and lockout by django-axes: what counts as the same account, and the lockout page.

Failures are counted per (username, address) pair; ten within an hour lock that
pair for an hour (settings ``AXES_*``). The answer is the same whether or not
the email address belongs to anyone, so the page cannot be used to find accounts.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def username_tried(request: HttpRequest, credentials: dict | None) -> str:
    """The email address as the sign-in form reads it, so ``Name@X`` and ``name@x`` count together."""
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(raw).strip().lower()[:254]


def locked_out_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    return render(
        request,
        "accounts/locked_out.html",
        {"cool_off_hours": settings.AXES_COOLOFF_TIME, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
