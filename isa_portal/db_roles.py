"""Least privilege in the database: the application connects as a role that owns nothing.

Two PostgreSQL roles (README "Database roles"):

- the **owner** (e.g. ``isa_owner``) owns every table and runs the migrations;
- the **application** (``DATABASE_APP_ROLE``, e.g. ``isa_app``) reads and writes records, and may
  only read and append to the append-only tables (:data:`APPEND_ONLY`).

Only a table's owner (or a superuser) may disable its triggers, and only a superuser may set
``session_replication_role``: so the application's credentials cannot switch off the triggers that
refuse to change the audit trail and sealed records, and cannot UPDATE or DELETE an audit entry or
a checkpoint at all (no privilege, before any trigger).

After every ``migrate`` run as the owner with ``DATABASE_APP_ROLE`` set, :func:`grant` gives the
application role exactly that on every table the migrations made (post_migrate, so a new table of
a later migration is covered the day it appears).
"""

from django.conf import settings
from django.db import connections

# Tables the application may read and append to, never change or empty.
APPEND_ONLY = ("audit_auditentry", "audit_auditcheckpoint")


def grant(role: str, using: str = "default") -> None:
    """Grant ``role`` what the application needs on the schema's tables, and no more."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema,) = cursor.fetchone()
        role_q, schema_q = quote(role), quote(schema)
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema_q} TO {role_q}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema_q} TO {role_q}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema_q} TO {role_q}")
        cursor.execute(
            f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema_q} FROM {role_q}"
        )
        existing = connection.introspection.table_names(cursor)
        for table in APPEND_ONLY:
            if table in existing:
                cursor.execute(f"REVOKE UPDATE, DELETE ON {quote(table)} FROM {role_q}")


def grant_after_migrate(sender, using: str = "default", **kwargs) -> None:
    role = getattr(settings, "DATABASE_APP_ROLE", "")
    if role:
        grant(role, using)
