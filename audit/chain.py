"""The hash chain that makes the audit trail tamper-evident.

Each entry stores ``prev_hash`` (the ``entry_hash`` of the entry before it, by id)
and ``entry_hash`` = SHA-256 of a canonical serialisation of its content together
with ``prev_hash``. Editing an entry changes its hash; deleting, inserting or
reordering entries breaks the link to the next one. ``verify_audit`` walks the
chain and prints the head hash, which an operator keeps outside the database: a
chain cut short at its end (the last entries removed) is caught by comparing heads.

Writes are serialised so the chain never forks. On PostgreSQL the INSERT itself fills
both hashes (:func:`insert_sql`): ``audit_chain_next_id()`` and ``audit_chain_head()``
(installed by migration 0003) take a transaction-level advisory lock, draw the id and then
read the head with a fresh snapshot; the entry's hash is SHA-256 over that head and the
canonical content Python passes in. The lock is held until the writing transaction commits,
so the next writer reads this entry as its head; the id is drawn under the same lock, so ids
follow the chain. Writing an entry is one statement, its personal values
(``audit.erasure``) included. On SQLite (local development only) Python reads the head
(:func:`stamp`) and the database allows one writer at a time.
"""

import functools
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any

from django.utils.ipv6 import clean_ipv6_address

GENESIS = "0" * 64

# The fields each hash covers, by attname. Frozen: adding a field to AuditEntry does
# NOT add it here, or every older entry would fail verification. A new field that must
# be covered needs a new chain version (hash it only for entries after a marker entry).
# tests/audit/test_chain.py fails when a field is neither here nor in NOT_HASHED.
HASHED_FIELDS = (
    "timestamp",
    "action",
    "event",
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "serialized_data",
    "changes",
    "changes_text",
    "cid",
    "remote_addr",
    "remote_port",
    "additional_data",
    "actor_id",
    "actor_email",
    "actor_role",
    "actor_agency_id",
    "agency_id",
    "source",
)
# The row id is the chain's order, checked through the links; the hashes are the chain itself.
NOT_HASHED = ("id", "prev_hash", "entry_hash")
JSON_FIELDS = ("serialized_data", "changes", "additional_data")
# Written as Python values (auditlog passes an int primary key as object_pk), read back as stored.
TEXT_FIELDS = (
    "object_pk", "object_repr", "changes_text", "cid", "actor_email", "actor_role", "event", "source"
)

# Key for pg_advisory_xact_lock, also written in migration 0003's SQL: "ISA audit".
ADVISORY_LOCK_KEY = 0x15A0A0D17


# The canonical content: the hashed fields in name order, as one compact JSON object.
_CANONICAL_ORDER = tuple(sorted(HASHED_FIELDS))
_CANONICAL_LAYOUT = "{" + ",".join(f'"{name}":%s' for name in _CANONICAL_ORDER) + "}"
_in_canonical_order = itemgetter(*_CANONICAL_ORDER)
_compact_json = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def _canonical_value(name: str, value: Any) -> str:
    """One field's value as compact JSON, as the database will give it back."""
    if value is None:
        return "null"
    if name == "timestamp":
        if isinstance(value, str):  # SQLite hands back what it stored, already parsed by Django
            value = datetime.fromisoformat(value)
        return f'"{value.astimezone(UTC).isoformat(timespec="microseconds")}"'
    if name in TEXT_FIELDS:
        return encode_basestring(str(value))
    if name == "remote_addr":
        # As GenericIPAddressField stores it.
        return encode_basestring(clean_ipv6_address(value) if ":" in value else str(value))
    if name in JSON_FIELDS:
        # What the database will give back: plain JSON types, keys sorted.
        return _compact_json(json.loads(json.dumps(value, default=str)))
    return str(int(value))  # the ids, action and port


def canonical_json(encoded: Mapping[str, str]) -> str:
    """The canonical content from every hashed field's value already encoded as compact JSON.

    ``canonical_content`` encodes the values first; a bulk loader that writes millions of entries
    (the synthetic data generator, ``devdata.volume.trail``) encodes them itself, once per actor or
    entry, and comes here for the layout, so the two cannot differ.
    """
    return _CANONICAL_LAYOUT % _in_canonical_order(encoded)


def canonical_content(values: Mapping[str, Any]) -> bytes:
    """The bytes an entry's hash covers: its hashed fields as sorted, compact JSON."""
    return _canonical_text(values).encode()


def _canonical_text(values: Mapping[str, Any]) -> str:
    return canonical_json({name: _canonical_value(name, values.get(name)) for name in HASHED_FIELDS})


def link_hash(prev_hash: str, content: str) -> str:
    """An entry's hash: SHA-256 over the hash of the entry before it, a newline and its canonical content."""
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def entry_hash(values: Mapping[str, Any], prev_hash: str) -> str:
    return link_hash(prev_hash, _canonical_text(values))


def stamp(entry) -> None:
    """Set ``prev_hash`` and ``entry_hash`` on an entry about to be inserted (SQLite: on PostgreSQL
    the INSERT of :func:`insert_sql` fills them under the lock)."""
    entry.prev_hash = head(type(entry))
    entry.entry_hash = entry_hash(field_values(entry), entry.prev_hash)


# The entry's link, read once by the INSERT: the id drawn and the head read under the chain's lock
# (migration 0003), in that order, so id order is chain order.
LINK_SQL = "SELECT audit_chain_next_id() AS id, audit_chain_head() AS prev_hash"


def insert_sql(
    table: str,
    columns: tuple[str, ...],
    value_table: str = "",
    value_columns: tuple[tuple[str, str], ...] = (),
    rows: int = 0,
) -> str:
    """One PostgreSQL statement that links and writes an entry, and its ``rows`` personal values.

    Its parameters: the entry's canonical content (:func:`content_param`), then a value for each of
    ``columns``, then each value row's ``value_columns`` (each a ``(name, SQL type)`` pair, the
    entry's id first among the table's columns). It returns the entry's id, ``prev_hash`` and
    ``entry_hash``. The head is read once (``audit_chain_head()`` again would cost the lock and a
    second index probe), and the values join the entry's statement rather than a transaction of
    their own, so an entry with personal values is one round trip, not BEGIN, two INSERTs and COMMIT.
    """
    return _insert_sql(LINK_SQL, table, columns, value_table, value_columns, rows)


@functools.cache
def _insert_sql(link, table, columns, value_table, value_columns, rows) -> str:
    # Built from the models' own table and column names, never from input. noqa: S608 below.
    quoted = ", ".join(f'"{name}"' for name in columns)
    placeholders = ", ".join("%s" for _ in columns)
    sql = (
        f"WITH link AS MATERIALIZED ({link}), entry AS ("  # noqa: S608
        f'INSERT INTO "{table}" ("id", "prev_hash", "entry_hash", {quoted}) '
        "SELECT link.id, link.prev_hash, "
        f"encode(sha256(convert_to(link.prev_hash || %s, 'UTF8')), 'hex'), {placeholders} FROM link "
        'RETURNING "id", "prev_hash", "entry_hash")'
    )
    if rows:
        names = ", ".join(f'"{name}"' for name, _ in value_columns)
        # Typed, as a VALUES list in FROM would otherwise read its parameters as text.
        row = "(" + ", ".join(f"CAST(%s AS {sql_type})" for _, sql_type in value_columns) + ")"
        sql += (
            f', value AS (INSERT INTO "{value_table}" ("entry_id", {names}) '  # noqa: S608
            f"SELECT entry.id, v.* FROM entry, (VALUES {', '.join([row] * rows)}) AS v({names}))"
        )
    return sql + ' SELECT "id", "prev_hash", "entry_hash" FROM entry'  # noqa: S608


def content_param(entry) -> str:
    """What the INSERT hashes after the head: a newline and the entry's canonical content."""
    return "\n" + _canonical_text(field_values(entry))


def head(model) -> str:
    """The chain's current head (SQLite; on PostgreSQL the INSERT reads it under the lock)."""
    return model._default_manager.order_by("-id").values_list("entry_hash", flat=True).first() or GENESIS


def field_values(entry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in HASHED_FIELDS}


# Verifying millions of entries: the content of a row as read by a plain cursor (JSON as text, a
# timestamp in UTC), encoded straight from the column values. ``audit.verify`` reads the columns in
# ``STORED_COLUMNS`` order and falls back to :func:`entry_hash` over Django's values before calling
# an entry altered, so this can only be faster than the model's way, never disagree with it.
STORED_COLUMNS = ("id", "prev_hash", "entry_hash", *HASHED_FIELDS)


def _stored_encoder(name: str):
    if name == "timestamp":
        return lambda value: f'"{value.astimezone(UTC).isoformat(timespec="microseconds")}"'
    if name in TEXT_FIELDS:
        return encode_basestring
    if name in JSON_FIELDS:
        loads = json.loads
        return lambda value: _compact_json(loads(value))
    if name == "remote_addr":
        return lambda value: _canonical_value(name, value)
    return str


_STORED_ENCODERS = tuple(_stored_encoder(name) for name in HASHED_FIELDS)
_STORED_ORDER = tuple(HASHED_FIELDS.index(name) for name in _CANONICAL_ORDER)


def stored_hash(row) -> str:
    """``entry_hash`` recomputed from a row in ``STORED_COLUMNS`` order, over its stored ``prev_hash``."""
    encoded = [
        "null" if value is None else encode(value)
        for encode, value in zip(_STORED_ENCODERS, row[3:], strict=True)
    ]
    content = _CANONICAL_LAYOUT % tuple(encoded[index] for index in _STORED_ORDER)
    return hashlib.sha256(f"{row[1]}\n{content}".encode()).hexdigest()
