"""Every response to a signed-in user says Cache-Control: no-store, whatever the page or status."""

import pytest
from django.urls import reverse

from tests.test_url_matrix import ROUTES
from tests.url_matrix import PERSONAS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", sorted(ROUTES))
def test_every_route_answers_signed_in_users_with_no_store(client, personas, url_name):
    route = ROUTES[url_name]
    for persona in PERSONAS:
        kwargs = route.kwargs(personas) if route.kwargs else {}
        url = reverse(url_name, kwargs=kwargs) + (f"?{route.query}" if route.query else "")
        client.force_login(personas[persona])
        response = client.get(url)
        cache_control = response.get("Cache-Control", "")
        where = f"{url_name} as {persona} ({response.status_code})"
        assert "no-store" in cache_control, f"{where}: {cache_control!r}"
        assert "private" in cache_control


def test_a_refusal_and_a_missing_page_say_no_store_too(client, practitioner):
    client.force_login(practitioner)
    for url in (reverse("audit:entry_list"), "/no-such-page/"):
        assert "no-store" in client.get(url)["Cache-Control"]

