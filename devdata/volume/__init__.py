"""A synthetic partnership at scale, for measuring the product: ``manage.py generate_volume``.

THE ONE PLACE IN THE CODE ALLOWED TO BULK-INSERT. Everywhere else a record is written by a
service, one at a time, in a transaction with its audit entry. Measuring the product at a
million decisions and ten million audit entries needs that data made in minutes, so this
package writes rows with PostgreSQL's COPY and writes the audit trail itself: the entries
the product would have written for each record (creation, page saves, submission, reviews,
views), hash-chained exactly as ``audit.chain`` chains them, so ``verify_audit`` passes and
the application's next audited write continues the chain.

It refuses any database that holds a record it did not make (it only fills an empty,
migrated database), refuses SQLite, and marks what it made: a ``SyntheticDataSet`` row, and
people who sign in with addresses at ``volume.invalid``. Everything happens in one
transaction: a failure leaves the database as it was.

Foreign keys are not checked row by row during the load (``session_replication_role =
replica``, which only a superuser may set): the generator makes its references consistent
itself, and the tests check every one of them at small scale.

In order: the partnership (``partnership``), children and consent (``children``), a plan of
every decision, then the decisions made by worker processes while their audit entries
stream into COPY in time order (``decisions``, ``workers``, ``trail``), then the indexes.
"""

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from io import StringIO

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command, get_commands
from django.db import connection, transaction
from django.utils import timezone

from audit import chain
from audit.models import AuditEntry
from decisions.models import ReferenceCounter
from devdata.models import SyntheticDataSet
from devdata.volume import children as children_part
from devdata.volume import decisions as decisions_part
from devdata.volume import partnership as partnership_part
from devdata.volume.run import Run
from devdata.volume.tables import (
    Table,
    data_models,
    drop_secondary_indexes,
    occupied_tables,
    quoted,
    reset_sequences,
    to_us,
)
from devdata.volume.trail import COLUMNS as AUDIT_COLUMNS
from devdata.volume.workers import Team

AUDIT = Table(AuditEntry, AUDIT_COLUMNS)
COUNTERS = Table(ReferenceCounter, ("year", "last_number"))
ALL_TABLES = [*partnership_part.TABLES, *children_part.TABLES, *decisions_part.TABLES, AUDIT, COUNTERS]


class Refused(Exception):
    """The database is not one this command may fill."""


@dataclass(frozen=True)
class Options:
    agencies: int = 150
    users: int = 5000
    children: int = 200_000
    decisions: int = 1_000_000
    audit_per_record: int = 10
    seed: int = 2026
    workers: int = 2  # processes making decisions (the machine has two cores; PostgreSQL needs one too)
    password: str = "volume-password-2026"  # noqa: S105 (synthetic accounts; printed, and changeable)


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    phases: list[tuple[str, float]] = field(default_factory=list)
    personas: dict[str, str] = field(default_factory=dict)  # email -> role and agency
    audit_head: str = ""


def generate(options: Options, log: Callable[[str], None]) -> Report:
    """Fill the (empty, migrated) database with a synthetic partnership; refuse anything else."""
    if connection.vendor != "postgresql":
        raise Refused(
            f"generate_volume loads with PostgreSQL's COPY and runs on PostgreSQL only; this database "
            f"is {connection.vendor}. Set DATABASE_URL to an empty, migrated PostgreSQL database."
        )
    if not is_superuser():
        raise Refused(
            "generate_volume needs a PostgreSQL superuser: it loads with session_replication_role = "
            "replica (no row-by-row foreign key checks, and the audit table's append-only trigger "
            "lets it empty the table it has just checked is empty). Connect as one, on a throwaway database."
        )
    for table in ALL_TABLES:
        table.check_columns()
    ContentType.objects.clear_cache()
    report = Report()
    began = time.monotonic()

    def phase(name: str, since: float) -> float:
        now = time.monotonic()
        report.phases.append((name, now - since))
        log(f"  {name}: {now - since:.1f} s (total {now - began:.1f} s)")
        return now

    with transaction.atomic():
        cursor = connection.cursor()
        tables = [model._meta.db_table for model in data_models()]
        _prepare(cursor, tables)
        rebuild = drop_secondary_indexes(cursor, tables)
        run = Run(
            seed=options.seed,
            now=to_us(timezone.now()),
            cursor=cursor,
            log=log,
            audit_per_record=options.audit_per_record,
        )
        # Looked up now: no query can run while a COPY is streaming.
        for table in ALL_TABLES:
            if not table.model._meta.auto_created and table not in (AUDIT, COUNTERS):
                run.content_type(table.model)
        mark = phase("checked the database is empty, emptied and unindexed the tables", began)

        log("Agencies, people, agreements, signatures, incidents")
        partnership = partnership_part.build(
            run, agencies=options.agencies, users=options.users, password=options.password
        )
        mark = phase("partnership", mark)

        log(f"Children, their agencies, assessments and consents ({options.children:,} children)")
        children = children_part.build(run, partnership, options.children)
        mark = phase("children and consent", mark)

        log(f"Planning {options.decisions:,} decisions")
        plan = decisions_part.plan(run, partnership, children, options.decisions)
        mark = phase("decision plan", mark)

        log(f"Decisions and the audit trail ({options.workers} workers; the trail streams into COPY)")
        team = Team(run, partnership, children, plan, options.workers)
        run.copy_lines(AUDIT, team.trail(log))
        made = team.join()
        log(
            f"    {sum(m.submitted for m in made):,} submitted, {sum(m.drafts for m in made):,} drafts, "
            f"{sum(m.reviews for m in made):,} reviews, {sum(m.addenda for m in made):,} addenda"
        )
        mark = phase("decisions made, audit trail loaded", mark)

        team.load()
        run.copy(COUNTERS, sorted(plan.counters.items()))
        mark = phase("decisions, reviews, addenda loaded", mark)

        log(f"Rebuilding {len(rebuild)} indexes")
        for statement in rebuild:
            built = time.monotonic()
            cursor.execute(statement)
            if time.monotonic() - built > 5:  # where the time goes, for the big tables
                log(f"    {time.monotonic() - built:5.1f} s  {statement.removeprefix('CREATE ')}")
        reset_sequences(cursor, data_models())
        SyntheticDataSet.objects.create(
            generated_at=timezone.now(),
            seed=options.seed,
            options={k: v for k, v in asdict(options).items() if k != "password"}
            # The newest id it made in each sealed table: the generator does not seal its records, and
            # verify_audit lets those (and only those) carry no seal (audit.verify).
            | {"highest_ids": _highest_sealed_ids(cursor)},
            counts=run.counts,
        )
        mark = phase("indexes rebuilt, sequences set", mark)

    log("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        for name in tables:
            cursor.execute(f"VACUUM (ANALYZE) {quoted([name])}")
    mark = phase("vacuum analyze", mark)

    if "refresh_rollups" in get_commands():  # the report figures are current from the first page
        call_command("refresh_rollups", stdout=StringIO())
        mark = phase("report counts (refresh_rollups)", mark)

    report.counts = dict(run.counts)
    report.audit_head = run.chain.head
    report.personas = {
        person.email: f"{person.role}, "
        + ("whole partnership" if person.partnership_wide else partnership.agency(person.agency_id).name)
        for person in partnership.people
        if person.email in partnership_part.PERSONAS
    }
    report.phases.append(("total", time.monotonic() - began))
    return report


def _highest_sealed_ids(cursor) -> dict[str, int]:
    from audit.seals import registered

    highest = {}
    for spec in registered():
        table = spec.model._meta.db_table
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {quoted([table])}")  # noqa: S608 (a model's table)
        highest[table] = cursor.fetchone()[0]
    return highest


def is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser')")
        return cursor.fetchone()[0] == "on"


def _prepare(cursor, tables: list[str]) -> None:
    """Lock every table, refuse unless all are empty, then empty them in this transaction (for FREEZE)."""
    cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    # No audited write can slip into the trail while it is being written.
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [chain.ADVISORY_LOCK_KEY])
    cursor.execute(f"LOCK TABLE {quoted(tables)} IN ACCESS EXCLUSIVE MODE")
    occupied = occupied_tables(cursor, tables)
    if SyntheticDataSet._meta.db_table in occupied:
        raise Refused(
            "This database already holds a generated data set. generate_volume fills an empty database "
            "only: drop it, create and migrate it again, then run generate_volume. Nothing was written."
        )
    if occupied:
        raise Refused(
            "This database holds records that generate_volume did not make (in "
            f"{', '.join(occupied)}). It only fills an empty, migrated database, so that synthetic "
            "records are never mixed with real ones. Nothing was written."
        )
    # Empty already (just checked, under lock): TRUNCATE is what lets COPY write frozen rows.
    cursor.execute(f"TRUNCATE {quoted(tables)}")
