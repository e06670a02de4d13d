"""Subject access for IG officers: find a child, then download everything held about them."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import get_visible_or_404, require
from accounts.permissions import Perm
from audit.history_views import child_search_page
from audit.models import Event
from audit.services import record_event
from audit.subject_access import build_bundle
from consent.models import Child


@require(Perm.EXPORT_SUBJECT_ACCESS)
@require_safe
def subject_access_search(request: HttpRequest) -> HttpResponse:
    return child_search_page(
        request,
        title="Subject access",
        intro="Find the child the request is about, then create a bundle of every record held about them.",
        search_url="audit:subject_access_search",
        result_url="audit:subject_access_child",
    )


@require(Perm.EXPORT_SUBJECT_ACCESS)
@require_http_methods(["GET", "HEAD", "POST"])
def subject_access_child(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_visible_or_404(Child, request.user, pk=pk)
    if request.method != "POST":
        response = render(request, "audit/subject_access_child.html", {"child": child})
        record_event(Event.VIEW, child, detail={"kind": "subject_access"})
        return response
    today = timezone.localdate()
    bundle, summary = build_bundle(child, user=request.user, made_on=today)
    record_event(Event.EXPORT, child, label=f"Subject access bundle: {child}", detail=summary)
    response = HttpResponse(bundle, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="subject-access-{child.pk}-{today.isoformat()}.zip"'
    )
    response["Cache-Control"] = "no-store"
    return response
