"""The decision log as a CSV file: every decision the log shows the user, with its filters.

Streamed a chunk at a time from a server-side cursor, as plain tuples (no model
instances, no query per row), so a million decisions leave in seconds and the
worker's memory stays flat.
"""

from collections.abc import Iterator

from django.db import transaction

from accounts.models import Role
from decisions.models import ConsentPosition, ConsentStatus, Outcome, Status
from isa_portal.vocabulary import Article6Basis, Article9Condition, SharingPurpose

# Rows fetched from the database at a time: large enough to cost few round trips,
# small enough that a chunk of rows stays a few hundred kilobytes.
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
    "Child",
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

COLUMNS = (
    "reference",
    "created",
    "submitted_at",
    "status",
    "agency_name",
    "agency__name",
    "practitioner_name",
    "practitioner_role",
    "child_id",
    "child__given_name",
    "child__family_name",
    "purpose",
    "proposed_outcome",
    "outcome",
    "consent_status",
    "consent_position",
    "article6_basis",
    "article9_condition",
    "recipient_agency__name",
    "shared_on",
    "countersigned_at",
    "reconsiders__reference",
)


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def log_rows(queryset) -> Iterator[list]:
    """The rows of ``queryset`` (already scoped and filtered), newest first.

    Iterated after the view has returned, when the request's transaction (if any) is over:
    so it opens its own. Inside a transaction PostgreSQL keeps a plain server-side cursor
    and hands the rows over a chunk at a time; outside one Django would ask for a WITH HOLD
    cursor, which PostgreSQL materialises in full, as a temporary file as large as the export.
    """
    # Labels as the pages show them, looked up once rather than per row.
    status = _labels(Status.choices)
    purpose = _labels(SharingPurpose.choices)
    outcome = _labels(Outcome.choices)
    consent_status = _labels(ConsentStatus.choices)
    consent_position = _labels(ConsentPosition.choices)
    article6 = _labels(Article6Basis.choices)
    article9 = _labels(Article9Condition.choices)
    role = _labels(Role.choices)
    rows = queryset.order_by("-created", "-id").values_list(*COLUMNS)
    with transaction.atomic():
        for (
            reference,
            created,
            submitted_at,
            status_code,
            agency_name,
            agency_now,
            practitioner,
            practitioner_role,
            child_id,
            given_name,
            family_name,
            purpose_code,
            proposed,
            decided,
            consent_found,
            position,
            basis,
            condition,
            recipient,
            shared_on,
            countersigned_at,
            reconsiders,
        ) in rows.iterator(chunk_size=CHUNK_ROWS):
            yield [
                reference,
                created.isoformat(),
                submitted_at.isoformat() if submitted_at else "",
                status.get(status_code, status_code),
                agency_name or agency_now,
                practitioner,
                role.get(practitioner_role, practitioner_role),
                child_id,
                f"{given_name} {family_name}",
                purpose.get(purpose_code, purpose_code),
                outcome.get(proposed, proposed),
                outcome.get(decided, decided),
                consent_status.get(consent_found, consent_found),
                consent_position.get(position, position),
                article6.get(basis, basis),
                article9.get(condition, condition),
                recipient,
                shared_on.isoformat() if shared_on else "",
                countersigned_at.isoformat() if countersigned_at else "",
                reconsiders,
            ]
