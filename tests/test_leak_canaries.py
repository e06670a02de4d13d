"""Leak canaries (ASVS V7.1, V8.3): children's names and NHS numbers never reach logs, error pages or URLs.

Children are seeded with marker names and NHS numbers, every declared route is
requested by every persona (so new pages are covered as they are declared), and
the markers are looked for in everything captured: the application's log
records, the bodies of error responses, redirect locations and every link,
form action and image address on every page.
"""

import logging
import re
from datetime import date

import pytest
from django.urls import reverse

from consent.models import Child, ChildAgency
from tests.test_url_matrix import ROUTES
from tests.url_matrix import ANONYMOUS, EVERYONE

NAMES = ("Zebcanaryqx", "Leakmarkerqy")


def _nhs_number(prefix: str) -> str:
    """A valid NHS number (modulus-11 check digit) starting with nine given digits."""
    check = 11 - sum(int(d) * w for d, w in zip(prefix, range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    if check == 10:
        raise ValueError("no valid check digit for this prefix")
    return f"{prefix}{check}"


NHS_NUMBERS = (_nhs_number("401023213"), _nhs_number("485777345"))
MARKERS = (*NAMES, *NHS_NUMBERS, f"{NHS_NUMBERS[0][:3]} {NHS_NUMBERS[0][3:6]} {NHS_NUMBERS[0][6:]}")
URL_ATTRIBUTE = re.compile(r'(?:href|action|src)="([^"]*)"')


@pytest.fixture
def canaries(personas):
    children = []
    for given, family, nhs in [(NAMES[0], "Smith", NHS_NUMBERS[0]), ("Amy", NAMES[1], NHS_NUMBERS[1])]:
        child = Child.objects.create(
            given_name=given,
            family_name=family,
            date_of_birth=date(2015, 3, 4),
            nhs_number=nhs,
            created_by=personas["practitioner"],
        )
        ChildAgency.objects.create(child=child, agency=personas["practitioner"].agency)
        children.append(child)
    return children


def _leaks(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker.lower() in text.lower()]


def test_the_markers_are_valid_nhs_numbers():
    from consent.validators import validate_nhs_number

    for number in NHS_NUMBERS:
        validate_nhs_number(number)


def test_no_marker_in_logs_error_pages_or_urls_on_any_route(client, personas, canaries, caplog):
    caplog.set_level(logging.DEBUG)
    found: list[str] = []
    for url_name, route in sorted(ROUTES.items()):
        for persona in EVERYONE:
            client.logout()
            if persona != ANONYMOUS:
                client.force_login(personas[persona])
            kwargs = route.kwargs(personas) if route.kwargs else {}
            url = reverse(url_name, kwargs=kwargs) + (f"?{route.query}" if route.query else "")
            for method in {"GET", route.method}:
                data = route.data(personas) if route.data and method == route.method else {}
                response = client.generic(method, url) if not data else client.post(url, data)
                where = f"{method} {url_name} as {persona}"
                found += [f"{where}: URL {url}" for _ in _leaks(url)]
                found += [f"{where}: redirect {m}" for m in _leaks(response.get("Location", ""))]
                content = b"".join(response.streaming_content) if response.streaming else response.content
                body = content.decode(errors="replace")
                if response.status_code >= 400:
                    found += [f"{where}: error page shows {m}" for m in _leaks(body)]
                for link in URL_ATTRIBUTE.findall(body):
                    found += [f"{where}: link {link}" for _ in _leaks(link)]
    found += [f"log: {m}" for m in _leaks(caplog.text)]
    assert found == []
    assert caplog.records, "the test captured no log records at all"


def test_no_marker_in_logs_when_someone_types_one_into_the_sign_in_form(client, canaries, caplog):
    caplog.set_level(logging.DEBUG)
    for marker in MARKERS:
        client.post(reverse("accounts:login"), {"username": marker, "password": marker})
        client.post(reverse("accounts:password_reset"), {"email": f"{marker}@example.org"})
    for _ in range(11):
        response = client.post(reverse("accounts:login"), {"username": NAMES[0], "password": "x"})
    assert response.status_code == 429
    assert _leaks(response.content.decode()) == []
    assert _leaks(caplog.text) == []


def test_a_canary_is_findable_when_it_is_really_there(canaries, caplog):
    """The detector works: a log line that does carry a marker is caught."""
    caplog.set_level(logging.INFO)
    logging.getLogger("isa_portal").info("child %s", canaries[0].nhs_number)
    assert _leaks(caplog.text) == [NHS_NUMBERS[0]]
