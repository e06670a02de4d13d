"""Least privilege: the application's role owns no table, cannot switch the triggers off, and may only
read and append to the audit trail. The suite connects as the owner (a superuser); each test here
acts as an application role granted exactly what migrate grants it (isa_portal/db_roles.py)."""

import os
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from audit.models import AuditEntry, Event
from audit.services import record_event
from isa_portal import db_roles
from tests.audit.factories import write_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def app_role(settings, practitioner):
    """A role like docker-compose's isa_app, made in the test's transaction (gone after it), granted by
    the post-migrate hook as a migrate run as the owner with DATABASE_APP_ROLE set would."""
    name = f"isa_test_app_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} NOLOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB")
    settings.DATABASE_APP_ROLE = name
    db_roles.grant_after_migrate(sender=None)
    write_entries(2, actor=practitioner)
    return name


@contextmanager
def acting_as(role: str):
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
        try:
            yield cursor
        finally:
            cursor.execute("RESET ROLE")


def refused(role: str, sql: str, params=()) -> str:
    """Run ``sql`` as the role; return PostgreSQL's refusal (fails the test if it was allowed). The
    savepoint's rollback also undoes the SET ROLE."""
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
        cursor.execute(sql, params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user = session_user")
        assert cursor.fetchone() == (True,)
    return str(raised.value)


def test_the_app_role_writes_the_chain_through_the_application(app_role, practitioner):
    before = AuditEntry.objects.order_by("-id").first()
    with transaction.atomic(), acting_as(app_role):
        entry = record_event(Event.VIEW, practitioner, actor=practitioner, label="seen as the app role")
        practitioner.first_name = "Changed by the app role"
        practitioner.save()
    assert AuditEntry.objects.get(pk=entry.pk).prev_hash == before.entry_hash


@pytest.mark.parametrize("table", db_roles.APPEND_ONLY)
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET id = id", "DELETE FROM {table}", "TRUNCATE {table}"],
)
def test_the_app_role_cannot_change_or_empty_the_append_only_tables(app_role, table, statement):
    message = refused(app_role, statement.format(table=table))
    assert f"permission denied for table {table}" in message


def test_the_app_role_cannot_switch_the_triggers_off(app_role):
    message = refused(app_role, "SET session_replication_role = replica")
    assert 'permission denied to set parameter "session_replication_role"' in message
    for table in ("audit_auditentry", "decisions_decisionreview", "consent_consentrecord"):
        message = refused(app_role, f"ALTER TABLE {table} DISABLE TRIGGER USER")
        assert f"must be owner of table {table}" in message


def test_the_app_role_owns_no_table_and_is_not_a_superuser(app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE tableowner = %s", [app_role]
        )
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = %s", [app_role])
        assert cursor.fetchone() == (False, False)
