"""Keyset ("seek") pagination, newest first, by (timestamp, id).

A page is found by where the previous one ended, never by counting or
skipping rows, so page 10,000 costs what page 1 costs and no exact COUNT of
the whole table is ever run. The cursor names the boundary row; a row
written meanwhile never shifts the pages already seen.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

SEPARATOR = "_"


@dataclass(frozen=True)
class SeekPage:
    items: list
    older: str | None  # cursor for the next (older) page, if there is one
    newer: str | None  # cursor for the previous (newer) page, if there is one


def cursor_for(item) -> str:
    return f"{item.timestamp.isoformat()}{SEPARATOR}{item.pk}"


def parse_cursor(value: str | None) -> tuple[dt.datetime, int] | None:
    """A cursor from the query string, or None when it is missing or not one of ours."""
    if not value:
        return None
    stamp, _, pk = value.rpartition(SEPARATOR)
    try:
        timestamp = dt.datetime.fromisoformat(stamp)
        if timestamp.tzinfo is None:
            return None
        return timestamp, int(pk)
    except ValueError:
        return None


def seek_page(queryset: QuerySet, *, older_than: str | None, newer_than: str | None, size: int) -> SeekPage:
    after = parse_cursor(older_than)
    before = parse_cursor(newer_than) if after is None else None
    if before is not None:
        stamp, pk = before
        # Walk up from the boundary, then turn the rows round to show newest first.
        rows = list(
            queryset.filter(Q(timestamp__gt=stamp) | Q(timestamp=stamp, id__gt=pk), timestamp__gte=stamp)
            .order_by("timestamp", "id")[: size + 1]
        )
        more_newer = len(rows) > size
        items = list(reversed(rows[:size]))
        return SeekPage(
            items=items,
            older=cursor_for(items[-1]) if items else None,
            newer=cursor_for(items[0]) if items and more_newer else None,
        )
    page = queryset.order_by("-timestamp", "-id")
    if after is not None:
        stamp, pk = after
        # The redundant `timestamp <= stamp` lets PostgreSQL start its index scan at the boundary.
        page = page.filter(Q(timestamp__lt=stamp) | Q(timestamp=stamp, id__lt=pk), timestamp__lte=stamp)
    rows = list(page[: size + 1])
    items = rows[:size]
    return SeekPage(
        items=items,
        older=cursor_for(items[-1]) if len(rows) > size else None,
        newer=cursor_for(items[0]) if after is not None and items else None,
    )
