"""Subject access for IG officers: find a child, then download everything held about them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import get_visible_or_404, require
from accounts.permissions import Perm
from audit import sar
from audit.forms import ConsultationForm, RedactionForm, SubjectAccessProgressForm, SubjectAccessRequestForm
from audit.history_views import child_search_page
from audit.models import Event, SubjectAccessRequest, SubjectAccessStatus
from audit.sar_models import RedactionKind, SubjectAccessRedaction, SupplierConsultation
from audit.services import record_event, record_view
from audit.subject_access import build_bundle, free_text_fields, gathered_record, review_sections, suppliers
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


def _request_or_404(request: HttpRequest, pk: int) -> SubjectAccessRequest:
    return get_visible_or_404(
        SubjectAccessRequest.objects.select_related("child", "agency"), request.user, pk=pk
    )


def _consultations(request: HttpRequest, sar_request: SubjectAccessRequest) -> list[tuple]:
    """(supplier, its consultation or None) for each agency that supplied information in the bundle."""
    recorded = {c.agency_id: c for c in sar_request.consultations.all()}
    return [
        (supplier, recorded.get(supplier.agency.pk)) for supplier in suppliers(sar_request, user=request.user)
    ]


def _detail_page(request: HttpRequest, sar_request: SubjectAccessRequest, form, *, errors=(), status=200):
    return render(
        request,
        "audit/sar_detail.html",
        {
            "sar": sar_request,
            "state": sar_request.clock.state(timezone.localdate()),
            "form": form,
            "step_errors": errors,
            "redactions": sar_request.redactions.count(),
            "consultations": _consultations(request, sar_request),
            "Status": SubjectAccessStatus,
        },
        status=status,
    )


@require(Perm.EXPORT_SUBJECT_ACCESS)
@require_http_methods(["GET", "HEAD", "POST"])
def sar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request, where it has got to, its clock, and where to extend it."""
    found = _request_or_404(request, pk)
    form = SubjectAccessProgressForm(posted(request), instance=found)
    saved = save_if_valid(request, form, lambda: sar.sar_update(request=form.instance, by=request.user))
    if saved is not None:
        messages.success(request, "Request updated")
        return redirect("audit:sar_detail", pk=saved.pk)
    shown = _request_or_404(request, pk) if form.is_bound else found  # as saved, not as refused
    response = _detail_page(request, shown, form, status=400 if form.is_bound and form.errors else 200)
    if request.method != "POST":
        record_view(found)
    return response


STEPS = {
    "start_review": (sar.sar_start_review, "Review started: mark anything to withhold"),
    "finish_review": (sar.sar_finish_review, "Review finished"),
    "issue": (sar.sar_issue, "Bundle issued: what it withholds is now fixed"),
}


@require(Perm.EXPORT_SUBJECT_ACCESS)
@require_POST
def sar_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a request on: start the review, finish it, issue the bundle. A refusal is shown on the
    request's page, its clock still in view."""
    found = _request_or_404(request, pk)
    step = STEPS.get(request.POST.get("step", ""))
    if step is None:
        return _detail_page(
            request,
            found,
            SubjectAccessProgressForm(instance=found),
            errors=["Choose what to do next"],
            status=400,
        )
    service, done = step
    try:
        service(request=found, by=request.user)
    except ValidationError as error:
        found = _request_or_404(request, pk)
        return _detail_page(
            request, found, SubjectAccessProgressForm(instance=found), errors=error.messages, status=400
        )
    messages.success(request, done)
    return redirect("audit:sar_detail", pk=found.pk)


@require(Perm.EXPORT_SUBJECT_ACCESS)
@require_POST
def sar_bundle(request: HttpRequest, pk: int) -> HttpResponse:
    """The request's bundle, with its reviewer's redactions: to check before issuing, or as issued."""
    found = _request_or_404(request, pk)
    today = timezone.localdate()
    bundle, summary = build_bundle(found.child, user=request.user, made_on=today, request=found)
    summary["request"] = found.pk
    record_event(Event.EXPORT, found.child, label=f"Subject access bundle: {found.child}", detail=summary)
    response = HttpResponse(bundle, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{found.reference}-{today.isoformat()}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@require(Perm.EXPORT_SUBJECT_ACCESS)
@require_safe
def sar_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The gathered records' answers, what is withheld so far and why, and where to withhold more."""
    found = _request_or_404(request, pk)
    redactions = found.redactions.select_related("marked_by")
    response = render(
        request,
        "audit/sar_review.html",
        {
            "sar": found,
            "state": found.clock.state(timezone.localdate()),
            "sections": review_sections(found.child, user=request.user, request=found),
            "redactions": redactions,
            "editable": found.status not in (SubjectAccessStatus.GATHERING, SubjectAccessStatus.ISSUED),
        },
    )
    record_event(Event.VIEW, found.child, detail={"kind": "subject_access_review", "request": found.pk})
    return response


def _answers(record) -> list[tuple[str, str, str]]:
    return [
        (f.name, str(f.verbose_name).capitalize(), getattr(record, f.name))
        for f in free_text_fields(type(record))
        if getattr(record, f.name)
    ]


def _redaction_page(request, found, form, *, answers, heading, redaction=None):
    return render(
        request,
        "audit/sar_redaction.html",
        {
            "form": form,
            "sar": found,
            "answers": answers,
            "heading": heading,
            "redaction": redaction,
            "back_url": reverse("audit:sar_review", args=[found.pk]),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require(Perm.EXPORT_SUBJECT_ACCESS)
@require_http_methods(["GET", "HEAD", "POST"])
def sar_redaction_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Withhold a passage of one gathered record (``?record=decisions.Decision&id=12``), or, with
    no record named, a person's name wherever it appears."""
    found = _request_or_404(request, pk)
    record_type, record_id = request.GET.get("record", ""), request.GET.get("id", "")
    answers: list = []
    redaction = SubjectAccessRedaction(request=found, kind=RedactionKind.NAME)
    if record_type:
        record = (
            gathered_record(found.child, user=request.user, record_type=record_type, record_id=record_id)
            if record_id.isdigit()
            else None
        )
        if record is None:
            raise Http404
        answers = _answers(record)
        redaction = SubjectAccessRedaction(
            request=found, kind=RedactionKind.PASSAGE, record_type=record_type, record_id=record.pk
        )
    form = RedactionForm(posted(request), instance=redaction, answers=answers)
    saved = save_if_valid(request, form, lambda: sar.redaction_add(redaction=form.instance, by=request.user))
    if saved is not None:
        messages.success(request, "Words withheld from the bundle")
        return redirect("audit:sar_review", pk=found.pk)
    heading = "Withhold a passage" if answers else "Withhold a person's name"
    return _redaction_page(request, found, form, answers=answers, heading=heading)


@require(Perm.EXPORT_SUBJECT_ACCESS)
@require_http_methods(["GET", "HEAD", "POST"])
def sar_redaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change what is withheld, or the exemption, until the bundle is issued."""
    redaction = get_visible_or_404(
        SubjectAccessRedaction.objects.select_related("request__child"), request.user, pk=pk
    )
    found = redaction.request
    answers: list = []
    if redaction.kind == RedactionKind.PASSAGE:
        record = gathered_record(
            found.child, user=request.user, record_type=redaction.record_type, record_id=redaction.record_id
        )
        answers = _answers(record) if record is not None else []
    form = RedactionForm(posted(request), instance=redaction, answers=answers)
    saved = save_if_valid(
        request, form, lambda: sar.redaction_change(redaction=form.instance, by=request.user)
    )
    if saved is not None:
        messages.success(request, "Redaction changed")
        return redirect("audit:sar_review", pk=found.pk)
    return _redaction_page(
        request, found, form, answers=answers, heading="Change what is withheld", redaction=redaction
    )


@require(Perm.EXPORT_SUBJECT_ACCESS)
@require_POST
def sar_redaction_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop withholding the words, until the bundle is issued."""
    redaction = get_visible_or_404(
        SubjectAccessRedaction.objects.select_related("request"), request.user, pk=pk
    )
    found = redaction.request
    try:
        sar.redaction_remove(redaction=redaction, by=request.user)
    except ValidationError as error:
        found = _request_or_404(request, found.pk)
        return _detail_page(
            request, found, SubjectAccessProgressForm(instance=found), errors=error.messages, status=400
        )
    messages.success(request, "The words are no longer withheld")
    return redirect("audit:sar_review", pk=found.pk)


def _consultation_page(request, found, form, *, supplier, heading):
    return render(
        request,
        "audit/sar_consultation.html",
        {
            "form": form,
            "sar": found,
            "supplier": supplier,
            "heading": heading,
            "state": found.clock.state(timezone.localdate()),
            "back_url": reverse("audit:sar_detail", args=[found.pk]),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require(Perm.EXPORT_SUBJECT_ACCESS)
@require_http_methods(["GET", "HEAD", "POST"])
def sar_consultation_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that an agency which supplied information was consulted (``?agency=<id>``)."""
    found = _request_or_404(request, pk)
    wanted = request.GET.get("agency", "")
    if not wanted:  # the request's page lists the agencies to consult
        return redirect(reverse("audit:sar_detail", args=[found.pk]) + "#consultations")
    supplier = next((s for s in suppliers(found, user=request.user) if str(s.agency.pk) == wanted), None)
    if supplier is None:
        raise Http404
    existing = found.consultations.filter(agency=supplier.agency).first()
    if existing is not None:
        return redirect("audit:sar_consultation_edit", pk=existing.pk)
    form = ConsultationForm(
        posted(request), instance=SupplierConsultation(request=found, agency=supplier.agency)
    )
    saved = save_if_valid(
        request, form, lambda: sar.consultation_record(consultation=form.instance, by=request.user)
    )
    if saved is not None:
        messages.success(request, f"Consultation of {supplier.agency.name} recorded")
        return redirect("audit:sar_detail", pk=found.pk)
    return _consultation_page(
        request, found, form, supplier=supplier, heading=f"Consult {supplier.agency.name}"
    )


@require(Perm.EXPORT_SUBJECT_ACCESS)
@require_http_methods(["GET", "HEAD", "POST"])
def sar_consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the supplying agency's answer when it comes, until the bundle is issued."""
    consultation = get_visible_or_404(
        SupplierConsultation.objects.select_related("request__child", "request__agency", "agency"),
        request.user,
        pk=pk,
    )
    found = consultation.request
    supplier = next(
        (s for s in suppliers(found, user=request.user) if s.agency.pk == consultation.agency_id), None
    )
    form = ConsultationForm(posted(request), instance=consultation)
    saved = save_if_valid(
        request, form, lambda: sar.consultation_change(consultation=form.instance, by=request.user)
    )
    if saved is not None:
        messages.success(request, f"Consultation of {consultation.agency.name} updated")
        return redirect("audit:sar_detail", pk=found.pk)
    return _consultation_page(
        request, found, form, supplier=supplier, heading=f"Consultation of {consultation.agency.name}"
    )
