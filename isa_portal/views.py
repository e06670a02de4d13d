"""Cross-cutting views: the health check and the error pages."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from audit.services import record_denied


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 with an empty body when the database answers; 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return HttpResponse(status=503, content_type="text/plain")
    # Late scheduled jobs are reported, not failed on: the app itself is up (a 503 would have the
    # container restarted, which does not help a job). Monitoring alerts on a non-empty body.
    try:
        from operations.jobs import late_jobs

        late = late_jobs()
    except Exception:
        late = []
    body = "".join(f"late job: {status.job.name}\n" for status in late)
    return HttpResponse(body, status=200, content_type="text/plain")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    record_denied(request, status=403)
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    record_denied(request, status=404)
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever broke (the database, a context processor) must not break this.
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
