"""Seals: what a submitted record said, written into the audit chain when it was written.

A decision when it is submitted, and a review, an addendum, a consent record or a competence
assessment when it is written, is sealed in the same transaction (``audit.services.record_seal``):
an entry in the chain (``Event.RECORD_SEALED``) holds a digest of each field that records what
was decided or said. The database refuses to change a sealed row (triggers), but a superuser can
switch the triggers off (``session_replication_role = replica``); the seal is what catches that:
:func:`verify_seals` re-reads every sealed record and names each record and field that no longer
matches its seal. The chain and its checkpoints stop the seals themselves being rewritten.

Each digest is SHA-256 over the field's name and its value as canonical JSON, cut to 128 bits
(so a seal names the field that changed without holding its value). The personal free text
retention erases (a model's ``ERASED_FIELDS``) is digested with a salt of the record's own, kept
beside the chain (``SealSalt``) and deleted when the record is erased: after that the erased
text cannot be confirmed from its digest, and verification checks instead that the field is
blank and the erasure was recorded (``Event.RECORD_DISPOSED``). Every other field keeps its seal
for ever, tombstone or not.

Which records are sealed, and which of their fields may still change (a decision's review state
and legal hold, a tombstone), is registered at the foot of each app's ``models.py`` with
:func:`register`.
"""

import hashlib
import json
import secrets
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

SEAL_VERSION = 1
DIGEST_LENGTH = 32  # hex characters: 128 bits
CHUNK = 2000


@dataclass(frozen=True)
class Sealed:
    """How one kind of record is sealed."""

    model: type[models.Model]
    # Which rows must carry a seal (a decision once submitted; the others always).
    where: models.Q
    # Fields that may still change once sealed: left out of the seal.
    unsealed: frozenset[str]
    # Personal free text that retention erases: digested with the record's salt.
    erased: tuple[str, ...]
    # How a record is named in a problem ("review 12 of ISD-2026-000001"), from its sealed values.
    label: Callable[[dict[str, Any]], str]
    # Values read alongside the sealed ones to name the record (a review's decision's reference).
    label_fields: tuple[str, ...] = ()

    @property
    def fields(self) -> list[models.Field]:
        """The sealed fields: every concrete and many-to-many field but those that may change."""
        meta = self.model._meta
        return [f for f in [*meta.concrete_fields, *meta.many_to_many] if f.name not in self.unsealed]


_REGISTRY: dict[type[models.Model], Sealed] = {}


def register(
    model: type[models.Model],
    *,
    where: models.Q | None = None,
    unsealed: Iterable[str] = (),
    label: Callable[[dict[str, Any]], str] | None = None,
    label_fields: Iterable[str] = (),
) -> None:
    """Seal ``model``'s records. The fields retention erases are the model's ``ERASED_FIELDS``."""
    name = model._meta.verbose_name
    _REGISTRY[model] = Sealed(
        model=model,
        where=where or models.Q(),
        unsealed=frozenset(unsealed),
        erased=tuple(getattr(model, "ERASED_FIELDS", ())),
        label=label or (lambda values: f"{name} {values['id']}"),
        label_fields=tuple(label_fields),
    )


def registered() -> list[Sealed]:
    return list(_REGISTRY.values())


def spec_for(model: type[models.Model]) -> Sealed:
    return _REGISTRY[model._meta.concrete_model]


# Encoding and digests.


def canonical(value: Any) -> str:
    """A field's value as compact JSON, the same whether read from the instance or from the row."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat(timespec="microseconds")
    elif isinstance(value, date):
        value = value.isoformat()
    elif isinstance(value, uuid.UUID | Decimal):
        value = str(value)
    elif isinstance(value, set | frozenset):
        value = sorted(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def field_digest(name: str, value: Any, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}\n{name}\n{canonical(value)}".encode()).hexdigest()[:DIGEST_LENGTH]


def erased_value(model_field: models.Field) -> Any:
    """What retention leaves in an erased field: empty text, an empty JSON value, or nothing."""
    if isinstance(model_field, models.JSONField):
        return model_field.get_default()
    if isinstance(model_field, models.CharField | models.TextField):
        return ""
    return None


def _values_of(record: models.Model, spec: Sealed) -> dict[str, Any]:
    values = {}
    for model_field in spec.fields:
        if model_field.many_to_many:
            values[model_field.name] = sorted(record.pk for record in getattr(record, model_field.name).all())
        else:
            values[model_field.name] = getattr(record, model_field.attname)
    return values


def seal(record: models.Model) -> tuple[dict[str, Any], str]:
    """The seal of a record as written now, and the salt of its erasable fields (kept apart)."""
    spec = spec_for(type(record))
    salt = secrets.token_hex(16)
    values = _values_of(record, spec)
    return (
        {
            "version": SEAL_VERSION,
            "fields": {
                name: field_digest(name, value, salt if name in spec.erased else "")
                for name, value in values.items()
            },
            "erased_by_retention": [name for name in spec.erased if name in values],
        },
        salt,
    )


def label_of(record: models.Model) -> str:
    """How a sealed record is named in the trail and in problems: no personal text."""
    spec = spec_for(type(record))
    values = {"id": record.pk}
    for path in spec.label_fields:
        target = record
        for part in path.split("__"):
            target = getattr(target, part)
        values[path] = target
    return spec.label(values)


# Verification.


@dataclass(frozen=True)
class Problem:
    """A sealed record that no longer says what it said when it was sealed."""

    record: str  # "review 12 of ISD-2026-000001"
    message: str
    field: str = ""

    def __str__(self) -> str:
        return self.message


@dataclass
class _Walk:
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0
    total: int = 0
    progress: Callable[[int, int], None] | None = None
    unsealed_allowed: Callable[[str, Any], bool] | None = None

    def done(self, count: int) -> None:
        self.checked += count
        if self.progress is not None:
            self.progress(self.checked, self.total)


def verify_seals(
    progress: Callable[[int, int], None] | None = None,
    unsealed_allowed: Callable[[str, Any], bool] | None = None,
) -> list[Problem]:
    """Re-read every sealed record and compare it with its seal; a problem per record and field.

    ``progress(checked, total)`` is called after each batch of records. Finds: a sealed field
    that changed; erased text that is not blank, or erased without the erasure in the trail;
    a salt removed from a record that was not erased; a record that should be sealed and is not
    (written outside the application); a seal whose record is gone or is no longer one that is
    sealed; a record sealed twice.

    ``unsealed_allowed(table, pk)`` says a record may carry no seal (records of a synthetic data set,
    which its generator does not seal: ``audit.verify``).
    """
    from audit.models import AuditEntry, Event

    specs = registered()
    walk = _Walk(progress=progress, unsealed_allowed=unsealed_allowed)
    walk.total = sum(spec.model._base_manager.filter(spec.where).count() for spec in specs)
    for spec in specs:
        content_type = ContentType.objects.get_for_model(spec.model, for_concrete_model=True)
        seen: set[str] = set()
        for rows in _chunks(spec):
            _check_chunk(spec, content_type, rows, walk, seen)
        seal_entries = AuditEntry.objects.filter(event=Event.RECORD_SEALED, content_type=content_type)
        if seal_entries.count() != len(seen):
            for object_pk in seal_entries.values_list("object_pk", flat=True).distinct().iterator():
                if object_pk not in seen:
                    record = f"{spec.model._meta.verbose_name} {object_pk}"
                    walk.problems.append(
                        Problem(
                            record,
                            f"{record} was sealed but is gone, or is no longer a record that is sealed "
                            "(deleted or changed outside the application).",
                        )
                    )
    return walk.problems


def _chunks(spec: Sealed) -> Iterator[list[dict[str, Any]]]:
    """The sealed records in id order, a batch at a time, as values (no model instances)."""
    plain = [f for f in spec.fields if not f.many_to_many]
    m2m = [f for f in spec.fields if f.many_to_many]
    columns = list(dict.fromkeys(["pk", *(f.attname for f in plain), *spec.label_fields]))
    queryset = spec.model._base_manager.filter(spec.where).order_by("pk").values(*columns)
    last = None
    while True:
        batch = list((queryset if last is None else queryset.filter(pk__gt=last))[:CHUNK])
        if not batch:
            return
        for relation in m2m:
            through = relation.remote_field.through
            source = relation.m2m_field_name() + "_id"
            target = relation.m2m_reverse_field_name() + "_id"
            linked: dict[Any, list] = {}
            for owner, other in through._default_manager.filter(
                **{f"{source}__in": [row["pk"] for row in batch]}
            ).values_list(source, target):
                linked.setdefault(owner, []).append(other)
            for row in batch:
                row[relation.attname] = sorted(linked.get(row["pk"], []))
        yield batch
        last = batch[-1]["pk"]


def _check_chunk(spec: Sealed, content_type, rows: list[dict[str, Any]], walk: _Walk, seen: set[str]) -> None:
    from audit.models import AuditEntry, Event, SealSalt

    pks = [str(row["pk"]) for row in rows]
    seals: dict[str, list[tuple[int, dict]]] = {}
    disposed: set[str] = set()
    for entry_id, object_pk, event, detail in AuditEntry.objects.filter(
        content_type=content_type,
        object_pk__in=pks,
        event__in=[Event.RECORD_SEALED, Event.RECORD_DISPOSED],
    ).order_by("id").values_list("id", "object_pk", "event", "additional_data"):
        if event == Event.RECORD_SEALED:
            seals.setdefault(object_pk, []).append((entry_id, (detail or {}).get("seal") or {}))
        else:
            disposed.add(object_pk)
    salts = dict(
        SealSalt.objects.filter(entry_id__in=[entry_id for found in seals.values() for entry_id, _ in found])
        .values_list("entry_id", "salt")
    )
    for row in rows:
        object_pk = str(row["pk"])
        values = {"id": row["pk"], **{path: row[path] for path in spec.label_fields}}
        record = spec.label(values)
        found = seals.get(object_pk, [])
        if not found:
            allowed = walk.unsealed_allowed
            if allowed is not None and allowed(spec.model._meta.db_table, row["pk"]):
                continue
            walk.problems.append(
                Problem(record, f"{record} has no seal: it was written outside the application.")
            )
            continue
        seen.add(object_pk)
        if len(found) > 1:
            walk.problems.append(
                Problem(record, f"{record} was sealed {len(found)} times: only one seal is ever written.")
            )
        entry_id, sealed = found[0]  # the first: a later one may launder a rewrite
        walk.problems.extend(
            _compare(spec, record, row, sealed, salts.get(entry_id), erased=object_pk in disposed)
        )
    walk.done(len(rows))


def _compare(
    spec: Sealed, record: str, row: dict[str, Any], sealed: dict, salt: str | None, *, erased: bool
) -> list[Problem]:
    problems = []
    digests = sealed.get("fields", {})
    erasable = set(sealed.get("erased_by_retention", []))
    if erasable and not erased and salt is None:
        problems.append(
            Problem(
                record,
                f"{record}: the salt of its seal was removed but the record was never erased, "
                "so its free text can no longer be checked.",
            )
        )
    for model_field in spec.fields:
        name = model_field.name
        if name not in digests:
            continue  # a field added after this record was sealed
        value = row[model_field.attname]
        # A field made erasable after this record was sealed (its digest unsalted) is erased too.
        if erased and (name in erasable or name in spec.erased):
            if canonical(value) != canonical(erased_value(model_field)):
                message = f"{record}: field '{name}' was erased under retention but now holds text."
                problems.append(Problem(record, message, name))
            continue
        if name in erasable and salt is None:
            continue  # reported once above
        if field_digest(name, value, salt if name in erasable else "") != digests[name]:
            message = f"{record}: field '{name}' differs from its seal (changed after it was written)."
            problems.append(Problem(record, message, name))
    return problems
