"""Reports for IG officers and safeguarding leads: each figure as a chart, a table and downloads."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from accounts.access import require
from accounts.permissions import Perm
from audit.services import record_export
from isa_portal.exports import csv_response, xlsx_response
from isa_portal.web import long_date
from reports import charts, registry, rollups
from reports.forms import ReportFilterForm
from reports.models import RollupRefresh

# A table longer than this (a screen) shows its first rows; the download holds the rest.
TABLE_ROWS = 15


def _form(request: HttpRequest) -> ReportFilterForm:
    return ReportFilterForm(request.GET or None, user=request.user)


def _drawn(figure: registry.Figure, data: registry.FigureData) -> dict:
    """The chart, its key and the table of a figure with something to show."""
    if data.is_empty:
        return {}
    return {
        "chart": charts.draw(data, kind=figure.chart, chart_id=f"chart-{figure.key}", title=figure.title),
        "key": charts.key(data, kind=figure.chart),
        "table": charts.table(data, title=figure.title, limit=TABLE_ROWS),
        "more_rows": max(len(data.rows) - TABLE_ROWS, 0),
    }


def figure_section(
    figure: registry.Figure, data: registry.FigureData, *, query: str, index: str | None = None
) -> SafeString:
    """A figure on the page: its heading, what it counts, the chart with its key, the table and the
    downloads (for the same dates and agency). Written here, not by a template: the page has
    seventeen, and a template's lookups, tests and {% url %}s over them took four milliseconds.
    ``index``: the page's URL, when the caller has it (the downloads are "<index><key>.<fmt>")."""
    key, title = escape(figure.key), escape(figure.title)
    parts = [
        f'<section class="app-report-figure" aria-labelledby="heading-{key}">\n'
        f'  <h3 class="govuk-heading-m" id="heading-{key}">{title}</h3>\n'
    ]
    if figure.description:
        parts.append(f'  <p class="govuk-body">{escape(figure.description)}</p>\n')
    drawn = _drawn(figure, data)
    if not drawn:
        parts.append('  <p class="govuk-body">Nothing to count in this period.</p>\n')
    else:
        parts.append(f"  {drawn['chart']}\n")
        if drawn["key"]:
            parts.append(f'  <ul class="govuk-list app-chart-key" aria-hidden="true">{drawn["key"]}</ul>\n')
        parts.append(f"  {drawn['table']}\n")
        if more := drawn["more_rows"]:
            parts.append(
                f'  <p class="govuk-body app-no-print">{more} more row{pluralize(more)} not shown: '
                "download the table below for every row.</p>\n"
            )
    asked = f"?{escape(query)}" if query else ""
    lower = escape(figure.title.lower())
    index = index if index is not None else reverse("reports:index")
    csv, xlsx = f"{index}{figure.key}.csv", f"{index}{figure.key}.xlsx"
    parts.append(
        '  <p class="govuk-body app-no-print">Download these figures:\n'
        f'    <a class="govuk-link" href="{escape(csv)}{asked}">CSV'
        f'<span class="govuk-visually-hidden"> for {lower}</span></a>,\n'
        f'    <a class="govuk-link" href="{escape(xlsx)}{asked}">Excel (XLSX)'
        f'<span class="govuk-visually-hidden"> for {lower}</span></a>\n'
        "  </p>\n</section>"
    )
    return mark_safe("".join(parts))  # noqa: S308  (every text is escaped; the drawings are)


@require(Perm.VIEW_REPORTS)
@require_safe
def report_index(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    query = request.GET.urlencode()
    index = reverse("reports:index")
    sections: list[dict] = []
    scope = None
    summarised_at = None
    if not form.is_bound or form.is_valid():
        scope = form.scope()
        with registry.reading_once():
            computed = [(figure, figure.compute(scope)) for figure in registry.figures()]
            audit_summary = rollups.refreshes(scope).get(RollupRefresh.AUDIT)
        summarised_at = audit_summary.refreshed_at if audit_summary else None
        for figure, data in computed:
            if not sections or sections[-1]["title"] != figure.section:
                sections.append({"title": figure.section, "figures": []})
            sections[-1]["figures"].append(
                {
                    "figure": figure,
                    "data": data,
                    "html": figure_section(figure, data, query=query, index=index),
                }
            )
    return render(
        request,
        "reports/index.html",
        {
            "form": form,
            "sections": sections,
            "scope": scope,
            "as_at": timezone.now(),
            "summarised_at": summarised_at,
            "query": query,
        },
    )


def board_preamble(user, scope: registry.ReportScope) -> list[tuple[str, str]]:
    """What a download says above its figures, for a board paper: whose figures, which period, when."""
    from agreements.models import Agency

    if scope.agency_ids is None:
        agency = "Every agency in the partnership"
    else:
        agency = ", ".join(
            Agency.objects.filter(pk__in=scope.agency_ids).order_by("name").values_list("name", flat=True)
        )
    now = timezone.localtime()
    return [
        ("Agency", agency),
        ("Period", f"{long_date(scope.start)} to {long_date(scope.last_day)}"),
        ("As at", f"{long_date(now)}, {now:%H:%M}"),
    ]


@require(Perm.VIEW_REPORTS)
@require_safe
def download(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    figure = registry.get_figure(key)
    if figure is None:
        raise Http404
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse("Check the dates and agency asked for.", status=400, content_type="text/plain")
    scope = form.scope()
    with registry.reading_once():
        data = figure.compute(scope)
    header = [data.label_heading, *data.series]
    rows = ([row.label, *row.values] for row in data.rows)
    filename = f"{key}-{timezone.localdate():%Y%m%d}.{fmt}"
    described = {"title": figure.title, "preamble": board_preamble(request.user, scope)}
    if fmt == "xlsx":
        response = xlsx_response(
            filename=filename, sheet_title=figure.title, header=header, rows=rows, **described
        )
    else:
        response = csv_response(filename=filename, header=header, rows=rows, bom=True, **described)
    record_export(
        figure.source,
        label=f"Report: {figure.title} ({fmt.upper()})",
        figure=key,
        date_from=scope.start.date().isoformat(),
        date_to=scope.last_day.isoformat(),
        agencies=sorted(scope.agency_ids) if scope.agency_ids is not None else "all",
    )
    return response
