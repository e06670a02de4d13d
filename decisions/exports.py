"""The decision log as a spreadsheet (CSV or XLSX): every decision the log shows the user, with its filters.

The columns are an IG officer's: the child by name, date of birth and NHS number, the grounds and
information shared, who received it and what kind of agency that is, labels not codes, times in
the partnership's zone to the minute. They are described once (``COLUMNS``) and written two ways:

- CSV: PostgreSQL writes each line (``isa_portal.exports.sql_csv_line``: labels, neutralised and
  quoted text) and hands them over from a server-side cursor a chunk at a time; Python only joins
  them. No model instances, no query per row: a million decisions leave in seconds.
- XLSX: the same columns read as values (real dates and times), a chunk at a time.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Expression, F, Func, OuterRef, Subquery, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from accounts.models import Role
from agreements.models import SECTOR_OF_KIND
from consent.models import ConsentStatus
from decisions.models import ConsentPosition, Decision, Outcome, ShareMethod, Status
from isa_portal.exports import sql_csv_label, sql_csv_line, sql_csv_plain, sql_csv_text
from isa_portal.vocabulary import (
    Article6Basis,
    Article9Condition,
    GroundForSharingWithoutConsent,
    SharingPurpose,
)

# Rows fetched from the database at a time: few round trips, and a chunk of a few hundred kilobytes.
CHUNK_ROWS = 5000
LIST_JOINER = "; "
SQL_TIME_FORMAT = "YYYY-MM-DD HH24:MI"  # "2026-12-06 02:03": the minute, in the partnership's zone

SECTOR_CHOICES = [(kind.value, sector.label) for kind, sector in SECTOR_OF_KIND.items()]


@dataclass(frozen=True)
class Column:
    heading: str
    field: str
    kind: str = "text"  # text, plain, label, labels (a JSON list of codes), time, date
    choices: tuple = ()


COLUMNS = [
    Column("Reference", "reference", "plain"),  # ours (ISD-2026-000123): never a formula, a comma or a quote
    Column("Recorded (UK time)", "created", "time"),
    Column("Submitted (UK time)", "submitted_at", "time"),
    Column("Status", "status", "label", tuple(Status.choices)),
    Column("Agency", "agency_name"),  # as it was called when the decision was made
    Column("Practitioner", "practitioner_name"),
    Column("Their role", "practitioner_role", "label", tuple(Role.choices)),
    Column("Child", "child_name"),
    Column("Child's date of birth", "child__date_of_birth", "date"),
    Column("NHS number", "child__nhs_number", "plain"),
    Column("Purpose", "purpose", "label", tuple(SharingPurpose.choices)),
    Column("Decision the questions suggest", "proposed_outcome", "label", tuple(Outcome.choices)),
    Column("Decision", "outcome", "label", tuple(Outcome.choices)),
    Column("Consent found", "consent_status", "label", tuple(ConsentStatus.choices)),
    Column("Consent position", "consent_position", "label", tuple(ConsentPosition.choices)),
    Column(
        "Grounds for sharing without consent",
        "grounds",
        "labels",
        tuple(GroundForSharingWithoutConsent.choices),
    ),
    Column("Article 6 basis", "article6_basis", "label", tuple(Article6Basis.choices)),
    Column("Article 9 condition", "article9_condition", "label", tuple(Article9Condition.choices)),
    Column("Information shared", "information_shared"),
    Column("Shared with", "recipient_agency__name"),
    Column("Kind of recipient", "recipient_agency__kind", "label", tuple(SECTOR_CHOICES)),
    Column("Named recipient", "recipient_name"),
    Column("Recipient's role", "recipient_role"),
    Column("How shared", "share_method", "label", tuple(ShareMethod.choices)),
    Column("Shared on", "shared_on", "date"),
    Column("Countersigned (UK time)", "countersigned_at", "time"),
    Column("Reconsiders", "reconsiders_reference", "plain"),
    # A tombstone's reason: "Erased under the retention rule of agreement X on date Y" (decisions.retention).
    Column("Erased", "tombstone_reason"),
]
HEADER = [column.heading for column in COLUMNS]


def _child_name() -> Expression:
    return Func(
        F("child__given_name"),
        Value(" "),
        F("child__family_name"),
        function="CONCAT",
        output_field=TextField(),
    )


def _reconsiders() -> Expression:
    # A subquery, not a join, and only asked when there is one: most decisions reconsider none.
    return Case(
        When(reconsiders_id__isnull=True, then=Value("")),
        default=Subquery(Decision.objects.filter(pk=OuterRef("reconsiders_id")).values("reference")),
        output_field=TextField(),
    )


def _local_time(field: str) -> Expression:
    local = Func(Value(settings.TIME_ZONE), F(field), function="timezone")
    return Coalesce(
        Func(local, Value(SQL_TIME_FORMAT), function="to_char", output_field=TextField()),
        Value(""),
        output_field=TextField(),
    )


def _labels(field: str, choices) -> Expression:
    """A JSON list of codes as their labels, in order, joined (PostgreSQL)."""
    column = f'"{Decision._meta.db_table}"."{Decision._meta.get_field(field).column}"'
    cases = " ".join("WHEN %s THEN %s" for _ in choices)
    params = [part for value, label in choices for part in (value, str(label))]
    sql = (
        f"(SELECT string_agg(CASE code {cases} ELSE code END, %s ORDER BY position) "  # noqa: S608 (names from the model, values as parameters)
        f"FROM jsonb_array_elements_text({column}) WITH ORDINALITY AS listed(code, position))"
    )
    return sql_csv_text(RawSQL(sql, (*params, LIST_JOINER), output_field=TextField()))  # noqa: S611


def _csv_cell(column: Column) -> Expression:
    if column.kind == "plain":
        return sql_csv_plain(column.field)
    if column.kind == "date":
        return sql_csv_plain(column.field)
    if column.kind == "time":
        return _local_time(column.field)
    if column.kind == "label":
        return sql_csv_label(column.field, column.choices)
    if column.kind == "labels":
        return _labels(column.field, column.choices)
    return sql_csv_text(column.field)


def _annotated(queryset):
    return queryset.order_by("-created", "-id").annotate(
        child_name=_child_name(), reconsiders_reference=_reconsiders()
    )


def _streamed(rows) -> Iterator:
    """Iterated after the view has returned, when the request's transaction (if any) is over:
    so it opens its own. Inside a transaction PostgreSQL keeps a plain server-side cursor
    and hands the rows over a chunk at a time; outside one Django would ask for a WITH HOLD
    cursor, which PostgreSQL materialises in full, as a temporary file as large as the export."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Compiling this one long query costs seconds and saves nothing on a plain index scan.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield from rows.iterator(chunk_size=CHUNK_ROWS)


def log_lines(queryset) -> Iterator[str]:
    """The CSV lines of ``queryset`` (already scoped and filtered), newest first."""
    line = sql_csv_line(*(_csv_cell(column) for column in COLUMNS))
    yield from _streamed(_annotated(queryset).annotate(csv_line=line).values_list("csv_line", flat=True))


LABELS = {column.field: {value: str(label) for value, label in column.choices} for column in COLUMNS}


def _value(column: Column, value):
    if value is None:
        return ""
    if column.kind == "label":
        return LABELS[column.field].get(value, value)
    if column.kind == "labels":
        return LIST_JOINER.join(LABELS[column.field].get(code, code) for code in value or [])
    return value


def log_rows(queryset) -> Iterator[list]:
    """The rows of ``queryset`` as values for a workbook: real dates and times, labels, newest first."""
    rows = _annotated(queryset).values_list(*(column.field for column in COLUMNS))
    for row in _streamed(rows):
        yield [_value(column, value) for column, value in zip(COLUMNS, row, strict=True)]
