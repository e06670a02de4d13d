"""Loading rows with PostgreSQL's COPY, and what has to happen around it in the same transaction.

Every table is emptied (it was checked empty first) and loaded with ``COPY ... WITH (FREEZE)``
in the one transaction that truncated it: the rows are written frozen and visible to all,
so the closing ``VACUUM ANALYZE`` has almost nothing to do and index-only scans work at once.
Secondary indexes are dropped before the load and built again after it (a sorted build is
many times faster than ten million random insertions); if anything fails, the transaction
rolls back and the database is as it was, indexes included.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from json.encoder import encode_basestring
from uuid import UUID

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
NULL = "\\N"


def to_datetime(us: int) -> datetime:
    """Times are carried as integer microseconds since 1970 (exact, cheap to sort and add)."""
    return EPOCH + timedelta(microseconds=us)


def to_us(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


_EPOCH_DAY = date(1970, 1, 1).toordinal()


def day_start(day: date) -> int:
    """Midnight (UTC) at the start of ``day``."""
    return (day.toordinal() - _EPOCH_DAY) * 86_400_000_000


_DAYS: dict[int, str] = {}


_CLOCK = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}." for s in range(86_400)]


def _clock(us: int, separator: str) -> str:
    """``to_datetime(us).isoformat(sep, timespec="microseconds")`` without the offset, several times
    faster (ten million entries each need one)."""
    seconds, micro = divmod(us, 1_000_000)
    day, seconds = divmod(seconds, 86_400)
    text = _DAYS.get(day)
    if text is None:
        text = _DAYS[day] = date.fromordinal(day + _EPOCH_DAY).isoformat()
    return f"{text}{separator}{_CLOCK[seconds]}{micro:06d}"


def iso_time(us: int) -> str:
    """As ``datetime.isoformat(timespec="microseconds")`` writes a UTC time (and the chain hashes it)."""
    return _clock(us, "T") + "+00:00"


def logged_time(us: int) -> str:
    """A time as django-auditlog writes it into ``changes`` (UTC, no offset)."""
    return _clock(us, " ")


def escape(text: str) -> str:
    """COPY's text format: backslash, tab, newline and carriage return are escaped."""
    if "\\" in text or "\n" in text or "\t" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return text


# The JSON a value is stored as: the bytes the audit chain hashes (sorted, compact). One encoder
# made once: json.dumps with these arguments builds a new one for each of millions of calls.
compact_json = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
json_string = encode_basestring  # json.dumps(text, ensure_ascii=False), in C


def copy_value(value) -> str:
    kind = type(value)
    if kind is str:
        return escape(value)
    if value is None:
        return NULL
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if kind is datetime or kind is date:
        return value.isoformat()
    if kind is list or kind is dict:
        return escape(compact_json(value))
    if kind is UUID:
        return str(value)
    raise TypeError(f"generate_volume cannot write {kind.__name__} values")


@dataclass(frozen=True)
class Table:
    """A model's table and the order its generated rows give the columns in (by attname)."""

    model: type[models.Model]
    columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    def check_columns(self) -> None:
        """Fail loudly when the model has grown a field this generator does not know."""
        fields = {field.attname: field.column for field in self.model._meta.concrete_fields}
        missing, unknown = set(fields) - set(self.columns), set(self.columns) - set(fields)
        if missing or unknown:
            raise RuntimeError(
                f"generate_volume does not match {self.model._meta.label}: fields it does not fill "
                f"{sorted(missing)}, fields it fills that do not exist {sorted(unknown)}. "
                "Teach devdata/volume about the change."
            )

    def copy_sql(self) -> str:
        fields = {field.attname: field.column for field in self.model._meta.concrete_fields}
        columns = ", ".join(f'"{fields[name]}"' for name in self.columns)
        return f'COPY "{self.name}" ({columns}) FROM STDIN WITH (FREEZE)'

    def line(self, row: tuple) -> str:
        return "\t".join([copy_value(value) for value in row]) + "\n"


class LineReader:
    """A file-like object over an iterator of COPY lines, read by psycopg2's ``copy_expert``.

    psycopg2 sends each chunk as soon as it is read, so PostgreSQL parses one chunk while
    Python makes the next: the two cores work at once.
    """

    def __init__(self, lines: Iterable[str], chunk: int = 1 << 18):
        self._lines: Iterator[str] = iter(lines)
        self._chunk = chunk
        self.rows = 0
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> str:
        parts, length = [], 0
        try:
            for line in self._lines:
                parts.append(line)
                length += len(line)
                if length >= self._chunk:
                    break
        except BaseException as error:
            # psycopg2 reports a failed read as a lost COPY; keep the cause to raise it instead.
            self.error = error
            raise
        self.rows += len(parts)
        return "".join(parts)

    def readline(self, size: int = -1) -> str:  # part of the file protocol; COPY only reads
        return self.read(size)


def copy_rows(cursor, table: Table, lines: Iterable[str]) -> int:
    reader = LineReader(lines)
    try:
        cursor.copy_expert(table.copy_sql(), reader, 1 << 18)
    except Exception:
        if reader.error is not None:
            raise reader.error from None
        raise
    return reader.rows


def data_models() -> list[type[models.Model]]:
    """Every table that holds records (not the schema's own bookkeeping: content types, permissions)."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model not in (ContentType, Permission)
    ]


def quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def occupied_tables(cursor, tables: list[str]) -> list[str]:
    found = []
    for name in tables:
        cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{name}")')  # noqa: S608 (our own table names)
        if cursor.fetchone()[0]:
            found.append(name)
    return found


def drop_secondary_indexes(cursor, tables: list[str]) -> list[str]:
    """Drop the indexes no constraint depends on; return the statements that rebuild them."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY t.relname, 1
        """,
        [tables],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def reset_sequences(cursor, models_loaded: Iterable[type[models.Model]]) -> None:
    """Point each id sequence past the ids written, so the application's next insert follows on."""
    for model in models_loaded:
        pk = model._meta.pk
        if not isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
            continue
        table = model._meta.db_table
        cursor.execute(
            f'SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX("{pk.column}"), 1), '  # noqa: S608
            f'MAX("{pk.column}") IS NOT NULL) FROM "{table}"',
            [f'"{table}"', pk.column],
        )
