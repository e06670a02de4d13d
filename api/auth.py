"""How a case system is let in: its token (authentication), its scopes (permission), its rate.

A session never authenticates the API: a signed-in person's browser gets 401 here, so no page
can be made to call the API with someone's cookies (and no CSRF token is needed for a bearer
token, which a browser never sends by itself).
"""

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from accounts.permissions import Perm
from api.models import ApiClient, prefix_of


class AgencyReader:
    """What the product's scoped querysets (``visible_to``) see for an API client: a reader of
    child-level records of one agency, like a practitioner of it, who is nobody. It has no ``pk``
    (so no person's drafts match it), holds no role, and ``can`` nothing else: every service that
    needs a person (``by=``) refuses it."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None
    id = None
    partnership_wide = False
    role = ""

    def __init__(self, client: ApiClient):
        self.client = client
        self.agency_id = client.agency_id
        self.agency = client.agency

    def can(self, perm: Perm) -> bool:
        return perm == Perm.VIEW_CHILD_RECORDS

    def __str__(self) -> str:
        return self.client.audit_label


REFUSED = "The token is not valid, or has been revoked or has expired."


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer isa_<prefix>_<secret>``: found by its prefix, checked by its digest."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            raise AuthenticationFailed(REFUSED)
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(REFUSED) from None
        prefix = prefix_of(token)
        client = (
            ApiClient.objects.select_related("agency").filter(token_prefix=prefix).first() if prefix else None
        )
        if client is None or not client.matches(token):
            raise AuthenticationFailed(REFUSED)
        if not client.is_usable(timezone.now()) or not client.agency.is_active:
            _record_refused_client(request, client, status=401)
            raise AuthenticationFailed(REFUSED)
        return AgencyReader(client), client

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="isa-portal"'


def _record_refused_client(request, client: ApiClient, *, status: int, reason: str = "") -> None:
    """A revoked or expired client that still calls, or one asking beyond its scopes, is worth its
    agency's IG officer knowing."""
    from audit.context import audit_context, client_address
    from audit.models import Event
    from audit.services import record_event

    with audit_context(
        source="api", actor_label=client.audit_label, remote_addr=client_address(request._request)
    ):
        record_event(
            Event.DENIED,
            client,
            label=f"{request.method} {request.path}",
            detail={"status": status, "reason": reason or _why_refused(client)},
        )


def _why_refused(client: ApiClient) -> str:
    if client.revoked_at is not None:
        return "revoked"
    return (
        "expired"
        if client.expires_at is not None and client.expires_at <= timezone.now()
        else "agency inactive"
    )


def record_refused_scope(request, client: ApiClient) -> None:
    _record_refused_client(request, client, status=403, reason="scope not given")


class HasScope(BasePermission):
    """The view's ``required_scope`` must be one the client was given (else 403). A view without
    one (finding a child's id) is open to a client with any scope."""

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        return client.has_scope(view.required_scope) if view.required_scope else bool(client.scopes)


class ClientRateThrottle(SimpleRateThrottle):
    """``API_RATE_LIMIT`` requests per client, counted in the default cache: in each process with
    the local-memory cache, across processes with a shared one. (A call without a valid token is
    refused before it is counted.)"""

    scope = "api_client"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
