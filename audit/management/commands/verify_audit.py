"""Recompute the audit trail's hash chain and report the first broken link."""

from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from audit import chain
from audit.models import AuditEntry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head: str
    broken_at: int | None = None
    problem: str = ""
    known_head_found: bool | None = None


def verify_chain(*, known_head: str | None = None) -> ChainReport:
    """Walk every entry in id order; stop at the first one whose hash or link does not hold."""
    expected_prev = chain.GENESIS
    checked = 0
    known_found = None if known_head is None else known_head == chain.GENESIS
    previous_id = None
    columns = ("id", "prev_hash", "entry_hash", *chain.HASHED_FIELDS)
    # A transaction so PostgreSQL streams the rows through a server-side cursor in one snapshot.
    with transaction.atomic():
        rows = AuditEntry.objects.order_by("id").values(*columns).iterator(chunk_size=2000)
        for row in rows:
            if row["prev_hash"] != expected_prev:
                after = f"entry {previous_id}" if previous_id else "the start of the trail"
                return ChainReport(
                    checked,
                    expected_prev,
                    row["id"],
                    f"entry {row['id']} does not follow {after}: an entry was removed, "
                    "inserted or moved here.",
                    known_found,
                )
            if chain.entry_hash(row, row["prev_hash"]) != row["entry_hash"]:
                return ChainReport(
                    checked,
                    expected_prev,
                    row["id"],
                    f"entry {row['id']} has been altered since it was written.",
                    known_found,
                )
            expected_prev = row["entry_hash"]
            previous_id = row["id"]
            checked += 1
            if known_head is not None and row["entry_hash"] == known_head:
                known_found = True
    return ChainReport(checked, expected_prev, known_head_found=known_found)


class Command(BaseCommand):
    help = (
        "Check that the audit trail has not been altered: recompute the hash of every entry "
        "and its link to the one before, report the first broken link, and print the head "
        "hash to keep outside the database. Exits non-zero when the chain is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--known-head",
            metavar="HASH",
            help="A head hash printed by an earlier run: fail if it is no longer in the chain "
            "(entries removed from the end).",
        )

    def handle(self, *args, **options) -> None:
        report = verify_chain(known_head=options.get("known_head"))
        if report.broken_at is not None:
            self.stdout.write(f"Checked {report.checked} entries before the break.")
            self.stdout.write(f"Last good hash: {report.head}")
            raise CommandError(f"The audit trail's hash chain is broken: {report.problem}")
        if report.known_head_found is False:
            self.stdout.write(f"Head hash: {report.head}")
            raise CommandError(
                "The known head hash is not in the chain: entries have been removed from its end."
            )
        self.stdout.write(self.style.SUCCESS(f"The audit trail is intact: {report.checked} entries."))
        self.stdout.write(f"Head hash: {report.head}")
