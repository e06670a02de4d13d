"""Rebuild the decision counts behind /reports/ and bring the audit counts up to date."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports import rollups


class Command(BaseCommand):
    help = (
        "Rebuild the monthly decision counts behind the report figures from the decision log, and "
        "count the audit entries written since the last run (--rebuild: the whole audit trail again). "
        "Safe to run at any time and as often as you like: the figures stay exact, they only get "
        "slower as the audit entries not yet counted grow. Run it nightly, e.g. from cron, and after "
        "loading records in bulk. It writes only these counts (derived data, not audited)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Count the whole audit trail again instead of only the entries since the last run.",
        )

    def handle(self, *args, rebuild: bool = False, **options) -> None:
        if not rollups.in_use():
            raise CommandError(
                "The report counts need PostgreSQL; on this database figures are counted live."
            )
        started = time.monotonic()
        rows = rollups.rebuild_decision_counts()
        self.stdout.write(f"Decision counts rebuilt: {rows} rows ({time.monotonic() - started:.1f} s).")
        started = time.monotonic()
        after, up_to = rollups.refresh_audit_counts(rebuild=rebuild)
        self.stdout.write(
            f"Audit entries counted: ids {after + 1} to {up_to} ({time.monotonic() - started:.1f} s)."
            if up_to > after
            else "Audit counts were already up to date."
        )
        self.stdout.write(self.style.SUCCESS("Report counts are up to date."))
