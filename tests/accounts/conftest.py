import pytest
from django.test import Client

from tests.factories import PASSWORD


@pytest.fixture
def plain_client():
    """A client with no shortcut past the second factor."""
    return Client()


def password_step(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": email, "password": password}, **extra)
