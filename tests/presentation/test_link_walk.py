"""No dead ends (issue 16): every link on every page each demo role reaches leads somewhere they
may go: no 403, 404, 405 or server error. Pages have a title of their own."""

import re

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.models import User
from tests.auth import VerifiedClient
from tests.presentation.walk import DEMO_ROLES, walk

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo seeded once for every role's walk, in a transaction rolled back after the last:
    each test runs inside it (in a savepoint of its own, as ever)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--force", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("email", DEMO_ROLES)
def test_every_link_every_demo_role_sees_leads_somewhere_they_may_go(demo, db, email):
    client = VerifiedClient()
    client.force_login(User.objects.get(email=email))
    result = walk(client)
    assert len(result.pages) > 5, result.statuses
    assert result.dead_ends == []
    for url in result.pages[:60]:
        page = client.get(url).content.decode(errors="replace")
        title = re.search(r"<title>\s*(.*?)\s*</title>", page, re.S)
        own_words = title.group(1).removeprefix("Error: ").split("\N{EN DASH}")[0].strip() if title else ""
        assert own_words, f"{url} has no page title of its own"
