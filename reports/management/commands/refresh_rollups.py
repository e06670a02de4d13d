"""Bring the counts behind /reports/ up to date: the audit entries written since the last run,
and the decision counts the first time (or, with --rebuild, everything from scratch)."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports import rollups
from reports.models import RollupRefresh


class Command(BaseCommand):
    help = (
        "Count the audit entries written since the last run into the monthly and daily counts behind "
        "the report figures, and build the decision counts if they have never been built (decisions "
        "are counted as they are submitted after that). --rebuild counts everything again from the "
        "decision log and the whole audit trail, e.g. after loading records in bulk. Safe to run at "
        "any time: the figures stay exact either way, they only get slower as the audit entries not "
        "yet counted grow. Run it every 10 minutes (the scheduler does). It writes only these counts "
        "(derived data, not audited)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Count every decision and the whole audit trail again (submitting waits meanwhile).",
        )

    def handle(self, *args, rebuild: bool = False, **options) -> None:
        if not rollups.in_use():
            raise CommandError(
                "The report counts need PostgreSQL; on this database figures are counted live."
            )
        if rebuild or not RollupRefresh.objects.filter(name=RollupRefresh.DECISIONS).exists():
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
