import pytest

from tests.agreements.factories import RepresentativeFactory, in_force_agreement, registered
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded PDFs go to a fresh folder for each test."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture
def partnership_admin(other_agency):
    from accounts.models import Role

    return UserFactory(
        email="partnership-admin@example.org", agency=other_agency, role=Role.ADMIN, partnership_wide=True
    )


@pytest.fixture
def protocol(agency):
    """An overarching protocol in force, owned by the home agency, covering safeguarding."""
    return in_force_agreement(owner=agency, purposes=["safeguarding", "multi_agency"])


@pytest.fixture
def represented(agency):
    """The home agency with a nominated representative and a current ICO registration: it can sign."""
    RepresentativeFactory(agency=agency)
    registered(agency)
    return agency
