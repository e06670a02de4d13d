"""The Django admin is for operations, not records (issue 14, item 1).

Off unless ``ADMIN_URL`` is set (``isa_portal.urls``); staff only, behind the same second factor
as the service (``OTPAdminSite``). It shows no child-level record, no audit entry, no
authenticator key and no backup code: people's accounts read-only, with one operation, resetting
a person's two-step sign-in when they have lost their phone. Every page a member of staff opens,
and every change they make, is written to the audit trail naming them (and the person whose
account it was).
"""

from functools import wraps

from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse
from django_otp.admin import OTPAdminSite

from audit.models import Event


class OperationsAdminSite(OTPAdminSite):
    site_header = "ISA Portal operations"
    site_title = "ISA Portal operations"
    index_title = "Operations"

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def audited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = inner(request, *args, **kwargs)
            if self.has_permission(request):
                record_admin_page(request, response, self)
            return response

        return audited


class OperationsAdminSiteWithoutOTP(OperationsAdminSite):
    """For the local demo only (``OTP_REQUIRED=false``, which start-up refuses without ``DEBUG``)."""

    def has_permission(self, request: HttpRequest) -> bool:
        return AdminSite.has_permission(self, request)


def record_admin_page(request: HttpRequest, response: HttpResponse, site: AdminSite) -> None:
    """One entry per admin page: who, which page, what it answered. About the person's account when
    the page is one (so their agency's IG officer sees it), else about the kind of record."""
    from django.contrib.auth import get_user_model

    from audit.services import record_event

    match = request.resolver_match
    kwargs = dict(match.kwargs) if match else {}
    model, obj = _subject(match, site)
    if model is get_user_model() and kwargs.get("object_id"):
        obj = model._default_manager.filter(pk=_int(kwargs["object_id"])).first()
    if model is None:
        model = get_user_model()
    record_event(
        Event.ADMIN_VIEWED,
        obj,
        model=model,
        label=f"{request.method} {request.path}",
        detail={
            "method": request.method,
            "path": request.path,
            "url_name": match.url_name if match else None,
            "object_id": kwargs.get("object_id"),
            "status": response.status_code,
        },
    )


def _subject(match, site: AdminSite):
    if match is None:
        return None, None
    for model in site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if (match.url_name or "").startswith(prefix):
            return model, None
    return None, None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
