"""Run the daily jobs at their times (operations/jobs.py), one runner across every instance."""

import logging
import time

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from operations import jobs
from operations.models import Outcome

logger = logging.getLogger(__name__)

# pg_advisory_lock key: whoever holds it is the one scheduler (any constant unique to this purpose).
LOCK_KEY = 7_180_002_618


class Leader:
    """A session-level advisory lock on a connection of its own, held while the process lives; if that
    connection is lost the lock is gone, so the process stops (and is restarted, as a standby)."""

    def __init__(self):
        self.connection = connections.create_connection("default")

    def try_acquire(self) -> bool:
        if self.connection.vendor != "postgresql":
            return True  # SQLite: a single development machine
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            return cursor.fetchone()[0]

    def still_held(self) -> bool:
        if self.connection.vendor != "postgresql":
            return True
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
                    " AND granted"
                )
                return cursor.fetchone()[0] > 0
        except Exception:
            return False

    def release(self) -> None:
        self.connection.close()


class Command(BaseCommand):
    help = (
        "Run the daily jobs (send_reminders, send_review_digest, refresh_rollups, apply_retention, "
        "audit_checkpoint, verify_audit) at their times with APScheduler. Every instance may run this: "
        "the one holding a PostgreSQL advisory lock runs the jobs, the others wait to take over. Each "
        "run is recorded (operations.JobRun). --once runs every job (or --job) once, now, and exits."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Run each job once now, then exit.")
        parser.add_argument("--job", action="append", choices=sorted(jobs.BY_NAME), help="Only this job.")
        parser.add_argument("--standby-seconds", type=int, default=30, help="How often a standby tries.")

    def handle(self, *args, **options) -> None:
        selected = [jobs.BY_NAME[name] for name in options["job"]] if options["job"] else list(jobs.JOBS)
        leader = Leader()
        if options["once"]:
            if not leader.try_acquire():
                raise CommandError("Another scheduler holds the lock: nothing was run.")
            failed = []
            for job in selected:
                record = jobs.run(job)
                self.stdout.write(f"{job.name}: {record.outcome} ({job.describe()})")
                if record.outcome != Outcome.SUCCEEDED:
                    failed.append(job.name)
                    self.stdout.write(record.output_tail[-1000:])
            leader.release()
            if failed:
                raise CommandError(f"Failed: {', '.join(failed)}.")
            return
        while not leader.try_acquire():
            self.stdout.write("Another scheduler is running the jobs: standing by.")
            time.sleep(options["standby_seconds"])
        self.stdout.write("Holding the scheduler lock: running the jobs at their times.")
        scheduler = BlockingScheduler(timezone=settings.TIME_ZONE)
        for job in selected:
            scheduler.add_job(
                jobs.run_scheduled,
                CronTrigger(**job.cron, timezone=settings.TIME_ZONE),
                args=[job],
                id=job.name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=3600,
            )

        lost = []

        def check_lock() -> None:
            if not leader.still_held():
                logger.error("Lost the scheduler lock: stopping so that a standby takes over.")
                lost.append(True)
                scheduler.shutdown(wait=False)

        scheduler.add_job(check_lock, "interval", seconds=60, id="lock")
        scheduler.start()  # returns when shut down
        if lost:
            raise CommandError("Lost the scheduler lock (database connection): restart to stand by.")
