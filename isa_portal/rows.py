"""Related rows read inside their record's own query, as one JSON column, instead of a query each.

A prefetch costs a query of its own: the ORM compiling it, a round trip, PostgreSQL planning it. For
the few rows a page shows of a related table (a decision's reviews and addenda), ``rows_of`` folds
them into the record's own query as a subquery that gathers them into one JSON array, and
``instances`` makes model instances of them again, each value as the database gives it. Works on
PostgreSQL and SQLite (local runs).
"""

import datetime
from collections.abc import Iterable, Sequence

from django.db import models, router
from django.utils.dateparse import parse_datetime


class _JSONArray(models.Func):
    """One row as a JSON array of its values, in order (smaller SQL than an object with keys)."""

    function = "JSON_ARRAY"
    output_field = models.JSONField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="JSONB_BUILD_ARRAY", **extra)


class _JSONArrayAgg(models.Func):
    """The rows as one JSON array. An aggregate to the database; a plain function to the ORM, so
    that it adds no GROUP BY (the subquery is one group: the record's related rows)."""

    function = "JSON_GROUP_ARRAY"
    output_field = models.JSONField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra)


def rows_of(queryset: models.QuerySet, fields: Sequence[str]) -> models.Subquery:
    """An annotation: the rows of ``queryset`` (narrowed by an ``OuterRef`` to the record's own), each
    as the list of its ``fields``' values, in one JSON array (None when there are none). Unordered:
    ``instances`` orders them."""
    return models.Subquery(queryset.order_by().values(rows=_JSONArrayAgg(_JSONArray(*fields))))


def instances(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[list] | None,
    *,
    order_by: Sequence[str] = (),
) -> list:
    """Instances of ``model`` from ``rows_of``'s rows, each value converted as a read from the database
    would convert it (a date or a time from its text), in ``order_by``'s order. Fields not read are
    deferred, as with ``only()``."""
    concrete = model._meta.concrete_fields
    position = {field.name: index for index, field in enumerate(concrete)}
    places = [(position[name], _converter(concrete[position[name]])) for name in fields]
    attnames = [field.attname for field in concrete]
    using = router.db_for_read(model)
    made = []
    for row in rows or ():
        values = [models.DEFERRED] * len(concrete)  # from_db reads values in the model's field order
        for (index, convert), value in zip(places, row, strict=True):
            values[index] = None if value is None else convert(value)
        made.append(model.from_db(using, attnames, values))
    if order_by:
        made.sort(key=lambda instance: tuple(getattr(instance, name) for name in order_by))
    return made


def _converter(field):
    if isinstance(field, models.DateTimeField):
        return _aware
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat
    return lambda value: value


def _aware(text: str) -> datetime.datetime:
    # PostgreSQL writes the offset; SQLite stores UTC without one.
    value = parse_datetime(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)
