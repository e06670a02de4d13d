from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit.context import audit_context, client_address


class AuditContextMiddleware:
    """Every audit entry written while serving a request names its user and address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(source="web", request=request, remote_addr=client_address(request)):
            return self.get_response(request)
