"""Pages that only read run without the request transaction (``ATOMIC_REQUESTS``).

Under PostgreSQL's READ COMMITTED every statement takes its own snapshot, so a
transaction around a page that only reads makes it no more consistent; it only adds
BEGIN and COMMIT, two round trips on every request. The one write such a page makes,
its audit entry ("viewed", "listed"), is a single INSERT (``AuditEntry.save``) and so
atomic by itself. A page that changes anything keeps the request transaction.
"""

from collections.abc import Callable

from django.db import transaction
from django.http import HttpResponse


def reads_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a GET page whose only write is its own audit entry."""
    return transaction.non_atomic_requests(view)
