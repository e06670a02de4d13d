"""Personal values in the audit trail, held so that retention can erase them and the chain still verifies.

The chain (``audit.chain``) hashes every entry as written, so a value in an entry could never be
removed without breaking it. Personal content is therefore not written into the entry: each
personal value (a field's before and after in ``changes``, a record's name in ``object_repr``)
is replaced by a salted commitment, ``erasable:sha256:<SHA-256 of salt, newline, value>``,
and the value with its salt goes to ``AuditValue``, which the chain does not hash. The chain
covers the commitment, so:

- reading an entry puts the values back (``AuditEntryQuerySet`` does it for model instances,
  :func:`reveal_text` for exports that read columns);
- erasing under retention (:func:`erase_values`) deletes the values and their salts; the
  commitments left in the chain reveal nothing (the salt is random), and the entry still hashes
  as written, so the trail still verifies; the disposal is itself an entry (``RECORD_DISPOSED``);
- a value changed in ``AuditValue`` no longer matches its commitment, and a commitment rebuilt
  for it is not the one in the chain: :func:`verify_values` names the entry.

Which values are personal is registered at the foot of each app's ``models.py``
(:func:`register`): a record's erasable free text and the child's identity, and whose child
they are about, so that erasing a child erases every value about them.
"""

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

PREFIX = "erasable:sha256:"
MARKER = re.compile(r"erasable:sha256:([0-9a-f]{64})")
ERASED = "(erased under retention)"
REPR = "object_repr"  # the field name under which a record's name is kept

# The record a log entry is being written about, while auditlog builds it (AuditEntryManager).
writing_about: ContextVar[models.Model | None] = ContextVar("audit_writing_about", default=None)


@dataclass(frozen=True)
class Personal:
    fields: frozenset[str]
    name_is_personal: bool
    child_of: Callable[[models.Model], int | None]


_REGISTRY: dict[type[models.Model], Personal] = {}


def register(
    model: type[models.Model],
    *,
    fields: Iterable[str] = (),
    name_is_personal: bool = False,
    child_of: Callable[[models.Model], int | None] | None = None,
) -> None:
    """Keep ``model``'s ``fields`` (default: its ``ERASED_FIELDS``) out of the chain, and its name
    too when it names a person. ``child_of(record)``: the id of the child the values are about."""
    _REGISTRY[model] = Personal(
        fields=frozenset(fields or getattr(model, "ERASED_FIELDS", ())),
        name_is_personal=name_is_personal,
        child_of=child_of or (lambda record: getattr(record, "child_id", None)),
    )


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def commitment(salt: str, value: str) -> str:
    """What the chain holds for a value: SHA-256 over its salt, a newline and its canonical JSON."""
    return hashlib.sha256(f"{salt}\n{value}".encode()).hexdigest()


def commit(entry) -> list:
    """Replace the personal values of an entry about to be written by commitments, and return the
    ``AuditValue`` rows that keep them (saved once the entry has its id). The entry's own copy is
    left holding the values again after writing (:func:`restore`), as a read of it would show."""
    from audit.models import AuditValue

    record = getattr(entry, "_record", None) or writing_about.get()
    if record is None or not entry.object_pk:
        return []
    model = record._meta.concrete_model
    spec = _REGISTRY.get(model)
    if spec is None or str(record.pk) != str(entry.object_pk):
        return []
    child_id = spec.child_of(record)
    values: list[AuditValue] = []

    def hide(name: str, value: Any) -> Any:
        if value is None or value == "" or value == [] or value == {}:
            return value  # nothing personal in an empty value, and nothing to erase
        salt = secrets.token_hex(16)
        text = canonical(value)
        digest = commitment(salt, text)
        values.append(
            AuditValue(
                commitment=digest,
                salt=salt,
                value=text,
                content_type_id=entry.content_type_id,
                object_pk=str(entry.object_pk),
                field=name,
                child_id=child_id,
            )
        )
        return PREFIX + digest

    originals = {}
    changes = entry.changes
    if isinstance(changes, dict) and spec.fields & changes.keys():
        originals["changes"] = changes
        entry.changes = {
            name: [hide(name, value) for value in change]
            if name in spec.fields and isinstance(change, list | tuple)
            else change
            for name, change in changes.items()
        }
    if spec.name_is_personal and entry.object_repr:
        originals[REPR] = entry.object_repr
        entry.object_repr = hide(REPR, entry.object_repr)
    entry._revealed = originals
    return values


def restore(entry) -> None:
    for name, value in getattr(entry, "_revealed", {}).items():
        setattr(entry, "changes" if name == "changes" else name, value)


# Reading: the values back in place of their commitments.


def _commitments_in(value: Any, found: set[str]) -> None:
    if isinstance(value, str):
        if PREFIX in value:
            found.update(MARKER.findall(value))
    elif isinstance(value, list):
        for item in value:
            _commitments_in(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _commitments_in(item, found)


def lookup(commitments: Iterable[str]) -> dict[str, Any]:
    """The values still held for these commitments (erased ones are missing)."""
    from audit.models import AuditValue

    wanted = list(set(commitments))
    if not wanted:
        return {}
    return {
        c: json.loads(v)
        for c, v in AuditValue.objects.filter(commitment__in=wanted).values_list("commitment", "value")
    }


def _put_back(value: Any, held: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if PREFIX not in value:
            return value
        whole = MARKER.fullmatch(value)
        if whole:
            return held.get(whole.group(1), ERASED)
        return MARKER.sub(lambda m: str(held.get(m.group(1), ERASED)), value)
    if isinstance(value, list):
        return [_put_back(item, held) for item in value]
    if isinstance(value, dict):
        return {key: _put_back(item, held) for key, item in value.items()}
    return value


REVEALED_FIELDS = ("object_repr", "changes")


def reveal(entries: list) -> None:
    """Put the values back into loaded entries, in one query for all of them (none if none hide any).
    A field the query left out (``QuerySet.only``, as the audit viewer's list leaves out the changes)
    is left out here too, not read an entry at a time."""
    found: set[str] = set()
    for entry in entries:
        loaded = vars(entry)
        for name in REVEALED_FIELDS:
            if name in loaded:
                _commitments_in(loaded[name], found)
    if not found:
        return
    held = lookup(found)
    for entry in entries:
        loaded = vars(entry)
        for name in REVEALED_FIELDS:
            if name in loaded:
                setattr(entry, name, _put_back(loaded[name], held))


def reveal_text(texts: Iterable[str | None]) -> Callable[[str | None], str | None]:
    """For exports that read the columns as text: a function that puts the values back into any of
    ``texts`` (an object_repr, or changes as JSON text), after one query for all of them."""
    found: set[str] = set()
    for text in texts:
        if text and PREFIX in text:
            found.update(MARKER.findall(text))
    held = lookup(found) if found else {}

    def put_back(text: str | None) -> str | None:
        if not text or PREFIX not in text:
            return text
        whole = MARKER.fullmatch(text)
        if whole:
            return held.get(whole.group(1), ERASED)
        if text.startswith(("{", "[")):
            try:
                return json.dumps(_put_back(json.loads(text), held), ensure_ascii=False)
            except ValueError:
                pass
        return MARKER.sub(lambda m: str(held.get(m.group(1), ERASED)), text)

    return put_back


# Erasing.


def erase_values(
    *, record: models.Model | None = None, fields: Iterable[str] | None = None, child_id: int | None = None
) -> int:
    """Delete the values (and their salts) about a record, or only its ``fields``; or every value
    about a child. The commitments stay in the chain. Returns how many values were erased."""
    from django.contrib.contenttypes.models import ContentType

    from audit.models import AuditValue

    if record is not None:
        content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
        values = AuditValue.objects.filter(content_type=content_type, object_pk=str(record.pk))
        if fields is not None:
            values = values.filter(field__in=list(fields))
    elif child_id is not None:
        values = AuditValue.objects.filter(child_id=child_id)
    else:
        raise ValueError("erase_values needs a record or a child.")
    deleted, _ = values.delete()
    return deleted


# Verifying.


@dataclass(frozen=True)
class ValueProblem:
    entry_id: int
    message: str


_CHECK_SQL = """
SELECT v.entry_id, v.field,
       (e.id IS NULL) AS orphan,
       encode(sha256(convert_to(v.salt || chr(10) || v.value, 'UTF8')), 'hex') <> v.commitment AS altered
FROM audit_auditvalue v
LEFT JOIN audit_auditentry e ON e.id = v.entry_id
WHERE e.id IS NULL
   OR encode(sha256(convert_to(v.salt || chr(10) || v.value, 'UTF8')), 'hex') <> v.commitment
   OR strpos(coalesce(e.object_repr, '') || coalesce(e.changes::text, ''), v.commitment) = 0
ORDER BY v.entry_id
LIMIT %s
"""


def verify_values(limit: int = 50) -> list[ValueProblem]:
    """Every personal value still held against the commitment its entry holds in the chain: a value
    changed (or its commitment rebuilt to match) is named by entry. One query on PostgreSQL."""
    from audit.models import AuditEntry, AuditValue

    rows: list[tuple[int, str, bool, bool]] = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_CHECK_SQL, [limit])
            rows = cursor.fetchall()
    else:
        entries = {}
        for value in AuditValue.objects.order_by("entry_id").iterator():
            if value.entry_id not in entries:
                entries[value.entry_id] = (
                    AuditEntry.objects.filter(pk=value.entry_id).values_list("object_repr", "changes").first()
                )
            stored = entries[value.entry_id]
            altered = commitment(value.salt, value.value) != value.commitment
            held = stored is not None and value.commitment in (stored[0] or "") + json.dumps(stored[1])
            if stored is None or altered or not held:
                rows.append((value.entry_id, value.field, stored is None, altered))
    problems = []
    for entry_id, name, orphan, _altered in rows[:limit]:
        where = "its record's name" if name == REPR else f"field '{name}'"
        if orphan:
            message = f"a personal value ({where}) is held for entry {entry_id}, which is not in the trail."
        else:
            message = (
                f"entry {entry_id}: the personal value of {where} no longer matches the commitment "
                "the chain holds for it: it was changed after it was written."
            )
        problems.append(ValueProblem(entry_id, message))
    return problems
