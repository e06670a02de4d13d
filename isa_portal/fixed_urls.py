"""The URLs every page's layout writes (home, sign out, the time-out's three, the navigation's),
looked up once per URLconf and script prefix instead of by ``reverse`` on every page.

A URL that takes no arguments depends only on the URLconf and the script prefix the site is
served under: what it came to is kept per resolver (Django's, which Django builds anew whenever
the URLconf changes, ``django.urls.clear_url_caches``) and prefix, so a changed URLconf or prefix
is a new lookup, never a stale URL (tests/test_layout.py).
"""

import weakref

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

_memos: "weakref.WeakKeyDictionary[object, dict[tuple[str, str], str]]" = weakref.WeakKeyDictionary()


def fixed_url(name: str) -> str:
    """``reverse(name)`` for a URL pattern that takes no arguments."""
    resolver = get_resolver(get_urlconf())
    memo = _memos.get(resolver)
    if memo is None:
        memo = _memos.setdefault(resolver, {})
    key = (get_script_prefix(), name)
    url = memo.get(key)
    if url is None:
        url = memo[key] = reverse(name)
    return url
