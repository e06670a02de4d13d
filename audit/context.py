"""Who is acting, from where: set once per request or command, read by every audit entry.

``AuditEntry.save`` fills its actor, agency, address and source from the
current context, so no write can forget them. Contexts nest: an inner one
(for example a command acting as a named user) wins until it ends.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class AuditContext:
    source: str
    request: HttpRequest | None = None
    actor: Any = None
    actor_label: str = ""
    remote_addr: str | None = None

    def current_actor(self):
        if self.actor is not None:
            return self.actor
        user = getattr(self.request, "user", None) if self.request is not None else None
        if user is not None and user.is_authenticated:
            return user
        return None


_current: ContextVar[AuditContext | None] = ContextVar("isa_audit_context", default=None)


def current() -> AuditContext | None:
    return _current.get()


@contextmanager
def audit_context(
    *,
    source: str,
    request: HttpRequest | None = None,
    actor: Any = None,
    actor_label: str = "",
    remote_addr: str | None = None,
) -> Iterator[AuditContext]:
    context = AuditContext(
        source=source,
        request=request,
        actor=actor,
        actor_label=actor_label,
        remote_addr=remote_addr,
    )
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def client_address(request: HttpRequest) -> str | None:
    """The client's address. REMOTE_ADDR only: X-Forwarded-For is trusted by the proxy, not us."""
    return request.META.get("REMOTE_ADDR") or None
