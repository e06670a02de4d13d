"""A record of operations, not of a child: each run of a scheduled job (operations/jobs.py)."""

from django.db import models


class Outcome(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class JobRun(models.Model):
    job = models.CharField(max_length=64, db_index=True)
    started = models.DateTimeField()
    ended = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    # The last lines the command printed (what it did, or why it failed); never a child's record.
    output_tail = models.TextField(blank=True)

    class Meta:
        ordering = ["-started", "-id"]
        indexes = [models.Index(fields=["job", "outcome", "-started"], name="jobrun_last_success")]

    def __str__(self) -> str:
        return f"{self.job} at {self.started:%Y-%m-%d %H:%M} ({self.outcome})"
