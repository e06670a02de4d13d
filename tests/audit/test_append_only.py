"""The audit table refuses UPDATE, DELETE and TRUNCATE, even from the database superuser."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEntry, AuditTrailIsAppendOnly
from tests.audit.factories import write_entries

pytestmark = pytest.mark.django_db

REFUSED = [
    "UPDATE audit_auditentry SET object_repr = 'rewritten'",
    "DELETE FROM audit_auditentry",
    "TRUNCATE audit_auditentry",
    "TRUNCATE audit_auditentry CASCADE",
]


def _run(sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        # Settle the deferred foreign-key checks of the rows just written, or PostgreSQL
        # refuses a TRUNCATE for "pending trigger events" before our trigger is asked.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql)


def test_the_tests_connect_as_a_superuser_so_the_refusals_below_mean_something():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (True,)


@pytest.mark.parametrize("sql", REFUSED)
def test_the_database_refuses_to_rewrite_history(practitioner, sql):
    write_entries(3, actor=practitioner)
    before = list(AuditEntry.objects.order_by("id").values_list("id", "object_repr"))
    with pytest.raises(DatabaseError, match="append-only"):
        _run(sql)
    assert list(AuditEntry.objects.order_by("id").values_list("id", "object_repr")) == before


def test_the_model_refuses_to_save_an_entry_twice_or_delete_it(practitioner):
    [entry] = write_entries(1, actor=practitioner)
    entry.object_repr = "rewritten"
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.delete()


def test_deleting_a_user_with_a_trail_is_refused_rather_than_blanking_the_actor(practitioner):
    from django.db.models import ProtectedError

    write_entries(1, actor=practitioner)
    with pytest.raises(ProtectedError):
        practitioner.delete()


def _audit_triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditentry'::regclass AND NOT tgisinternal"
        )
        return {name for (name,) in cursor.fetchall()}


def test_the_migration_installs_the_triggers_and_its_reverse_drops_them():
    from django.db.migrations.executor import MigrationExecutor

    installed = {"audit_auditentry_refuse_update_delete", "audit_auditentry_refuse_truncate"}
    assert _audit_triggers() == installed
    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0002_hash_chain_and_viewer_indexes")])
    assert _audit_triggers() == set()
    executor.loader.build_graph()
    executor.migrate([("audit", "0003_append_only_triggers")])
    assert _audit_triggers() == installed
