from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from audit.context import audit_context, client_address


class AuditContextMiddleware:
    """Every audit entry written while serving a request names its user and address.

    It also records every refusal a view raises (403, and 404 for a record outside the user's
    scope), here rather than in the error pages: with ``DEBUG`` on Django shows its own 404 page
    and never calls ours, and a refusal must be in the trail in debug and production alike.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(source="web", request=request, remote_addr=client_address(request)):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        from audit.services import record_denied

        if isinstance(exception, Http404):
            record_denied(request, status=404)
        elif isinstance(exception, PermissionDenied):
            record_denied(request, status=403)
