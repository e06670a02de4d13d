import pytest

from tests.factories import ChildFactory


@pytest.fixture
def child(practitioner):
    """A child held by the home agency."""
    return ChildFactory(given_name="Amara", family_name="Okoye", created_by=practitioner)
