"""Persona fixtures: one agency ("home") with a user per role, and an outsider from another.

``client`` is a ``tests.auth.VerifiedClient``: ``client.force_login(user)`` signs in
with both factors, as every role must. ``csrf_client`` does the same and checks
CSRF tokens like a browser would. A test of the second-factor gate itself uses
``django.test.Client`` (force_login stops at the password).
"""

import pytest
from django.db.backends.postgresql.operations import DatabaseOperations

from accounts.models import Role
from agreements.models import AgencyKind
from tests.auth import VerifiedClient
from tests.factories import AgencyFactory, UserFactory


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_triggers():
    """Let the test flush empty the append-only audit table between transactional tests.

    pytest-django empties the database after each ``transaction=True`` test (browser
    tests, concurrency tests) with one TRUNCATE of every table, which the audit table's
    trigger refuses (audit/migrations/0003). The flush runs in its own transaction; we
    prefix it with ``SET LOCAL session_replication_role = replica``, under which
    ordinary triggers do not fire. Only a superuser may change that setting, and the
    tests connect as one; the application's own role cannot, and the trigger itself
    has no switch to turn it off.
    """
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if statements:
            statements = ["SET LOCAL session_replication_role = replica", *statements]
        return statements

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture
def client():
    return VerifiedClient()


@pytest.fixture
def csrf_client():
    return VerifiedClient(enforce_csrf_checks=True)


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Home County Children's Services", kind=AgencyKind.LOCAL_AUTHORITY)


@pytest.fixture
def other_agency(db):
    return AgencyFactory(name="Other Town Police", kind=AgencyKind.POLICE)


@pytest.fixture
def practitioner(agency):
    return UserFactory(email="practitioner@example.org", agency=agency, role=Role.PRACTITIONER)


@pytest.fixture
def lead(agency):
    return UserFactory(email="lead@example.org", agency=agency, role=Role.LEAD)


@pytest.fixture
def ig_officer(agency):
    return UserFactory(email="ig@example.org", agency=agency, role=Role.IG_OFFICER)


@pytest.fixture
def partnership_ig(other_agency):
    return UserFactory(
        email="partnership-ig@example.org",
        agency=other_agency,
        role=Role.IG_OFFICER,
        partnership_wide=True,
    )


@pytest.fixture
def admin(agency):
    return UserFactory(email="admin@example.org", agency=agency, role=Role.ADMIN)


@pytest.fixture
def outsider(other_agency):
    """A practitioner of another agency: must never see the home agency's records."""
    return UserFactory(email="outsider@example.org", agency=other_agency, role=Role.PRACTITIONER)


PERSONAS = ["practitioner", "lead", "ig_officer", "partnership_ig", "admin", "outsider"]


@pytest.fixture
def personas(practitioner, lead, ig_officer, partnership_ig, admin, outsider):
    return {
        "practitioner": practitioner,
        "lead": lead,
        "ig_officer": ig_officer,
        "partnership_ig": partnership_ig,
        "admin": admin,
        "outsider": outsider,
    }
