"""The decision log as a CSV file: every decision the log shows the user, with its filters.

PostgreSQL writes each line (``isa_portal.exports.sql_csv_line``: labels, neutralised and
quoted text) and hands them over from a server-side cursor a chunk at a time; Python only
joins them. No model instances, no query per row: a million decisions leave in seconds and
the worker's memory stays flat.

The child appears by number, not by name: a spreadsheet of a partnership's decisions is
easily copied, and the number leads back to the child in the service for whoever may see them.
"""

from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import Case, OuterRef, Subquery, TextField, Value, When

from accounts.models import Role
from consent.models import ConsentStatus
from decisions.models import ConsentPosition, Decision, Outcome, Status
from isa_portal.exports import sql_csv_label, sql_csv_line, sql_csv_plain, sql_csv_text
from isa_portal.vocabulary import Article6Basis, Article9Condition, SharingPurpose

# Rows fetched from the database at a time: few round trips, and a chunk of a few hundred kilobytes.
CHUNK_ROWS = 5000

HEADER = [
    "Reference",
    "Recorded (UTC)",
    "Submitted (UTC)",
    "Status",
    "Agency",
    "Practitioner",
    "Their role",
    "Child number",
    "Purpose",
    "Decision the questions suggest",
    "Decision",
    "Consent found",
    "Consent position",
    "Article 6 basis",
    "Article 9 condition",
    "Shared with",
    "Shared on",
    "Countersigned (UTC)",
    "Reconsiders",
]


def _line():
    return sql_csv_line(
        sql_csv_plain("reference"),  # ours (ISD-2026-000123): never a formula, a comma or a quote
        sql_csv_plain("created"),
        sql_csv_plain("submitted_at"),
        sql_csv_label("status", Status.choices),
        sql_csv_text("agency_name"),  # as it was called when the decision was made
        sql_csv_text("practitioner_name"),
        sql_csv_label("practitioner_role", Role.choices),
        sql_csv_plain("child_id"),
        sql_csv_label("purpose", SharingPurpose.choices),
        sql_csv_label("proposed_outcome", Outcome.choices),
        sql_csv_label("outcome", Outcome.choices),
        sql_csv_label("consent_status", ConsentStatus.choices),
        sql_csv_label("consent_position", ConsentPosition.choices),
        sql_csv_label("article6_basis", Article6Basis.choices),
        sql_csv_label("article9_condition", Article9Condition.choices),
        sql_csv_text("recipient_agency__name"),
        sql_csv_plain("shared_on"),
        sql_csv_plain("countersigned_at"),
        # A subquery, not a join, and only asked when there is one: most decisions reconsider none.
        Case(
            When(reconsiders_id__isnull=True, then=Value("")),
            default=Subquery(Decision.objects.filter(pk=OuterRef("reconsiders_id")).values("reference")),
            output_field=TextField(),
        ),
    )


def log_lines(queryset) -> Iterator[str]:
    """The CSV lines of ``queryset`` (already scoped and filtered), newest first.

    Iterated after the view has returned, when the request's transaction (if any) is over:
    so it opens its own. Inside a transaction PostgreSQL keeps a plain server-side cursor
    and hands the rows over a chunk at a time; outside one Django would ask for a WITH HOLD
    cursor, which PostgreSQL materialises in full, as a temporary file as large as the export.
    """
    lines = queryset.order_by("-created", "-id").annotate(csv_line=_line()).values_list("csv_line", flat=True)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Compiling this one long query costs seconds and saves nothing on a plain index scan.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield from lines.iterator(chunk_size=CHUNK_ROWS)
