"""The daily jobs, shipped: run_scheduler runs each job, one runner across instances, each run recorded,
and a job late for 26 hours shown to admins and reported by /healthz."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit import checkpoints
from operations import jobs
from operations.management.commands.run_scheduler import Leader
from operations.models import JobRun, Outcome
from tests.audit.factories import write_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def signing_key(settings, tmp_path):
    path = tmp_path / "audit-signing-key.pem"
    checkpoints.generate_key_file(path)
    settings.AUDIT_SIGNING_KEY_FILE = str(path)
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    return path


def test_one_tick_of_every_job_runs_each_command_and_records_its_run(signing_key, practitioner):
    write_entries(3, actor=practitioner)  # a trail to verify and sign
    call_command("run_scheduler", "--once")
    runs = {run.job: run for run in JobRun.objects.all()}
    assert sorted(runs) == sorted(job.name for job in jobs.JOBS)
    commands = {job.command for job in jobs.JOBS}
    assert {
        "send_reminders",
        "send_review_digest",
        "refresh_rollups",
        "apply_retention",
        "audit_checkpoint",
        "verify_audit",
    } <= commands
    assert any("--since-checkpoint" in job.arguments for job in jobs.JOBS)
    for run in runs.values():
        assert run.outcome == Outcome.SUCCEEDED, run.output_tail
        assert run.started <= run.ended
    assert "The audit trail is intact" in runs["verify_audit"].output_tail
    assert all(status.last_success and not status.late for status in jobs.statuses())


def test_a_second_instance_runs_nothing_while_another_holds_the_lock(signing_key):
    holder = Leader()
    assert holder.try_acquire()
    try:
        with pytest.raises(CommandError, match="Another scheduler holds the lock"):
            call_command("run_scheduler", "--once", "--job", "apply_retention")
    finally:
        holder.release()
    assert not JobRun.objects.exists()
    call_command("run_scheduler", "--once", "--job", "apply_retention")
    assert JobRun.objects.get().outcome == Outcome.SUCCEEDED


def test_a_job_that_fails_is_recorded_as_failed_with_what_it_said():
    broken = jobs.Job("broken", "apply_retention", ("--no-such-option",), {"hour": 1}, "daily")
    run = jobs.run(broken)
    assert run.outcome == Outcome.FAILED
    assert run.ended is not None
    assert "no-such-option" in run.output_tail


def _runs_with_send_reminders_last_succeeding(hours_ago: int) -> None:
    now = timezone.now()
    for job in jobs.JOBS:
        started = now - timedelta(hours=hours_ago if job.name == "send_reminders" else 1)
        JobRun.objects.create(job=job.name, started=started, ended=started, outcome=Outcome.SUCCEEDED)
    JobRun.objects.create(job="send_reminders", started=now, ended=now, outcome=Outcome.FAILED)


def test_a_job_late_for_26_hours_is_reported_by_healthz_and_shown_to_admins(client, admin):
    _runs_with_send_reminders_last_succeeding(27)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"late job: send_reminders\n"
    client.force_login(admin)
    home = client.get(reverse("home")).content.decode()
    assert "The scheduled job send_reminders has not succeeded since" in home
    assert "verify_audit has not succeeded" not in home
    page = client.get(reverse("operations:job_list")).content.decode()
    assert "send_reminders" in page and "Late" in page and "failed" in page


def test_a_job_that_succeeded_within_26_hours_is_not_late(client):
    _runs_with_send_reminders_last_succeeding(25)
    assert jobs.late_jobs() == []
    assert client.get(reverse("healthz")).content == b""
