"""The daily jobs and when each runs; running one records a JobRun.

``python manage.py run_scheduler`` (the ``scheduler`` service of docker-compose.yml) runs them with
APScheduler, in one process across every instance: the one holding a PostgreSQL advisory lock.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

from django.core.management import call_command
from django.db import close_old_connections
from django.db.models import Max, Min
from django.utils import timezone

from operations.models import JobRun, Outcome

# A job that has not succeeded for this long is late: on the admin home page and /healthz.
LATE_AFTER = timedelta(hours=26)
TAIL_CHARACTERS = 4000


@dataclass(frozen=True)
class Job:
    name: str
    command: str
    arguments: tuple[str, ...]
    cron: dict  # APScheduler CronTrigger fields, in settings.TIME_ZONE
    when: str  # for people

    def describe(self) -> str:
        return " ".join(("manage.py", self.command, *self.arguments))


JOBS = (
    # Often, so the audit entries /reports/ counts live (those written since) stay a few minutes' worth:
    # each run counts only the entries since the last, a fraction of a second.
    Job("refresh_rollups", "refresh_rollups", (), {"minute": "2-59/10"}, "every 10 minutes"),
    Job("apply_retention", "apply_retention", (), {"hour": 2, "minute": 0}, "daily at 02:00"),
    Job(
        "verify_audit",
        "verify_audit",
        ("--no-progress", "--workers", "2"),
        {"hour": 2, "minute": 15},
        "daily at 02:15",
    ),
    Job("send_reminders", "send_reminders", (), {"hour": 7, "minute": 0}, "daily at 07:00"),
    Job("send_review_digest", "send_review_digest", (), {"hour": 7, "minute": 15}, "daily at 07:15"),
    Job("audit_checkpoint", "audit_checkpoint", (), {"minute": "*/5"}, "every 5 minutes"),
    Job(
        "verify_audit_since_checkpoint",
        "verify_audit",
        ("--since-checkpoint", "--no-progress"),
        {"minute": 40},
        "hourly at :40",
    ),
)
BY_NAME = {job.name: job for job in JOBS}


def run(job: Job) -> JobRun:
    """Run ``job`` now and record it: started, ended, outcome and the tail of what it printed."""
    record = JobRun.objects.create(job=job.name, started=timezone.now())
    output = io.StringIO()
    outcome = Outcome.SUCCEEDED
    try:
        call_command(job.command, *job.arguments, stdout=output, stderr=output)
    except SystemExit as exit_:  # a command may exit; 0 is success
        if exit_.code not in (0, None):
            outcome = Outcome.FAILED
            output.write(f"\nExited {exit_.code}.")
    except Exception as error:  # the run is recorded whatever went wrong
        outcome = Outcome.FAILED
        output.write(f"\n{type(error).__name__}: {error}")
    record.ended = timezone.now()
    record.outcome = outcome
    record.output_tail = output.getvalue()[-TAIL_CHARACTERS:]
    record.save(update_fields=["ended", "outcome", "output_tail"])
    return record


def run_scheduled(job: Job) -> None:
    """What the scheduler's thread calls: a fresh database connection for each run."""
    close_old_connections()
    try:
        run(job)
    finally:
        close_old_connections()


@dataclass
class Status:
    job: Job
    last_success: object  # datetime or None
    last_run: JobRun | None
    late: bool


def statuses(now=None, *, with_last_run: bool = True) -> list[Status]:
    """Each job's last success (and last run); late when it has not succeeded for LATE_AFTER, counted
    from the scheduler's first run (an installation that has never run the scheduler shows none late).
    Two queries (three with the last runs), whatever the number of jobs and runs."""
    now = now or timezone.now()
    first = JobRun.objects.aggregate(first=Min("started"))["first"]
    if first is None:
        return [Status(job, None, None, False) for job in JOBS]
    successes = dict(
        JobRun.objects.filter(outcome=Outcome.SUCCEEDED)
        .values("job")
        .annotate(last=Max("started"))
        .values_list("job", "last")
    )
    last_runs = {}
    if with_last_run:
        newest = JobRun.objects.values("job").annotate(newest=Max("id")).values_list("newest", flat=True)
        last_runs = {run.job: run for run in JobRun.objects.filter(id__in=list(newest))}
    result = []
    for job in JOBS:
        success = successes.get(job.name)
        late = now - (success or first) > LATE_AFTER
        result.append(Status(job, success, last_runs.get(job.name), late))
    return result


def late_jobs(now=None) -> list[Status]:
    return [status for status in statuses(now, with_last_run=False) if status.late]
