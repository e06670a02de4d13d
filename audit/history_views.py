"""A child's access history: found from the child's page, or by searching in the audit viewer."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import get_visible_or_404, require
from accounts.permissions import Perm
from audit import history
from audit.forms import HistoryFilterForm
from audit.models import Event
from audit.services import record_event
from audit.views import paged
from consent.forms import ChildSearchForm
from consent.models import Child
from consent.selectors import child_search
from isa_portal.exports import csv_response, xlsx_response
from isa_portal.web import long_date

SEARCH_FIELDS = ("name", "nhs_number", "date_of_birth_0", "date_of_birth_1", "date_of_birth_2")
MAX_RESULTS = 50


def child_search_page(request: HttpRequest, *, title: str, intro: str, search_url: str, result_url: str):
    """Find a child by name, date of birth or NHS number among those the user may see; each result
    links to ``result_url``. The search is recorded (which fields were used, not what was typed)."""
    searching = any(request.GET.get(key) for key in SEARCH_FIELDS)
    form = ChildSearchForm(request.GET if searching else None)
    found = searching and form.is_valid()
    children = list(child_search(user=request.user, **form.cleaned_data)[:MAX_RESULTS]) if found else []
    response = render(
        request,
        "audit/child_search.html",
        {
            "form": form,
            "children": children,
            "searching": searching,
            "max_results": MAX_RESULTS,
            "title": title,
            "intro": intro,
            "search_url": search_url,
            "result_url": result_url,
        },
    )
    if found:
        record_event(
            Event.LIST,
            model=Child,
            label=f"Searched children: {title}",
            detail={"searched_by": sorted(key for key in SEARCH_FIELDS if request.GET.get(key))},
        )
    return response


@require(Perm.VIEW_ACCESS_HISTORY)
@require_safe
def child_history_search(request: HttpRequest) -> HttpResponse:
    return child_search_page(
        request,
        title="A child's access history",
        intro="Find the child, then see everyone who looked at, downloaded or changed their records, "
        "and every refused attempt.",
        search_url="audit:child_history_search",
        result_url="audit:child_history",
    )


def _filtered(request: HttpRequest, child: Child):
    form = HistoryFilterForm(request.GET or None)
    kinds, start, end = (), None, None
    if form.is_bound and form.is_valid():
        kinds = [form.cleaned_data["kind"]] if form.cleaned_data.get("kind") else ()
        start, end = form.period()
    entries = history.history(child, request.user, kinds=kinds, start=start, end=end)
    if form.is_bound and not form.is_valid():
        entries = entries.none()
    return form, entries


@require(Perm.VIEW_ACCESS_HISTORY)
@require_safe
def child_history(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_visible_or_404(Child, request.user, pk=pk)
    form, entries = _filtered(request, child)
    page, query = paged(request, entries)
    response = render(
        request,
        "audit/child_history.html",
        {
            "child": child,
            "form": form,
            "page": page,
            "rows": list(history.rows(page.items, child)),
            "filter_query": query,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
    record_event(Event.VIEW, child, detail={"kind": "access_history"})
    return response


@require(Perm.VIEW_ACCESS_HISTORY)
@require_safe
def child_history_export(request: HttpRequest, pk: int, fmt: str = "csv") -> HttpResponse:
    child = get_visible_or_404(Child, request.user, pk=pk)
    form, entries = _filtered(request, child)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "audit/child_history.html",
            {"child": child, "form": form, "page": None, "rows": [], "filter_query": ""},
            status=400,
        )
    record_event(
        Event.EXPORT,
        child,
        label=f"Access history of {child} ({fmt.upper()})",
        detail={"filters": dict(form.described())},
    )
    now = timezone.localtime()
    user = request.user
    nhs = f", NHS number {child.nhs_number}" if child.nhs_number else ""
    preamble = [
        ("Child", f"{child} (born {long_date(child.date_of_birth)}{nhs})"),
        ("Entries of", "Every agency in the partnership" if user.partnership_wide else user.agency.name),
        *(form.described() or [("Filters", "None: every entry you may see")]),
        ("Exported by", user.full_name or user.email),
        ("As at", f"{long_date(now)}, {now:%H:%M}"),
    ]
    stamp = now.strftime("%Y%m%d-%H%M%S")
    title = f"Access history of {child}"
    data = (row for _, row in history.rows(entries.iterator(chunk_size=2000), child))
    if fmt == "xlsx":
        return xlsx_response(
            filename=f"access-history-{child.pk}-{stamp}.xlsx",
            sheet_title="Access history",
            title=title,
            preamble=preamble,
            header=history.HEADER,
            rows=data,
        )
    csv_rows = ([f"{timezone.localtime(row[0]):%Y-%m-%d %H:%M:%S}", *row[1:]] for row in data)
    return csv_response(
        filename=f"access-history-{child.pk}-{stamp}.csv",
        header=history.HEADER,
        rows=csv_rows,
        title=title,
        preamble=preamble,
        bom=True,
    )
