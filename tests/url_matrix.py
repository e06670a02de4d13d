"""The URL x role matrix: what every URL pattern answers to every persona.

Each app declares its routes in ``tests/<app>/routes.py`` as ``ROUTES = {url_name: Route(...)}``.
``tests/test_url_matrix.py`` walks every URL pattern in the project and fails
when one is missing here, so no view can be added without deciding who may use it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ANONYMOUS = "anonymous"
PERSONAS = ["practitioner", "lead", "ig_officer", "partnership_ig", "admin", "outsider"]
EVERYONE = [ANONYMOUS, *PERSONAS]
SIGNED_IN = PERSONAS

# Status a test expects for "anonymous is sent to the sign-in page".
LOGIN = "login"


@dataclass(frozen=True)
class Route:
    """What one URL answers, per persona.

    ``kwargs`` builds the URL's arguments from the personas dict (creating any
    records needed, owned by the home agency); it runs afresh for each persona.
    """

    expect: dict[str, int | str]
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    method: str = "GET"
    data: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    query: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def allow(
    *allowed: str,
    ok: int = 200,
    denied: int = 403,
    anonymous: int | str = LOGIN,
    **overrides: int,
) -> dict[str, int | str]:
    """Personas in ``allowed`` get ``ok``; other signed-in personas ``denied``; anonymous, sign-in."""
    expected: dict[str, int | str] = {ANONYMOUS: anonymous}
    for persona in PERSONAS:
        expected[persona] = ok if persona in allowed else denied
    expected.update(overrides)
    return expected


def everyone(status: int, **overrides: int | str) -> dict[str, int | str]:
    expected: dict[str, int | str] = dict.fromkeys(EVERYONE, status)
    expected.update(overrides)
    return expected
