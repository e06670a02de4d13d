"""Both kinds of journey run through their pages here, so the fixtures of both are here.

The decision's consent and agreement look-ups are stand-ins (as in ``tests/decisions``); the
consent journeys do not use them.
"""

import pytest

from tests.decisions.conftest import consent_found, cover_found, recipient  # noqa: F401  (fixtures)
from tests.factories import ChildFactory


@pytest.fixture
def child(practitioner):
    """A child held by the home agency, old enough (13) to be expected to decide for themselves."""
    return ChildFactory(given_name="Amara", family_name="Okoye", created_by=practitioner)
