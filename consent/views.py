"""Children, their chronology, and the journeys that record competence and consent.

Every view fetches through ``visible_to(user)`` (404 outside scope) after the
role check (403), and every look at a child's records is written to the audit trail.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from accounts.access import get_visible_or_404, require
from accounts.permissions import Perm
from audit.models import Event
from audit.services import record_event, record_view
from consent.chronology import entries_for
from consent.forms import ChildForm, ChildSearchForm, WithdrawForm
from consent.journeys import JOURNEYS
from consent.matching import BY_NHS_NUMBER, Match, child_matches
from consent.models import Child, ChildAgency, CompetenceAssessment, ConsentRecord
from consent.position import consent_position, with_every_record
from consent.selectors import child_search, consent_is_withdrawable
from consent.services import child_create, child_link, consent_withdraw
from isa_portal.pdf import render_pdf
from isa_portal.web import add_service_errors, long_date, posted, save_if_valid
from journeys.engine import Problem, RecordJourney, Section, Step, problems_from, rows_from_forms
from journeys.models import Draft
from journeys.services import draft_discard, draft_save, journey_complete

CHILDREN_PER_PAGE = 25


def _with_reference(children, user):
    """Each child with the user's own agency's reference for them."""
    return children.annotate(
        local_reference=Subquery(
            ChildAgency.objects.filter(child=OuterRef("pk"), agency_id=user.agency_id).values(
                "local_reference"
            )[:1]
        )
    )


def safe_next(request: HttpRequest, url: str | None = None) -> str:
    """A return address from ``?next=`` (or the one given), only if it stays on this site."""
    url = url if url is not None else request.GET.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _with_query(url: str, **params) -> str:
    params = {key: value for key, value in params.items() if value}
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}" if params else url


# Children -------------------------------------------------------------------------------------


@require(Perm.VIEW_CHILD_RECORDS)
@require_safe
def child_list(request: HttpRequest) -> HttpResponse:
    searching = any(
        request.GET.get(key) for key in ("name", "nhs_number", *(f"date_of_birth_{i}" for i in range(3)))
    )
    form = ChildSearchForm(request.GET if searching else None)
    if searching and form.is_valid():
        children = child_search(user=request.user, **form.cleaned_data)
    elif searching:
        children = Child.objects.none()
    else:
        children = Child.objects.visible_to(request.user).order_by("-created_at")
    page = Paginator(_with_reference(children, request.user), CHILDREN_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        "consent/child_list.html",
        {
            "form": form,
            "page": page,
            "searching": searching,
            "query": query.urlencode(),
            "can_record": request.user.can(Perm.RECORD_CONSENT),
        },
    )
    record_event(
        Event.LIST,
        model=Child,
        label="Searched children" if searching else "Listed children",
        detail={"searched_by": sorted(key for key, value in request.GET.items() if value and key != "page")}
        if searching
        else None,
    )
    return response


SUGGESTIONS = 20


@require(Perm.VIEW_CHILD_RECORDS)
@require_safe
def child_suggest(request: HttpRequest) -> JsonResponse:
    """The children picker's search (static/js/app.js): children the person may see whose name has
    every word typed, at most twenty, as JSON. Audited as the children search is; fewer than two
    letters searches nothing."""
    query = request.GET.get("q", "").strip()[:100]
    if len(query.replace(" ", "")) < 2:
        return JsonResponse({"results": []})
    children = child_search(user=request.user, name=query).order_by("family_name", "given_name", "id")
    results = [
        {"id": child.pk, "label": f"{child}, born {long_date(child.date_of_birth)}"}
        for child in children[:SUGGESTIONS]
    ]
    response = JsonResponse({"results": results})
    record_event(
        Event.LIST, model=Child, label="Searched children", detail={"searched_by": ["name"], "from": "picker"}
    )
    return response


@require(Perm.VIEW_CHILD_RECORDS, Perm.RECORD_CONSENT)
def child_create_view(request: HttpRequest) -> HttpResponse:
    """Add a child, or link the agency to the child the partnership already holds (one child, one
    record): by the NHS number without asking; a near match when the practitioner chooses it."""
    form = ChildForm(posted(request))
    near: list[Match] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        matches = child_matches(
            user=request.user,
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            nhs_number=data["nhs_number"],
        )
        near = matches.near
        if near:  # the same answers again, now with the choice between them
            form = ChildForm(request.POST, near=near)
            form.is_valid()
            data = form.cleaned_data
        chosen = data.get("same_child", "")
        if matches.nhs_problem:
            form.add_error("nhs_number", matches.nhs_problem)
        elif matches.nhs is not None:
            return _link(request, matches.nhs, data["local_reference"])
        elif chosen and chosen != ChildForm.NEW_CHILD:
            return _link(request, next(m for m in near if str(m.child.pk) == chosen), data["local_reference"])
        elif "same_child" in form.errors:
            pass
        elif chosen == ChildForm.NEW_CHILD or not {m.child.pk for m in near} - data["confirmed_different"]:
            try:
                child = child_create(
                    given_name=data["given_name"],
                    family_name=data["family_name"],
                    date_of_birth=data["date_of_birth"],
                    nhs_number=data["nhs_number"],
                    local_reference=data["local_reference"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{child} has been added.")
                return redirect("consent:child_detail", pk=child.pk)
        else:
            # Posting again without a choice means "not one of these": a new match warns afresh.
            form.data = form.data.copy()
            form.data["confirmed_different"] = ",".join(str(m.child.pk) for m in near)
    return render(
        request,
        "consent/child_form.html",
        {
            "form": form,
            "duplicates": [m.child for m in near],
            "yours": [m.child for m in near if m.held_by_you],
            "heading": "Add a child",
            "back_url": reverse("consent:child_list"),
            "cancel_url": reverse("consent:child_list"),
        },
    )


def _link(request: HttpRequest, match: Match, local_reference: str) -> HttpResponse:
    """Link the user's agency to the child found, and say so; no second record is made."""
    child = match.child
    _link_row, new = child_link(
        child=child, by=request.user, matched_by=match.by, local_reference=local_reference
    )
    if not new:
        messages.info(
            request, f"Your agency already holds a record about {child}: no second record was made."
        )
    elif match.by == BY_NHS_NUMBER:
        messages.success(
            request,
            f"The partnership already holds a record about {child} with this NHS number. Your agency is "
            "now linked to it: you see the child and your agency's own records about them.",
        )
    else:
        messages.success(
            request,
            f"Your agency is now linked to the partnership's record about {child}: you see the child and "
            "your agency's own records about them.",
        )
    return redirect("consent:child_detail", pk=child.pk)


def _children(request: HttpRequest):
    """Children with, in the same query, the user's own agency's reference for each."""
    return _with_reference(Child.objects.select_related("created_by"), request.user)


def _child_context(request: HttpRequest, child: Child) -> dict:
    return {
        "child": child,
        "local_reference": child.local_reference or "",
        "entries": entries_for(child, request.user),
        "today": timezone.localdate(),
        "can_record": request.user.can(Perm.RECORD_CONSENT),
        "can_see_history": request.user.can(Perm.VIEW_ACCESS_HISTORY),
        "can_decide": request.user.can(Perm.RECORD_DECISION),
    }


@require(Perm.VIEW_CHILD_RECORDS)
@require_safe
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # When the user last saved each unfinished journey about this child, in the child's own query.
    drafts = Draft.objects.visible_to(request.user).filter(child=OuterRef("pk"))
    child = get_visible_or_404(
        _children(request).annotate(
            **{
                f"{name}_draft_saved": Subquery(drafts.filter(journey=name).values("updated_at")[:1])
                for name in JOURNEYS
            }
        ),
        request.user,
        pk=pk,
    )
    with_every_record(child)  # read once for the chronology and the summary
    context = _child_context(request, child)
    # Where consent stands today, from every agency's consent records (consent is the child's).
    context["consent_summary"] = consent_position(child=child, on=timezone.localdate())
    context["drafts"] = [
        (saved, journey, reverse(f"consent:{name}_start", kwargs={"pk": child.pk}))
        for name, journey in JOURNEYS.items()
        if (saved := getattr(child, f"{name}_draft_saved")) is not None
    ]
    response = render(request, "consent/child_detail.html", context)
    record_view(child, page="child and chronology")
    return response


@require(Perm.VIEW_CHILD_RECORDS)
@require_safe
def chronology_print(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_visible_or_404(_children(request), request.user, pk=pk)
    response = render(request, "consent/chronology_print.html", _child_context(request, child))
    record_event(Event.PRINT, child, label=f"Chronology of {child}")
    return response


@require(Perm.VIEW_CHILD_RECORDS)
@require_safe
def chronology_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_visible_or_404(_children(request), request.user, pk=pk)
    context = _child_context(request, child)
    context["printed_by"] = request.user
    context["printed_at"] = timezone.localtime()
    pdf = render_pdf("consent/chronology_pdf.html", context, request=request)
    record_event(Event.DOWNLOAD, child, label=f"Chronology of {child} (PDF)")
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name is ours, never the child's name: downloads folders are not private.
    response["Content-Disposition"] = f'attachment; filename="chronology-{child.pk}.pdf"'
    return response


# Assessments and consent records ---------------------------------------------------------------


@require(Perm.VIEW_CHILD_RECORDS)
@require_safe
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_visible_or_404(
        CompetenceAssessment.objects.select_related("child", "agency", "assessor"), request.user, pk=pk
    )
    response = render(request, "consent/assessment_detail.html", {"assessment": assessment})
    record_view(assessment)
    return response


@require(Perm.VIEW_CHILD_RECORDS)
@require_safe
def consent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consent = get_visible_or_404(
        ConsentRecord.objects.select_related("child", "agency", "recorded_by", "assessment", "withdraws"),
        request.user,
        pk=pk,
    )
    withdrawal = ConsentRecord.objects.filter(withdraws=consent).select_related("recorded_by").first()
    response = render(
        request,
        "consent/consent_detail.html",
        {
            "consent": consent,
            "withdrawal": withdrawal,
            "recipients": list(consent.recipients.all()),
            "can_withdraw": request.user.can(Perm.RECORD_CONSENT) and consent_is_withdrawable(consent),
        },
    )
    record_view(consent)
    return response


@require(Perm.VIEW_CHILD_RECORDS, Perm.RECORD_CONSENT)
def consent_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    consent = get_visible_or_404(ConsentRecord.objects.select_related("child"), request.user, pk=pk)
    if not consent_is_withdrawable(consent):
        messages.error(request, "Only consent that was given, and not yet withdrawn, can be withdrawn.")
        return redirect("consent:consent_detail", pk=consent.pk)
    form = WithdrawForm(posted(request), consent=consent)
    withdrawal = save_if_valid(
        request, form, lambda: consent_withdraw(consent=consent, by=request.user, **form.cleaned_data)
    )
    if withdrawal is not None:
        messages.success(request, "The withdrawal of consent has been recorded.")
        return redirect("consent:consent_detail", pk=withdrawal.pk)
    return render(
        request,
        "consent/withdraw_form.html",
        {
            "form": form,
            "consent": consent,
            "caption": str(consent.child),
            "heading": "Record that consent was withdrawn",
            "back_url": reverse("consent:consent_detail", kwargs={"pk": consent.pk}),
            "cancel_url": reverse("consent:consent_detail", kwargs={"pk": consent.pk}),
        },
    )


def _confirmation(request: HttpRequest, model, pk: int, *, title: str, detail: str, key: str) -> HttpResponse:
    """The page after a consent record or an assessment is written: the panel, a link to the
    record and, when the person came from a decision, the way back to it carrying the record
    (as ``key``)."""
    record = get_visible_or_404(model.objects.select_related("child"), request.user, pk=pk)
    next_url = safe_next(request)
    return render(
        request,
        "consent/confirmation.html",
        {
            "record": record,
            "child": record.child,
            "panel_title": title,
            "record_url": reverse(detail, kwargs={"pk": record.pk}),
            "next_url": _with_query(next_url, **{key: record.pk}) if next_url else "",
        },
    )


@require(Perm.VIEW_CHILD_RECORDS, Perm.RECORD_CONSENT)
@require_safe
def assessment_confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirmation(
        request,
        CompetenceAssessment,
        pk,
        title="Competence assessment recorded",
        detail="consent:assessment_detail",
        key="assessment",
    )


@require(Perm.VIEW_CHILD_RECORDS, Perm.RECORD_CONSENT)
@require_safe
def consent_confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirmation(
        request,
        ConsentRecord,
        pk,
        title="Consent record saved",
        detail="consent:consent_detail",
        key="consent",
    )


# The journeys ------------------------------------------------------------------------------------


def _journey(name: str) -> RecordJourney:
    try:
        return JOURNEYS[name]
    except KeyError:
        raise Http404 from None


def _draft(user, child: Child, flow: RecordJourney) -> Draft | None:
    return Draft.objects.visible_to(user).filter(child=child, journey=flow.name).first()


def _step_url(flow: RecordJourney, child: Child, step: Step) -> str:
    return reverse(f"consent:{flow.name}_step", kwargs={"pk": child.pk, "step": step.name})


def _resume_url(flow: RecordJourney, child: Child, pages: dict) -> str:
    """The first question not yet answered, or check your answers when every one is."""
    step = flow.resume_at(flow.values(pages), answered=pages)
    if step is None:
        return reverse(f"consent:{flow.name}_check", kwargs={"pk": child.pk})
    return _step_url(flow, child, step)


@require(Perm.VIEW_CHILD_RECORDS, Perm.RECORD_CONSENT)
@require_safe
def journey_start(request: HttpRequest, pk: int, journey: str) -> HttpResponse:
    """Carry on where the draft left off (or begin), keeping any return address."""
    flow = _journey(journey)
    child = get_visible_or_404(Child, request.user, pk=pk)
    draft = _draft(request.user, child, flow)
    url = _resume_url(flow, child, draft.answers if draft else {})
    return redirect(_with_query(url, next=safe_next(request)))


@require(Perm.VIEW_CHILD_RECORDS, Perm.RECORD_CONSENT)
def journey_step(request: HttpRequest, pk: int, journey: str, step: str) -> HttpResponse:
    flow = _journey(journey)
    child = get_visible_or_404(Child, request.user, pk=pk)
    current = flow.step(step)
    if current is None:
        raise Http404
    draft = _draft(request.user, child, flow)
    pages = draft.answers if draft else {}
    values = flow.values(pages)
    if current not in flow.applicable(values):
        return redirect(_resume_url(flow, child, pages))
    form = current.form_class(posted(request), child=child, user=request.user, values=values)
    if request.method == "POST" and form.is_valid():
        draft = draft_save(
            user=request.user,
            child=child,
            journey=flow.name,
            step=current.name,
            answers=form.to_json(),
            next_url=safe_next(request),
        )
        return redirect(_resume_url(flow, child, draft.answers))
    if not form.is_bound:
        form.load(pages.get(current.name, {}))  # shown as given, checked only when submitted again
    previous = flow.before(values, current)
    return render(
        request,
        "journeys/step.html",
        {
            "form": form,
            "journey": flow,
            "step": current,
            "child": child,
            "caption": f"{flow.title}: {child}",
            "back_url": _step_url(flow, child, previous)
            if previous
            else reverse("consent:child_detail", kwargs={"pk": child.pk}),
            "cancel_url": safe_next(request, draft.next_url if draft else None)
            or reverse("consent:child_detail", kwargs={"pk": child.pk}),
            "return_here": request.get_full_path(),
            "saved_note": "Your answers are saved on each page, so you can sign out and carry on later "
            f"from {child}'s page.",
        },
    )


@require(Perm.VIEW_CHILD_RECORDS, Perm.RECORD_CONSENT)
def journey_check(request: HttpRequest, pk: int, journey: str) -> HttpResponse:
    flow = _journey(journey)
    child = get_visible_or_404(Child, request.user, pk=pk)
    draft = _draft(request.user, child, flow)
    pages = draft.answers if draft else {}
    values = flow.values(pages)
    if draft is None or flow.resume_at(values, answered=pages) is not None:
        return redirect(_resume_url(flow, child, pages))
    forms = {
        step: step.form_class(child=child, user=request.user, values=values)
        for step in flow.applicable(values)
    }
    problems: list[Problem] = []
    if request.method == "POST":
        try:
            record = journey_complete(journey=flow, child=child, by=request.user, values=values)
        except ValidationError as error:
            problems = problems_from(error, forms, lambda step: _step_url(flow, child, step))
        else:
            next_url = safe_next(request, draft.next_url)
            confirmation = reverse(flow.confirmation_url_name, kwargs={"pk": record.pk})
            return redirect(_with_query(confirmation, next=next_url))
    rows = rows_from_forms(forms, values, lambda step: _step_url(flow, child, step))
    return render(
        request,
        "journeys/check.html",
        {
            "journey": flow,
            "child": child,
            "caption": f"{flow.title}: {child}",
            "sections": [Section("", rows)],
            "problems": problems,
            "back_url": _step_url(flow, child, list(forms)[-1]),
            "submit_heading": "Now save the record",
            "submit_text": "Once saved, this record cannot be changed. "
            "A consent can later be withdrawn, which adds a new record.",
            "submit_label": "Save the record",
            "discard_url": reverse(f"consent:{flow.name}_discard", kwargs={"pk": child.pk}),
        },
    )


@require(Perm.VIEW_CHILD_RECORDS, Perm.RECORD_CONSENT)
@require_POST
def journey_discard(request: HttpRequest, pk: int, journey: str) -> HttpResponse:
    flow = _journey(journey)
    child = get_visible_or_404(Child, request.user, pk=pk)
    draft_discard(user=request.user, child=child, journey=flow.name)
    messages.success(request, "Your unfinished answers have been deleted.")
    return redirect("consent:child_detail", pk=child.pk)
