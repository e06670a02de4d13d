import pytest
from django.core.cache import cache
from django.test import Client

from api.models import Scope
from api.services import api_client_create
from tests.consent.factories import make_consent
from tests.decisions.factories import submitted_decision
from tests.factories import AgencyFactory, ChildFactory, UserFactory

ALL_SCOPES = list(Scope.values)


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    """The rate limit counts in the default (local-memory) cache: each test starts from none."""
    cache.clear()
    yield
    cache.clear()


def make_token(admin, *, agency=None, scopes=ALL_SCOPES, expires_at=None, name="Mosaic") -> str:
    _, token = api_client_create(
        name=name, agency=agency or admin.agency, scopes=scopes, expires_at=expires_at, by=admin
    )
    return token


def api_for(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def token(admin):
    """A token of the home agency's case system, with every scope."""
    return make_token(admin)


@pytest.fixture
def api(token):
    return api_for(token)


@pytest.fixture
def recipient(db):
    from agreements.models import AgencyKind

    return AgencyFactory(name="Recipient Police", kind=AgencyKind.POLICE)


@pytest.fixture
def child(practitioner):
    return ChildFactory(
        given_name="Amara", family_name="Okoye", nhs_number="9434765919", created_by=practitioner
    )


@pytest.fixture
def consent(child, practitioner, recipient):
    return make_consent(child, practitioner, recipients=[recipient])


@pytest.fixture
def decision(practitioner, recipient, child):
    return submitted_decision(practitioner, recipient, child=child)


@pytest.fixture
def outsider_records(outsider, recipient):
    """A child, consent and decision held by the other agency only."""
    child = ChildFactory(given_name="Bo", family_name="Finch", nhs_number="9876543210", created_by=outsider)
    return {
        "child": child,
        "consent": make_consent(child, outsider, recipients=[recipient]),
        "decision": submitted_decision(outsider, recipient, child=child),
    }


@pytest.fixture
def other_admin(other_agency):
    return UserFactory(email="other-admin@example.org", agency=other_agency, role="admin")
