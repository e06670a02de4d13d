"""Who is acting, from where: set once per request or command, read by every audit entry.

``AuditEntry.save`` fills its actor, agency, address and source from the
current context, so no write can forget them. Contexts nest: an inner one
(for example a command acting as a named user) wins until it ends.
"""

import functools
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
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
    """The client's address: the one function every audit entry, session record and lockout uses.

    ``REMOTE_ADDR`` unless it is one of ``settings.TRUSTED_PROXIES``. Behind a trusted proxy the
    client is the right-most ``X-Forwarded-For`` entry that is not itself a trusted proxy: each
    proxy appends the address it was called from, so entries to the left of that one were written
    by the client and prove nothing. ``TRUSTED_PROXIES`` may instead be a count (``["2"]``): the
    number of proxies in front of the service, each appending one entry.
    """
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXIES
    if remote is None or not proxies:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(proxies) == 1 and str(proxies[0]).isdigit():
        count = int(proxies[0])
        if count == 0 or not forwarded:
            return remote
        return _address(forwarded[-min(count, len(forwarded))]) or remote
    networks = _networks(tuple(proxies))
    if not _is_proxy(remote, networks):
        return remote
    client = remote
    for entry in reversed(forwarded):
        address = _address(entry)
        if address is None:
            break  # a malformed entry: nothing to its left can be trusted either
        client = address
        if not _is_proxy(address, networks):
            break
    return client


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_proxy(address: str, networks: tuple) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in networks)
