"""Keyset ("seek") pagination on (a time, id): page 10,000 costs what page 1 costs.

An OFFSET makes the database walk past every earlier row; a cursor naming the boundary
row's (time, id) lets an index on (..., time, id) start exactly there. There is no total
count for the same reason, and a row written meanwhile never shifts the pages already
seen. The decision lists run newest first on ``created``, the review queue longest
waiting first on ``submitted_at``, the audit trail newest first on ``timestamp``.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

PAGE_SIZE = 25
SEPARATOR = "_"


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None  # where the following page starts, if there is one
    previous_cursor: str | None  # where the page before starts (walking back), if there is one
    is_first: bool


def cursor_for(item, by: str = "created") -> str:
    return f"{getattr(item, by).isoformat()}{SEPARATOR}{item.pk}"


def parse_cursor(value: str | None) -> tuple[datetime, int] | None:
    """A cursor from the query string, or None when it is missing or not one of ours."""
    if not value:
        return None
    try:
        stamp, pk = value.rsplit(SEPARATOR, 1)
        moment = datetime.fromisoformat(stamp)
        pk_value = int(pk)
    except (ValueError, TypeError, OverflowError):
        return None
    # A naive time or an id outside PostgreSQL's bigint would be a database error, not a page.
    if moment.tzinfo is None or not 0 < pk_value < 2**63:
        return None
    return moment, pk_value


def _beyond(queryset: QuerySet, position: tuple[datetime, int] | None, *, by: str, descending: bool):
    """The rows after ``position`` (every row when None), walking in the given direction."""
    strict, inclusive = ("lt", "lte") if descending else ("gt", "gte")
    ordered = queryset.order_by(f"-{by}", "-id") if descending else queryset.order_by(by, "id")
    if position is None:
        return ordered
    moment, pk = position
    # The plain bound on the time is what lets PostgreSQL start the index scan at the cursor;
    # the OR alone would be a filter applied while walking from the first row.
    return ordered.filter(
        Q(**{f"{by}__{strict}": moment}) | Q(**{by: moment, f"id__{strict}": pk}),
        **{f"{by}__{inclusive}": moment},
    )


def keyset_page(
    queryset: QuerySet,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int | None = None,
    by: str = "created",
    newest_first: bool = True,
    read=list,
) -> Page:
    """The page that follows the cursor ``after`` (or precedes ``before``; the first page without either).

    A cursor that is not one of ours is ignored: the first page is shown. ``read`` turns the page's
    ordered, sliced queryset into its rows (``list`` by default; the audit viewer reads the page's ids
    first and joins only those, ``audit.views.paged``).
    """
    size = size or PAGE_SIZE
    start = parse_cursor(after)
    end = parse_cursor(before) if start is None else None
    if end is not None:
        # Walk back from the boundary, then turn the rows round into the list's own order.
        rows = read(_beyond(queryset, end, by=by, descending=not newest_first)[: size + 1])
        items = list(reversed(rows[:size]))
        more_before = len(rows) > size
        return Page(
            items=items,
            next_cursor=cursor_for(items[-1], by) if items else None,
            previous_cursor=cursor_for(items[0], by) if items and more_before else None,
            is_first=not more_before,
        )
    rows = read(_beyond(queryset, start, by=by, descending=newest_first)[: size + 1])
    items = rows[:size]
    return Page(
        items=items,
        next_cursor=cursor_for(items[-1], by) if len(rows) > size else None,
        previous_cursor=cursor_for(items[0], by) if start is not None and items else None,
        is_first=start is None,
    )
