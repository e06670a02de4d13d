"""Every page a demo role can reach by following links from the home page (issue 16, item 6).

``walk`` follows each link a signed-in person sees (GET only, this site only), one or two of each
kind of page (the same URL name with the same query keys), and records the status of each. The
link-walk test asserts none is a dead end; the browser tests load the pages it found.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve

from devdata.demo.people import USERS

DEMO_ROLES = list(USERS)
HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"', re.I)
# Not pages: downloads (each is tested with its page), signing out, and the Django admin (its
# own sign-in and tests).
NOT_PAGES = re.compile(r"(/pdf/|\.pdf|\.csv|\.xlsx|format=(csv|xlsx|pdf)|/document/|/export|/logout/)")
PER_KIND = 2


@dataclass
class Walk:
    statuses: dict[str, int] = field(default_factory=dict)
    found_on: dict[str, str] = field(default_factory=dict)
    # Reached, but a file rather than a page (a signature's scan, say): not a dead end, not a page.
    downloads: set[str] = field(default_factory=set)

    @property
    def pages(self) -> list[str]:
        return [url for url, status in self.statuses.items() if status == 200 and url not in self.downloads]

    @property
    def dead_ends(self) -> list[str]:
        return [
            f"{url} ({status}, linked from {self.found_on.get(url, 'start')})"
            for url, status in self.statuses.items()
            if status in (403, 404, 405) or status >= 500
        ]


def _kind(url: str) -> tuple | None:
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ("unknown", parts.path)
    keys = tuple(sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair}))
    return (match.view_name, keys)


def links(html: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        href = unescape(href).split("#")[0]
        if not href.startswith("/") or href.startswith("//"):
            continue
        if (settings.ADMIN_URL and href.startswith(f"/{settings.ADMIN_URL}")) or NOT_PAGES.search(href):
            continue
        found.append(href)
    return found


def walk(client, start: str = "/", limit: int = 400) -> Walk:
    result = Walk()
    kinds: Counter = Counter()
    queue = [start]
    while queue and len(result.statuses) < limit:
        url = queue.pop(0)
        if url in result.statuses:
            continue
        response = client.get(url)
        result.statuses[url] = response.status_code
        if response.status_code in (301, 302):
            target = response["Location"]
            if target.startswith("/") and target not in result.statuses:
                result.found_on.setdefault(target, url)
                queue.append(target)
            continue
        if response.status_code != 200:
            continue
        if response.streaming or "text/html" not in response.get("Content-Type", ""):
            result.downloads.add(url)
            continue
        for href in links(response.content.decode(errors="replace")):
            if href in result.statuses or href in queue:
                continue
            kind = _kind(href)
            if kinds[kind] >= PER_KIND:
                continue
            kinds[kind] += 1
            result.found_on.setdefault(href, url)
            queue.append(href)
    return result
