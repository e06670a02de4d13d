"""Keyset pagination, newest first, on (created, id): page 10,000 costs what page 1 costs.

An OFFSET makes the database walk past every earlier row; a cursor of the last
row's (created, id) lets an index on (..., created, id) start exactly there.
There is no total count for the same reason.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

PAGE_SIZE = 25


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None
    is_first: bool


def _parse(cursor: str) -> tuple[datetime, int] | None:
    try:
        stamp, pk = cursor.rsplit("_", 1)
        created = datetime.fromisoformat(stamp)
        pk_value = int(pk)
    except (ValueError, TypeError, OverflowError):
        return None
    if created.tzinfo is None or not 0 < pk_value < 2**63:
        return None
    return created, pk_value


def _format(item) -> str:
    return f"{item.created.isoformat()}_{item.pk}"


def keyset_page(queryset: QuerySet, cursor: str | None, size: int | None = None) -> Page:
    size = size or PAGE_SIZE
    queryset = queryset.order_by("-created", "-id")
    position = _parse(cursor) if cursor else None
    if position is not None:
        created, pk = position
        # The plain bound on ``created`` is what lets PostgreSQL start the index scan at the
        # cursor; the OR alone would be a filter applied while walking from the newest row.
        queryset = queryset.filter(
            Q(created__lt=created) | Q(created=created, id__lt=pk), created__lte=created
        )
    items = list(queryset[: size + 1])
    has_more = len(items) > size
    items = items[:size]
    return Page(items=items, next_cursor=_format(items[-1]) if has_more else None, is_first=position is None)
