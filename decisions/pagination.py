"""Keyset pagination on (a time, id): page 10,000 costs what page 1 costs.

An OFFSET makes the database walk past every earlier row; a cursor of the last
row's (time, id) lets an index on (..., time, id) start exactly there. There is no
total count for the same reason. Lists run newest first on ``created``; the review
queue runs longest waiting first on ``submitted_at``.
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
        moment = datetime.fromisoformat(stamp)
        pk_value = int(pk)
    except (ValueError, TypeError, OverflowError):
        return None
    if moment.tzinfo is None or not 0 < pk_value < 2**63:
        return None
    return moment, pk_value


def _format(item, by: str = "created") -> str:
    return f"{getattr(item, by).isoformat()}_{item.pk}"


def keyset_page(
    queryset: QuerySet,
    cursor: str | None,
    size: int | None = None,
    *,
    by: str = "created",
    newest_first: bool = True,
) -> Page:
    size = size or PAGE_SIZE
    before, after = ("lt", "lte") if newest_first else ("gt", "gte")
    queryset = queryset.order_by(f"-{by}", "-id") if newest_first else queryset.order_by(by, "id")
    position = _parse(cursor) if cursor else None
    if position is not None:
        moment, pk = position
        # The plain bound on the time is what lets PostgreSQL start the index scan at the
        # cursor; the OR alone would be a filter applied while walking from the first row.
        queryset = queryset.filter(
            Q(**{f"{by}__{before}": moment}) | Q(**{by: moment, f"id__{before}": pk}),
            **{f"{by}__{after}": moment},
        )
    items = list(queryset[: size + 1])
    has_more = len(items) > size
    items = items[:size]
    return Page(
        items=items, next_cursor=_format(items[-1], by) if has_more else None, is_first=position is None
    )
