"""Backups restore: scripts/backup-restore-check dumps the test database (pg_dump, custom format),
restores it into a fresh database and runs verify_audit there (README "Backups and restore")."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from tests.audit.factories import write_entries

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "backup-restore-check"

# The data must be committed for pg_dump to see it.
pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{settings['USER']}{password}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


def check(*arguments: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "tests.settings"}
    environment.pop("AUDIT_CHECKPOINT_DIR", None)
    return subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, str(SCRIPT), *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_backup_restores_into_a_fresh_database_and_its_audit_trail_verifies(practitioner):
    entries = write_entries(3, actor=practitioner)
    result = check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pg_dump --format=custom" in result.stdout
    assert "pg_restore --no-owner --no-acl" in result.stdout
    assert "The audit trail is intact" in result.stdout
    assert "the backup restores and its audit trail verifies" in result.stdout
    # verify_audit checked the copy still holds the newest entry the live trail had.
    assert entries[-1].entry_hash and "known head" not in result.stdout
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s",
            [connection.settings_dict["NAME"] + "_restore_check"],
        )
        assert cursor.fetchone() == (0,), "the fresh database is dropped after the check"


def test_a_restored_copy_whose_trail_was_altered_fails_the_check(practitioner):
    entries = write_entries(3, actor=practitioner)
    with connection.cursor() as cursor:
        # As someone with the superuser's credentials might: past the trigger that refuses it.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE audit_auditentry SET object_repr = 'rewritten' WHERE id = %s", [entries[1].pk])
        cursor.execute("SET session_replication_role = DEFAULT")
    result = check()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "entry edited" in (result.stdout + result.stderr).lower()
    assert "did not verify" in result.stdout


def test_the_restore_gives_the_application_role_its_rights_and_owns_it_as_the_restoring_role(practitioner):
    """--no-owner --no-acl, then migrate with DATABASE_APP_ROLE: the copy's grants are remade for the
    roles of the server it is restored to (isa_portal/db_roles.py)."""
    write_entries(1, actor=practitioner)
    role = f"isa_restore_app_{os.getpid()}"
    copy = connection.settings_dict["NAME"] + "_restore_check"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER")
    try:
        result = check("--app-role", role, "--keep")
        assert result.returncode == 0, result.stdout + result.stderr
        url = database_url().rsplit("/", 1)[0] + "/" + copy
        restored = psycopg2.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            cursor = restored.cursor()
            cursor.execute(
                "SELECT has_table_privilege(%(r)s, 'audit_auditentry', 'SELECT'),"
                " has_table_privilege(%(r)s, 'audit_auditentry', 'INSERT'),"
                " has_table_privilege(%(r)s, 'audit_auditentry', 'UPDATE'),"
                " has_table_privilege(%(r)s, 'decisions_decision', 'UPDATE'),"
                " (SELECT tableowner FROM pg_tables WHERE tablename = 'audit_auditentry')",
                {"r": role},
            )
            privileges = cursor.fetchone()
        finally:
            restored.close()
        assert privileges == (True, True, False, True, connection.settings_dict["USER"])
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
            cursor.execute(f"DROP ROLE IF EXISTS {role}")
