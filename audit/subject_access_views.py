"""Subject access for IG officers: find a child, then download everything held about them."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import get_visible_or_404, require
from accounts.permissions import Perm
from audit.models import Event
from audit.services import record_event
from audit.subject_access import build_bundle
from consent.forms import ChildSearchForm
from consent.models import Child
from consent.selectors import child_search

SEARCH_FIELDS = ("name", "nhs_number", "date_of_birth_0", "date_of_birth_1", "date_of_birth_2")
MAX_RESULTS = 50


@require(Perm.EXPORT_SUBJECT_ACCESS)
@require_safe
def subject_access_search(request: HttpRequest) -> HttpResponse:
    searching = any(request.GET.get(key) for key in SEARCH_FIELDS)
    form = ChildSearchForm(request.GET if searching else None)
    found = searching and form.is_valid()
    children = list(child_search(user=request.user, **form.cleaned_data)[:MAX_RESULTS]) if found else []
    response = render(
        request,
        "audit/subject_access_search.html",
        {"form": form, "children": children, "searching": searching, "max_results": MAX_RESULTS},
    )
    if found:
        record_event(
            Event.LIST,
            model=Child,
            label="Searched children for subject access",
            detail={"searched_by": sorted(key for key in SEARCH_FIELDS if request.GET.get(key))},
        )
    return response


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
