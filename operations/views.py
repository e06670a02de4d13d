from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import require
from accounts.permissions import Perm
from operations import jobs


@require(Perm.MANAGE_PARTNERSHIP)
@require_safe
def job_list(request: HttpRequest) -> HttpResponse:
    """The scheduled jobs: when each runs, its last run and outcome, and its last success."""
    return render(
        request,
        "operations/job_list.html",
        {
            "statuses": jobs.statuses(),
            "late_hours": int(jobs.LATE_AFTER.total_seconds() // 3600),
            "now": timezone.now(),
        },
    )
