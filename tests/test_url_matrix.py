"""Every URL pattern against anonymous, each role and a user of another agency."""

import importlib
import pkgutil

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.url_matrix import ANONYMOUS, EVERYONE, LOGIN, Route

# The Django admin lives at a configurable path behind staff sign-in; it is
# tested on its own below rather than pattern by pattern.
SKIPPED_NAMESPACES = {"admin"}


def _walk(patterns, namespace: str = "") -> list[tuple[str, object]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns in SKIPPED_NAMESPACES:
                continue
            prefix = f"{namespace}{ns}:" if ns else namespace
            found.extend(_walk(pattern.url_patterns, prefix))
        elif isinstance(pattern, URLPattern):
            found.append((f"{namespace}{pattern.name}" if pattern.name else "", pattern))
    return found


def _declared_routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        try:
            declared = importlib.import_module(f"tests.{module.name}.routes").ROUTES
        except ModuleNotFoundError:
            continue
        duplicated = routes.keys() & declared.keys()
        assert not duplicated, f"Routes declared twice: {sorted(duplicated)}"
        routes.update(declared)
    return routes


PATTERNS = _walk(get_resolver().url_patterns)
ROUTES = _declared_routes()
CASES = [(name, persona) for name in sorted(ROUTES) for persona in EVERYONE]


def test_every_url_pattern_has_a_name():
    unnamed = [str(pattern.pattern) for name, pattern in PATTERNS if not name]
    assert unnamed == []


def test_every_url_pattern_is_in_the_matrix():
    missing = sorted({name for name, _ in PATTERNS} - ROUTES.keys())
    assert missing == [], f"Add these URL names to a tests/<app>/routes.py: {missing}"


def test_the_matrix_names_only_real_patterns():
    stale = sorted(ROUTES.keys() - {name for name, _ in PATTERNS})
    assert stale == []


def test_every_route_says_what_each_persona_gets():
    incomplete = {name: sorted(set(EVERYONE) - route.expect.keys()) for name, route in ROUTES.items()}
    assert {name: gap for name, gap in incomplete.items() if gap} == {}


@pytest.mark.parametrize(("url_name", "persona"), CASES)
def test_url_answers_persona_as_declared(client, personas, url_name, persona):
    route = ROUTES[url_name]
    kwargs = route.kwargs(personas) if route.kwargs else {}
    url = reverse(url_name, kwargs=kwargs) + (f"?{route.query}" if route.query else "")
    if persona != ANONYMOUS:
        client.force_login(personas[persona])
    data = route.data(personas) if route.data else {}
    response = (
        client.generic(route.method, url, **route.extra)
        if not data
        else getattr(client, route.method.lower())(url, data)
    )

    expected = route.expect[persona]
    if expected == LOGIN:
        assert response.status_code == 302, f"{url_name} as {persona}: {response.status_code}"
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    else:
        assert response.status_code == expected, (
            f"{url_name} as {persona}: expected {expected}, got {response.status_code}"
        )


def test_django_admin_turns_away_non_staff(client, personas):
    index = reverse("admin:index")
    for persona, user in personas.items():
        client.force_login(user)
        response = client.get(index)
        assert response.status_code == 302, persona
        assert response["Location"].startswith(reverse("admin:login"))
