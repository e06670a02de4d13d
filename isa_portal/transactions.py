"""One transaction policy: a write opens its own transaction; a page that only reads opens none.

- **Services own their transactions.** Every function in ``<app>/services.py`` that writes
  wraps its rows and its audit event (``audit.services.record_event``) in one
  ``transaction.atomic()``: they commit together or not at all, whoever calls the service (a
  view, a management command, a seeder). A service that calls another nests inside it.
- **No request-wide transaction** (``ATOMIC_REQUESTS`` is off, and ``no_request_transaction``
  below keeps it so). Views parse, call one service, and redirect; the one view whose writes
  happen inside Django rather than a service, signing in (``accounts.views.SignInView``), opens
  the transaction around Django's call itself.
- **Pages that only read run in autocommit.** Under PostgreSQL's READ COMMITTED a transaction
  around a read adds BEGIN and COMMIT and no consistency. Their one write, the "viewed",
  "listed" or "exported" entry, is a single INSERT, atomic by itself, written after the page is
  rendered: a page that failed to render was not shown, and the audit chain's lock
  (audit/README.md) is held only for that INSERT. Streamed exports read their rows in a
  transaction of their own, after the view has returned (``decisions.exports.log_lines``).
"""

from django.conf import settings
from django.core import checks


@checks.register()
def no_request_transaction(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse ATOMIC_REQUESTS: it would make every request hold the audit chain's lock while it renders."""
    return [
        checks.Error(
            f"DATABASES[{alias!r}] turns ATOMIC_REQUESTS on.",
            hint="Writes open their own transaction in their service (isa_portal/transactions.py).",
            id="isa_portal.E001",
        )
        for alias, database in settings.DATABASES.items()
        if database.get("ATOMIC_REQUESTS")
    ]
