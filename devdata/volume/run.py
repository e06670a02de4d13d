"""What every part of the generator shares: the random source, the clock, the trail, the cursor."""

import random
import time
from bisect import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from uuid import UUID

from django.contrib.contenttypes.models import ContentType

from devdata.volume.tables import Table, compact_json, copy_rows, to_datetime
from devdata.volume.trail import Chain, Entry, Pending

DAY = 86_400_000_000
HOUR = 3_600_000_000
MINUTE = 60_000_000
YEAR = 365 * DAY
SPAN_DAYS = 5 * 365 + 1  # "dates spread over five years up to today"


class Weighted:
    """A weighted choice with its cumulative weights worked out once (``random.choices`` redoes
    them on every call, which costs more than the choice with a hundred and fifty agencies)."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


def below(rng: random.Random, n: int) -> int:
    """``rng.randrange(n)``, several times cheaper, for the millions of delays drawn."""
    return int(rng.random() * n)


def pick(rng: random.Random, items):
    """``rng.choice(items)``, cheaper."""
    return items[int(rng.random() * len(items))]


@dataclass
class Run:
    seed: int
    now: int  # microseconds since 1970, like every time in the generator
    cursor: object
    log: Callable[[str], None]
    audit_per_record: int
    rng: random.Random = field(init=False)
    start: int = field(init=False)
    pending: Pending = field(default_factory=Pending)  # entries made, waiting for their turn
    chain: Chain = field(default_factory=Chain)  # the trail as written, in the parent process
    counts: dict[str, int] = field(default_factory=dict)
    content_types: dict[type, int] = field(default_factory=dict)

    def __post_init__(self):
        # Synthetic data, reproducible from --seed: not a security use of randomness.
        self.rng = random.Random(self.seed)  # noqa: S311
        self.start = self.now - SPAN_DAYS * DAY

    # Time
    def at_work(self, at: int) -> int:
        """The same day, folded into 08:00-18:00 UTC, keeping order, and never after now: people work
        in the daytime (and a local date then never differs from the UTC date, as the product's checks
        read it)."""
        midnight = at - at % DAY
        # Never after now: folding an early hour of today into the working day could pass it.
        return min(midnight + 8 * HOUR + (at - midnight) * 10 // 24, self.now - MINUTE)

    def between(self, first: int, last: int) -> int:
        """A moment between two times, in working hours where that keeps it after ``first``
        (``first`` itself when the two are the wrong way round)."""
        return max(first, self.at_work(first + int(self.rng.random() * max(0, last - first))))

    def before_now(self, at: int) -> int:
        """No record is made in the future: something due later today happened a little before now."""
        return at if at < self.now - MINUTE else self.now - MINUTE - self.rng.randrange(HOUR)

    def day(self, at: int) -> date:
        return to_datetime(at).date()

    def content_type(self, model) -> int:
        if model not in self.content_types:  # (never while a COPY streams: see generate)
            self.content_types[model] = ContentType.objects.get_for_model(model).id
        return self.content_types[model]

    # Writing
    def copy(self, table: Table, rows: Iterable[tuple]) -> int:
        return self.copy_lines(table, (table.line(row) for row in rows))

    def copy_lines(self, table: Table, lines: Iterable[str]) -> int:
        began = time.monotonic()
        written = copy_rows(self.cursor, table, lines)
        self.counts[table.name] = self.counts.get(table.name, 0) + written
        took = time.monotonic() - began
        self.log(
            f"    {table.name}: {written:,} rows in {took:.1f} s ({written / max(took, 1e-6):,.0f} rows/s)"
        )
        return written

    def record(self, at: int, entry: Entry) -> None:
        self.pending.add(at, entry)


def _logged(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def fields(columns: tuple[str, ...], row) -> dict:
    """A row as django-auditlog names its fields: by field name (``agency``), not column (``agency_id``)."""
    return {
        (name[:-3] if name.endswith("_id") and name != "id" else name): value
        for name, value in zip(columns, row, strict=True)
    }


def creation(values: dict) -> str:
    """The ``changes`` of a create entry: every field that has a value, from nothing to it."""
    return compact_json({name: [None, _logged(value)] for name, value in values.items() if value is not None})


def update(before: dict, after: dict) -> str:
    """The ``changes`` of an update entry: the fields whose value changed."""
    return compact_json(
        {
            name: [_logged(before.get(name)), _logged(value)]
            for name, value in after.items()
            if before.get(name) != value
        }
    )
