"""Make the audit table append-only in PostgreSQL itself, and serialise the hash chain.

Triggers refuse UPDATE, DELETE and TRUNCATE on ``audit_auditentry`` for every
role, the superuser included, so history cannot be rewritten through the
application's connection. There is no switch in the trigger to turn it off: the
test suite's flush (which TRUNCATEs every table) runs with
``session_replication_role = replica``, a setting only a superuser may change
(see tests/conftest.py). Run the application as a role that does not own the
table, and a superuser is needed even to drop the triggers.

django-auditlog's own ``auditlog_logentry`` table is not created in this project:
settings set ``MIGRATION_MODULES = {"auditlog": None}`` and swap in our model
(``AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"``), so ours is the only audit table.

``audit_chain_next_id()`` takes the same lock and then draws the entry's id, so ids
follow the chain's order: drawn before the lock (as a column default would be), a writer
could hold an id lower than the head it links to, and the chain, walked by id, would fork.

``audit_chain_head()`` takes a transaction-level advisory lock and then reads the
head of the hash chain (the genesis hash for an empty trail). Being VOLATILE, its
SELECT runs with a fresh snapshot taken after the lock is granted, so it sees the
entry the previous lock holder committed, even when called inside the INSERT that
writes the next entry (see audit/chain.py, whose ADVISORY_LOCK_KEY is this number). Only PostgreSQL gets these; SQLite is for local runs.
"""

from django.db import migrations

INSTALL = """
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % on % refused.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_auditentry_refuse_update_delete
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_auditentry_refuse_truncate
    BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

CREATE FUNCTION audit_chain_next_id() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(5805575447);
    RETURN nextval(pg_get_serial_sequence('audit_auditentry', 'id'));
END
$$;

CREATE FUNCTION audit_chain_head() RETURNS varchar LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(5805575447);
    RETURN COALESCE(
        (SELECT entry_hash FROM audit_auditentry ORDER BY id DESC LIMIT 1),
        '0000000000000000000000000000000000000000000000000000000000000000'
    );
END
$$;
"""

REMOVE = """
DROP FUNCTION IF EXISTS audit_chain_head();
DROP FUNCTION IF EXISTS audit_chain_next_id();
DROP TRIGGER IF EXISTS audit_auditentry_refuse_truncate ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_auditentry_refuse_update_delete ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_hash_chain_and_viewer_indexes")]

    operations = [migrations.RunPython(install, remove)]
