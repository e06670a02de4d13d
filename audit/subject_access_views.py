"""Subject access for IG officers: find a child, then download everything held about them."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import get_visible_or_404, require
from accounts.permissions import Perm
from audit import sar
from audit.forms import SubjectAccessProgressForm, SubjectAccessRequestForm
from audit.history_views import child_search_page
from audit.models import Event, SubjectAccessRequest
from audit.services import record_event, record_view
from audit.subject_access import build_bundle
from consent.models import Child
from isa_portal.web import long_date, posted, save_if_valid


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
        requests = SubjectAccessRequest.objects.visible_to(request.user).filter(child=child)
        today = timezone.localdate()
        response = render(
            request,
            "audit/subject_access_child.html",
            {"child": child, "requests": [(sar, sar.clock.state(today)) for sar in requests]},
        )
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


@require(Perm.EXPORT_SUBJECT_ACCESS)
@require_http_methods(["GET", "HEAD", "POST"])
def sar_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a subject access request about a child: who asked, identity checked, received on."""
    child = get_visible_or_404(Child, request.user, pk=pk)
    form = SubjectAccessRequestForm(posted(request), instance=SubjectAccessRequest(child=child))
    saved = save_if_valid(request, form, lambda: sar.sar_record(request=form.instance, by=request.user))
    if saved is not None:
        messages.success(request, f"Request recorded: respond by {long_date(saved.due_on)}")
        return redirect("audit:sar_detail", pk=saved.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "heading": "Record a subject access request",
            "caption": str(child),
            "back_url": reverse("audit:subject_access_child", args=[child.pk]),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require(Perm.EXPORT_SUBJECT_ACCESS)
@require_http_methods(["GET", "HEAD", "POST"])
def sar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request, its clock, and where to extend it or record the response."""
    requests = SubjectAccessRequest.objects.select_related("child", "agency")
    found = get_visible_or_404(requests, request.user, pk=pk)
    form = SubjectAccessProgressForm(posted(request), instance=found)
    saved = save_if_valid(request, form, lambda: sar.sar_update(request=form.instance, by=request.user))
    if saved is not None:
        messages.success(request, "Request updated")
        return redirect("audit:sar_detail", pk=saved.pk)
    shown = requests.get(pk=pk) if form.is_bound else found  # as saved, not as the refused answers left it
    response = render(
        request,
        "audit/sar_detail.html",
        {"sar": shown, "state": shown.clock.state(timezone.localdate()), "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
    if request.method != "POST":
        record_view(found)
    return response
