"""A child's chronology: every decision, consent and assessment about them, in time order.

Each part of the product that holds records about a child registers a source:
a function ``(child, user) -> iterable of ChronologyEntry`` returning only what
``user`` may see. ``entries_for`` merges them, newest first.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from isa_portal.web import short_date

Source = Callable[..., Iterable["ChronologyEntry"]]
_sources: list[Source] = []


@dataclass(frozen=True)
class ChronologyEntry:
    when: datetime
    kind: str  # e.g. "Consent", "Competence assessment", "Decision"
    title: str
    summary: str
    agency_name: str
    recorded_by: str
    url: str | None = None
    details: tuple[tuple[str, str], ...] = ()  # (label, value) rows under the summary

    @property
    def day(self) -> str:
        """The day, as the table writes it ("5 Mar 2026", local time): plain Python, where the ``date``
        filter cost tens of microseconds an entry."""
        return short_date(self.when)


def register_source(source: Source) -> Source:
    if source not in _sources:
        _sources.append(source)
    return source


def entries_for(child, user) -> list[ChronologyEntry]:
    entries = [entry for source in _sources for entry in source(child, user)]
    return sorted(entries, key=lambda entry: entry.when, reverse=True)
