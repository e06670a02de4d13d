"""The report registry: each figure on /reports/ is a small function registered here.

The plug-in contract (how decisions, agreements, incidents and any later part add figures)
------------------------------------------------------------------------------------------
Write a function that takes a :class:`ReportScope` and returns a :class:`FigureData`, and
decorate it with :func:`figure`::

    from reports.registry import FigureData, ReportScope, figure

    @figure(
        key="decisions_by_month",           # unique; names the CSV/XLSX download
        section="Decisions",                # figures are grouped under their section's heading
        title="Decisions per month by agency",
        chart="line",                       # "line" (rows are points in time) or "bar"
        source=Decision,                    # the model read, for the export's audit entry
        order=10,                           # place within the section, smallest first
    )
    def decisions_by_month(scope: ReportScope) -> FigureData:
        decisions = scope.for_agencies(Decision.objects.all(), "agency")
        decisions = scope.in_period(decisions, "submitted_at")
        ...
        return FigureData(series=[...], rows=[Row(label, [value, ...]), ...])

Put the function in ``<app>/reports.py`` and import that module in the app's
``AppConfig.ready`` so it registers at start-up. The rules:

- **Respect the scope.** Always narrow by ``scope.for_agencies(queryset, "<agency field>")``
  and ``scope.in_period(queryset, "<date field>")``; the framework has already settled
  which agencies the user may see (a lead or an agency IG officer only their own) and the
  dates they asked for. Never read ``request.user`` yourself.
- **Return figures only** (counts, rates as numbers, durations in days): no names of
  children or free text. The page draws the chart, prints the same figures in a table for
  screen readers, and offers the CSV and XLSX downloads, each download audited.
- **Constant queries**: one or two aggregate queries per figure, never one per row. Reads that
  several figures share go through ``read_once`` (the page reads them once). Figures over the
  decision log or the audit trail read their monthly counts (``reports.rollups``), never the
  tables themselves: at partnership scale those hold millions of rows.
- **Fill the gaps**: monthly figures list every month of ``scope.months()``, zero where
  nothing happened, so the chart and the table agree.
- Test each figure against a hand-computed fixture (see tests/reports/test_figures.py).
"""

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import models


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: [start, end) in time and which agencies (None: every agency)."""

    start: dt.datetime
    end: dt.datetime
    agency_ids: frozenset[int] | None = None

    @property
    def last_day(self) -> dt.date:
        return (self.end - dt.timedelta(microseconds=1)).astimezone(self.start.tzinfo).date()

    def in_period(self, queryset: models.QuerySet, field_name: str) -> models.QuerySet:
        return queryset.filter(**{f"{field_name}__gte": self.start, f"{field_name}__lt": self.end})

    def for_agencies(self, queryset: models.QuerySet, field_name: str) -> models.QuerySet:
        if self.agency_ids is None:
            return queryset
        return queryset.filter(**{f"{field_name}__in": self.agency_ids})

    def months(self) -> list[dt.date]:
        """The first day of each month the period touches, in the partnership's time zone."""
        first = self.start.date().replace(day=1)
        last = self.last_day
        months = []
        while first <= last:
            months.append(first)
            first = (first + dt.timedelta(days=32)).replace(day=1)
        return months


@dataclass(frozen=True)
class Row:
    label: str
    values: Sequence[int | float]


@dataclass(frozen=True)
class FigureData:
    series: Sequence[str]  # what each value in a row is (a column of the table, a line or bar colour)
    rows: Sequence[Row]
    label_heading: str = "Month"  # heading of the first column of the table

    @property
    def is_empty(self) -> bool:
        return not any(value for row in self.rows for value in row.values)


@dataclass(frozen=True)
class Figure:
    key: str
    section: str
    title: str
    chart: Literal["bar", "line"]
    source: type[models.Model]
    compute: Callable[[ReportScope], FigureData]
    order: int = 100
    description: str = field(default="")


_FIGURES: dict[str, Figure] = {}
# Sections appear in the order their first figure registers (the apps' order in settings).
_SECTIONS: list[str] = []


def figure(
    *,
    key: str,
    section: str,
    title: str,
    chart: Literal["bar", "line"],
    source: type[models.Model],
    order: int = 100,
    description: str = "",
) -> Callable[[Callable[[ReportScope], FigureData]], Callable[[ReportScope], FigureData]]:
    def register(compute: Callable[[ReportScope], FigureData]) -> Callable[[ReportScope], FigureData]:
        if key in _FIGURES and _FIGURES[key].compute is not compute:
            raise ValueError(f"A report figure named {key!r} is already registered.")
        _FIGURES[key] = Figure(key, section, title, chart, source, compute, order, description)
        if section not in _SECTIONS:
            _SECTIONS.append(section)
        return compute

    return register


def figures() -> list[Figure]:
    return sorted(_FIGURES.values(), key=lambda f: (_SECTIONS.index(f.section), f.order, f.title))


def get_figure(key: str) -> Figure | None:
    return _FIGURES.get(key)


_page_reads: ContextVar[dict[tuple[str, ReportScope], Any] | None] = ContextVar(
    "report_page_reads", default=None
)


@contextmanager
def reading_once() -> Iterator[None]:
    """Within this block, figures sharing a read (``read_once``) for the same scope share one query.

    The page and the downloads wrap their figures in it; a figure called on its own reads afresh.
    """
    token = _page_reads.set({})
    try:
        yield
    finally:
        _page_reads.reset(token)


def read_once[T](name: str, scope: ReportScope, load: Callable[[], T]) -> T:
    reads = _page_reads.get()
    if reads is None:
        return load()
    if (name, scope) not in reads:
        reads[(name, scope)] = load()
    return reads[(name, scope)]
