from types import SimpleNamespace

import pytest

from consent.selectors import ConsentFound
from decisions import integrations
from tests.decisions.factories import child_for
from tests.factories import AgencyFactory


@pytest.fixture
def recipient(db):
    """The agency receiving the information: a police force, as in most requests."""
    from agreements.models import AgencyKind

    return AgencyFactory(name="Recipient Police", kind=AgencyKind.POLICE)


@pytest.fixture
def child(practitioner):
    return child_for(practitioner, given_name="Amy", family_name="Brook")


@pytest.fixture(autouse=True)
def consent_found(monkeypatch):
    """What the consent part answers. Tests set ``consent_found.status`` (default: none recorded)."""
    found = SimpleNamespace(status="none", record=None)
    monkeypatch.setattr(
        integrations,
        "consent_for",
        lambda **kwargs: ConsentFound(found.status, found.record),
    )
    return found


@pytest.fixture(autouse=True)
def cover_found(monkeypatch):
    """What the agreements part answers. Tests set ``cover_found.version`` (default: no agreement)."""
    found = SimpleNamespace(version=None)
    monkeypatch.setattr(
        integrations,
        "cover_for",
        lambda **kwargs: SimpleNamespace(version=found.version) if found.version else None,
    )
    return found
