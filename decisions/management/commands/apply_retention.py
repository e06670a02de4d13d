"""Tombstone decisions past their agreement's retention period (``--dry-run`` to list them only)."""

from audit.commands import AuditedCommand
from decisions.retention import decision_tombstone, past_retention


class Command(AuditedCommand):
    help = (
        "List (--dry-run) or tombstone the decisions past the retention period of the agreement they "
        "relied on. A legal hold on the decision or its child keeps it. Nothing is deleted."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="List what is due; change nothing.")

    def handle(self, *args, **options) -> None:
        due = past_retention()
        for item in due:
            self.stdout.write(
                f"{item.decision.reference}: decided {item.decision.decided_on.isoformat()}, "
                f"retention ended {item.retention_ended.isoformat()}"
            )
        if options["dry_run"]:
            self.stdout.write(f"{len(due)} decision(s) past retention. Dry run: nothing changed.")
            return
        for item in due:
            decision_tombstone(due=item)
        self.stdout.write(f"{len(due)} decision(s) tombstoned.")
