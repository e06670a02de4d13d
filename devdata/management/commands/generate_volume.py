"""``manage.py generate_volume``: a synthetic partnership at scale, for measuring the product.

THE ONE PLACE IN THE CODE ALLOWED TO BULK-INSERT (the work is in ``devdata.volume``):
measuring at a million decisions needs the data made in minutes, so it writes with COPY and
writes the audit trail itself, hash-chained as the application chains it. It refuses a
database holding any record it did not make, and SQLite.
"""

import os

from django.core.management.base import BaseCommand, CommandError, CommandParser

from devdata.volume import Options, Refused, generate


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Fill an empty, migrated PostgreSQL database with a synthetic partnership for measuring the "
        "product: agencies, people in every role, agreements and signatures, children, consents, "
        "decisions in every state over five years, and their audit trail (hash-chained, as the "
        "application writes it). Refuses a database that holds any record it did not make. Sign in "
        "as the people printed at the end, with VOLUME_PASSWORD (or the printed default)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Options()
        parser.add_argument("--agencies", type=positive, default=defaults.agencies)
        parser.add_argument("--users", type=positive, default=defaults.users)
        parser.add_argument("--children", type=positive, default=defaults.children)
        parser.add_argument("--decisions", type=positive, default=defaults.decisions)
        parser.add_argument(
            "--audit-per-record",
            type=positive,
            default=defaults.audit_per_record,
            help="Audit entries per decision (its creation, page saves, submission, reviews, views); "
            "other records have the entries the product writes when they are made.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=defaults.seed,
            help="The same seed (and number of workers) makes the same data set.",
        )
        parser.add_argument(
            "--workers",
            type=positive,
            default=defaults.workers,
            help="Processes that make decisions in parallel.",
        )

    def handle(self, *args, **options) -> None:
        chosen = Options(
            agencies=options["agencies"],
            users=options["users"],
            children=options["children"],
            decisions=options["decisions"],
            audit_per_record=options["audit_per_record"],
            seed=options["seed"],
            workers=options["workers"],
            password=os.environ.get("VOLUME_PASSWORD") or Options.password,
        )
        try:
            report = generate(chosen, log=self.stdout.write)
        except (Refused, ValueError) as refusal:
            raise CommandError(str(refusal)) from None
        width = max(len(name) for name in report.counts)
        self.stdout.write("Rows written:")
        for name, count in report.counts.items():
            self.stdout.write(f"  {name:<{width}}  {count:>12,}")
        self.stdout.write("Time per phase:")
        for name, seconds in report.phases:
            self.stdout.write(f"  {seconds:8.1f} s  {name}")
        self.stdout.write(f"Audit trail head hash: {report.audit_head}")
        self.stdout.write(self.style.SUCCESS("Synthetic partnership ready. Sign in as:"))
        for email, role in report.personas.items():
            self.stdout.write(f"  {email:<34} {role}")
        self.stdout.write(f"Password for everyone: {chosen.password}")
