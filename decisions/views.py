"""The decision log's pages. Views parse, call a service, redirect; reads go through ``visible_to``."""

import functools
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import get_visible_or_404, require
from accounts.permissions import Perm
from audit.models import Event
from audit.services import record_event, record_export, record_view
from consent.models import Child, ConsentStatus
from decisions import exports, flowchart, selectors, services
from decisions.forms import AddendumForm, ChooseChildForm, LogFilterForm, ReviewForm
from decisions.journeys import DECISION
from decisions.models import Decision, Status
from isa_portal.exports import csv_lines_response, xlsx_response
from isa_portal.pagination import Page, keyset_page
from isa_portal.pdf import render_pdf
from isa_portal.web import long_date, posted
from journeys.engine import Problem

GET_OR_POST = require_http_methods(["GET", "HEAD", "POST"])


def _own_draft_or_404(request: HttpRequest, pk: int) -> Decision:
    return get_visible_or_404(
        Decision.objects.filter(created_by_id=request.user.pk).select_related("agency", "child"),
        request.user,
        pk=pk,
    )


def _locked_redirect(request: HttpRequest, decision: Decision) -> HttpResponse:
    messages.info(
        request, f"{decision} has been submitted: it can no longer be changed. Add an addendum instead."
    )
    return redirect("decisions:detail", pk=decision.pk)


@require(Perm.RECORD_DECISION)
@require_safe
def decision_list(request: HttpRequest) -> HttpResponse:
    """The practitioner's own decisions: drafts, submitted and returned, newest first."""
    queryset = Decision.objects.visible_to(request.user).filter(created_by=request.user).for_lists()
    page = keyset_page(queryset, after=request.GET.get("after"))
    return render(request, "decisions/list.html", {"page": page, "next_query": _next_query(request, page)})


@require(Perm.RECORD_DECISION)
@GET_OR_POST
def decision_new(request: HttpRequest) -> HttpResponse:
    children = Child.objects.visible_to(request.user).order_by("family_name", "given_name", "id")
    form = ChooseChildForm(
        posted(request),
        children=children,
        initial={"child": request.GET.get("child"), "token": uuid.uuid4()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_start(
                child=form.cleaned_data["child"], by=request.user, token=form.cleaned_data["token"]
            )
        except PermissionDenied:
            raise Http404 from None
        return redirect("decisions:step", pk=decision.pk, step=DECISION.steps[0].name)
    return render(
        request,
        "decisions/choose_child.html",
        {
            "form": form,
            "heading": "Record a decision",
            "caption": "Share or not share",
            "cancel_url": reverse("decisions:list"),
        },
    )


@require(Perm.RECORD_DECISION)
@GET_OR_POST
def decision_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    decision = _own_draft_or_404(request, pk)
    this = DECISION.step(step)
    if this is None:
        raise Http404
    if not decision.is_draft:
        return _locked_redirect(request, decision)
    if this not in DECISION.applicable(decision):
        return redirect("decisions:check", pk=decision.pk)
    form = this.form_class(posted(request), decision=decision)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_answer(
                decision=decision, step=step, answers=form.answers(), by=request.user
            )
        except services.AlreadySubmitted:
            return _locked_redirect(request, decision)
        if request.GET.get("from") == "check":
            # A change from check your answers: on to the next question still unanswered, if any,
            # rather than back to a page of what is still missing.
            return redirect(selectors.resume_url(decision))
        following = DECISION.after(decision, this)
        if following is None:
            return redirect("decisions:check", pk=decision.pk)
        return redirect("decisions:step", pk=decision.pk, step=following.name)
    previous = DECISION.before(decision, this)
    context = {
        "form": form,
        "journey": DECISION,
        "step": this,
        "decision": decision,
        "caption": f"Decision about {decision.child}",
        "back_url": reverse("decisions:step", args=[decision.pk, previous.name])
        if previous
        else reverse("decisions:list"),
        "cancel_url": reverse("decisions:list"),
    }
    context["progress"] = DECISION.progress(decision, this)
    context["stop"] = DECISION.stopped(decision)
    if step == "outcome":
        context["suggestion"] = flowchart.suggest(decision)
    if step == "consent":
        context["consent_found"] = found = selectors.consent_preview(decision)
        context["consent_label"] = ConsentStatus(found.status).label
        context["consent_journey_urls"] = selectors.consent_journey_urls(decision)
    return render(request, "journeys/step.html", context)


@require(Perm.RECORD_DECISION)
@require_safe
def decision_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Continue a draft where it was left: its first unanswered question, else check your answers."""
    decision = _own_draft_or_404(request, pk)
    if not decision.is_draft:
        return redirect("decisions:detail", pk=decision.pk)
    return redirect(selectors.resume_url(decision))


@require(Perm.RECORD_DECISION)
@GET_OR_POST
def decision_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers, then submit. A second submit (double click, replay) changes nothing.

    What is still missing is listed as questions to answer; it is shown as errors only once the
    person tries to submit."""
    decision = _own_draft_or_404(request, pk)
    if not decision.is_draft:
        return _locked_redirect(request, decision)
    problems = []
    if request.method == "POST":
        try:
            decision = services.decision_submit(decision=decision, by=request.user)
        except services.AlreadySubmitted:
            return _locked_redirect(request, decision)
        except services.DecisionIncomplete as incomplete:
            problems = incomplete.problems
        else:
            messages.success(request, f"Decision submitted. Its reference is {decision.reference}.")
            return redirect("decisions:detail", pk=decision.pk)
    submit_text = (
        "Once submitted, the decision is locked: it cannot be changed, only added to. "
        "It goes to your agency's safeguarding leads for review."
    )
    if decision.requires_countersignature:
        refusal = "of consent" if decision.overrides_refusal else "of onward disclosure by its originator"
        submit_text += (
            f" Because it overrides a refusal {refusal}, it is not complete until a lead countersigns it."
        )
    return render(
        request,
        "journeys/check.html",
        {
            "journey": DECISION,
            "decision": decision,
            "caption": f"Decision about {decision.child}",
            "notes": "decisions/_check_notes.html",
            "stop": DECISION.stopped(decision),
            "sections": selectors.answer_sections(decision, editable=True),
            "problems": [
                Problem(problem.message, selectors.change_url(decision, problem.step)) for problem in problems
            ],
            "unanswered": []
            if problems
            else [
                (DECISION.step(name).title, selectors.change_url(decision, name))
                for name in selectors.unanswered_steps(decision)
            ],
            "resume_url": reverse("decisions:resume", args=[decision.pk]),
            "problems_title": "Before you can submit",
            "back_url": reverse("decisions:list"),
            "back_label": "Back to your decisions",
            "submit_heading": "Submit your decision",
            "submit_text": submit_text,
            "submit_label": "Submit decision",
        },
    )


def _detail_queryset():
    # Not the agencies the answers name: selectors.with_record_parts reads them (with_named_agencies).
    # Not the decision it reconsiders either: selectors.record_parts reads it with those reconsidering it.
    return Decision.objects.select_related(
        "child",
        "agreement_version__agreement",
        "countersigned_by",
        "consent_record__assessment",  # the consent the decision rests on, shown on the record
    )


@functools.cache
def _record_queryset():
    """The record's query, with its reviews, addenda, linked decisions and named agencies in it
    (selectors.with_record_parts). Built once: building its joins and subqueries was a tenth of the
    page's time. Never evaluated itself: each request narrows a copy (``get_visible_or_404``)."""
    return selectors.with_record_parts(_detail_queryset())


def _record_context(request: HttpRequest, decision: Decision) -> dict:
    reviews, addenda, reconsiderations = selectors.record_parts(decision)
    return {
        "decision": decision,
        "sections": selectors.answer_sections(decision, editable=False),
        "addenda": addenda,
        "reviews": reviews,
        "escalation": selectors.escalation_clock(decision, reviews, timezone.now()),
        "reconsiderations": reconsiderations,
        "can_review": bool(services.review_actions(decision, request.user, reviews)),
        "can_add_addendum": services.can_add_addendum(decision, request.user),
        "can_reconsider": services.can_reconsider(decision, request.user),
        "now": timezone.now(),
        "reconsider_token": uuid.uuid4(),
    }


@require(Perm.VIEW_CHILD_RECORDS)
@require_safe
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_visible_or_404(_record_queryset(), request.user, pk=pk)
    if decision.is_draft:
        return redirect("decisions:check", pk=decision.pk)
    selectors.with_named_agencies(decision)
    response = render(request, "decisions/detail.html", _record_context(request, decision))
    record_view(decision)
    return response


@require(Perm.VIEW_CHILD_RECORDS)
@require_safe
def decision_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The record as a PDF for a court bundle or a subject access request. Every download is logged."""
    decision = get_visible_or_404(_record_queryset().exclude(status=Status.DRAFT), request.user, pk=pk)
    selectors.with_named_agencies(decision)
    pdf = render_pdf("decisions/pdf.html", _record_context(request, decision), request=request)
    record_event(Event.DOWNLOAD, decision, detail={"format": "pdf"})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{decision.reference}.pdf"'
    return response


def _about_decision(request: HttpRequest, template: str, form, decision: Decision, *, heading: str, **extra):
    """A form page about a submitted decision (review, addendum), leading back to its record."""
    record_url = reverse("decisions:detail", args=[decision.pk])
    context = {
        "form": form,
        "decision": decision,
        "heading": heading,
        "caption": f"Decision about {decision.child}",
        "back_url": record_url,
        "cancel_url": record_url,
        **extra,
    }
    return render(request, template, context)


@require(Perm.VIEW_CHILD_RECORDS)
@GET_OR_POST
def decision_review(request: HttpRequest, pk: int) -> HttpResponse:
    # Scope first, so another agency's users learn nothing (404); then the role (403).
    decision = get_visible_or_404(_detail_queryset(), request.user, pk=pk)
    if decision.is_draft:
        raise Http404
    if not services.can_review(decision, request.user):
        raise PermissionDenied
    if decision.status not in services.WAITING_FOR_LEAD:
        messages.info(
            request, f"{decision} is '{decision.get_status_display()}': there is nothing to review."
        )
        return redirect("decisions:detail", pk=decision.pk)
    escalation = services.latest_escalation(decision)
    escalated_by_you = escalation is not None and escalation.reviewer_id == request.user.pk
    actions = services.review_actions(decision, request.user)
    if not actions and request.method != "POST":
        messages.info(request, f"{decision} is with {escalation.get_escalated_to_display().lower()}.")
        return redirect("decisions:detail", pk=decision.pk)
    form = ReviewForm(posted(request), decision=decision, actions=actions, escalated_by_you=escalated_by_you)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.decision_review(
                decision=decision,
                action=form.cleaned_data["action"],
                comments=form.cleaned_data["comments"],
                outcome=form.cleaned_data.get("outcome", ""),
                countersign=form.cleaned_data.get("countersign", False),
                by=request.user,
            )
        except services.ReviewConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("decisions:detail", pk=decision.pk)
        messages.success(request, f"{review.get_action_display()}: recorded on {decision}.")
        return redirect("decisions:detail", pk=decision.pk)
    return _about_decision(
        request,
        "decisions/review.html",
        form,
        decision,
        heading=f"Review {decision}",
        escalation=escalation,
        escalated_by_you=escalated_by_you,
    )


@require(Perm.RECORD_DECISION)
@GET_OR_POST
def decision_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_visible_or_404(Decision.objects.select_related("child"), request.user, pk=pk)
    if decision.is_draft:
        raise Http404
    if not services.can_add_addendum(decision, request.user):
        raise PermissionDenied
    form = AddendumForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_add_addendum(decision=decision, text=form.cleaned_data["text"], by=request.user)
        except ValidationError as error:
            form.add_error("text", error)
        else:
            messages.success(request, f"Addendum added to {decision}.")
            return redirect("decisions:detail", pk=decision.pk)
    return _about_decision(
        request, "decisions/form_page.html", form, decision, heading=f"Add an addendum to {decision}"
    )


@require(Perm.RECORD_DECISION)
@require_POST
def decision_reconsider(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_visible_or_404(Decision.objects.select_related("child"), request.user, pk=pk)
    if not services.can_reconsider(decision, request.user):
        raise PermissionDenied
    try:
        token = uuid.UUID(request.POST.get("token", ""))
    except ValueError:
        token = None
    new = services.decision_reconsider(decision=decision, by=request.user, token=token)
    messages.success(request, f"A new decision reconsidering {decision} has been started.")
    return redirect("decisions:step", pk=new.pk, step=DECISION.steps[0].name)


@require(Perm.VIEW_CHILD_RECORDS)
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    """Decisions of the lead's agency waiting for a lead, longest waiting first, a page at a time
    (for the partnership's designated lead, what waits at the partnership tier)."""
    if not (request.user.can(Perm.REVIEW_DECISION) or request.user.can(Perm.REVIEW_PARTNERSHIP_TIER)):
        raise PermissionDenied
    waiting = Decision.objects.review_queue_for(request.user).for_lists()
    page = keyset_page(waiting, after=request.GET.get("after"), by="submitted_at", newest_first=False)
    now = timezone.now()
    rows = [(decision, selectors.waiting_for(decision, now)) for decision in page.items]
    return render(
        request,
        "decisions/review_queue.html",
        {
            "rows": rows,
            "page": page,
            "next_query": _next_query(request, page),
            "first_query": "",
            # The partnership's designated lead reviews escalations but has no agency log to link to.
            "can_view_log": request.user.can(Perm.VIEW_DECISION_LOG),
        },
    )


def _next_query(request: HttpRequest, page: Page | None) -> str | None:
    """The current filters with the cursor of the next page (or none, for the first page)."""
    query = request.GET.copy()
    query.pop("after", None)
    if page is not None:
        if page.next_cursor is None:
            return None
        query["after"] = page.next_cursor
    return query.urlencode()


def _log_filters(request: HttpRequest) -> tuple[LogFilterForm, dict]:
    """The log's filter form and the filters it holds (none until the form is valid)."""
    try:
        agency_id = int(request.GET.get("agency", ""))
    except ValueError:
        agency_id = None
    choices = selectors.log_choices(request.user, agency_id)
    form = LogFilterForm(
        request.GET or None,
        practitioners=choices.practitioners,
        agencies=choices.agencies,
        recipients=choices.recipients,
    )
    return form, form.cleaned_data if form.is_bound and form.is_valid() else {}


@require(Perm.VIEW_DECISION_LOG)
@require_safe
def decision_log(request: HttpRequest) -> HttpResponse:
    """The agency's decision log with filters. Keyset pagination keeps deep pages fast."""
    form, filters = _log_filters(request)
    queryset = selectors.filtered_log(request.user, filters)
    page = selectors.log_page(queryset, after=request.GET.get("after"))
    response = render(
        request,
        "decisions/log.html",
        {
            "form": form,
            "page": page,
            "next_query": _next_query(request, page),
            "first_query": _next_query(request, None),
            "can_export": request.user.can(Perm.EXPORT_DECISION_LOG),
            "child": selectors.filter_child(request.user, filters.get("child")),
        },
    )
    record_event(
        Event.LIST, model=Decision, label="Decision log", detail={"filters": selectors.used_filters(filters)}
    )
    return response


@require(Perm.VIEW_DECISION_LOG, Perm.EXPORT_DECISION_LOG)
@require_safe
def decision_log_export(request: HttpRequest, fmt: str = "csv") -> HttpResponse:
    """Every decision the log shows the user with the same filters, as CSV or XLSX, newest first,
    with the filters, the agency and the time it was made written above the header.

    The export is recorded before the first row leaves; the rows stream from their own
    transaction (``decisions.exports``).
    """
    form, filters = _log_filters(request)
    queryset = selectors.filtered_log(request.user, filters)
    record_export(Decision, label=f"Decision log ({fmt.upper()})", filters=selectors.used_filters(filters))
    now = timezone.localtime()
    user = request.user
    scope = "Every agency in the partnership" if user.partnership_wide else user.agency.name
    preamble = [("Decisions of", scope), *form.described()]
    child = selectors.filter_child(user, filters.get("child"))
    if child is not None:
        preamble.append(("Child", str(child)))
    if len(preamble) == 1:
        preamble.append(("Filters", "None: every submitted decision you may see"))
    preamble += [("Exported by", user.full_name or user.email), ("As at", f"{long_date(now)}, {now:%H:%M}")]
    stamp = now.strftime("%Y%m%d-%H%M%S")
    title = "Decision log"
    if fmt == "xlsx":
        return xlsx_response(
            filename=f"decision-log-{stamp}.xlsx",
            sheet_title=title,
            title=title,
            preamble=preamble,
            header=exports.HEADER,
            rows=exports.log_rows(queryset),
        )
    return csv_lines_response(
        filename=f"decision-log-{stamp}.csv",
        header=exports.HEADER,
        lines=exports.log_lines(queryset),
        title=title,
        preamble=preamble,
        bom=True,
    )
