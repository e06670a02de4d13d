"""Erase what is past its retention period to tombstones (``--dry-run`` to list it only)."""

from audit.commands import AuditedCommand
from decisions.retention import Due, apply_retention


class Command(AuditedCommand):
    help = (
        "List (--dry-run) or erase to tombstones the decisions (with their reviews and addenda), consent "
        "records, competence assessments and children past the retention period of the agreement that "
        "governs them (decisions.retention). A legal hold on a decision or a child keeps it. Nothing "
        "is deleted; each erasure is written to the audit trail."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="List what is due now; change nothing.")

    def handle(self, *args, **options) -> None:
        def report(item: Due) -> None:
            self.stdout.write(
                f"{item.label}: retention of {item.rule.years} years under “{item.rule.agreement.title}” "
                f"ended {item.rule.ended.isoformat()}"
            )

        done = apply_retention(dry_run=options["dry_run"], report=report)
        if options["dry_run"]:
            self.stdout.write(f"{len(done)} record(s) past retention. Dry run: nothing changed.")
            return
        self.stdout.write(self.style.SUCCESS(f"{len(done)} record(s) erased to tombstones."))
