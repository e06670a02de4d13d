"""Figures drawn from the audit trail: sign-ins, failed sign-ins, refusals, lockouts, views, exports.

Each entry is counted for one agency: the signed-in person's agency at the time
(``actor_agency``) for what people did, and the agency of the account concerned
(``agency``) for failed sign-ins and lockouts, where nobody was signed in.
"""

from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import TruncMonth

from audit.models import AuditEntry, Event
from reports.registry import FigureData, ReportScope, Row, figure

ACCESS = "Sign-ins and access"
NO_AGENCY = "No agency"


def monthly_by_agency(scope: ReportScope, events: list[str], agency_field: str) -> FigureData:
    """Entries of the given events per month (rows) and agency (series), gaps filled with zero."""
    entries = scope.for_agencies(AuditEntry.objects.filter(event__in=events), agency_field)
    entries = scope.in_period(entries, "timestamp")
    counts = (
        entries.annotate(month=TruncMonth("timestamp", tzinfo=scope.start.tzinfo))
        .values("month", f"{agency_field}__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    table: dict[str, dict] = defaultdict(dict)
    for row in counts:
        name = row[f"{agency_field}__name"] or NO_AGENCY
        table[name][row["month"].astimezone(scope.start.tzinfo).date()] = row["n"]
    series = sorted(table, key=lambda name: (name == NO_AGENCY, name.lower()))
    return FigureData(
        series=series,
        rows=[
            Row(month.strftime("%b %Y"), [table[name].get(month, 0) for name in series])
            for month in scope.months()
        ],
    )


def total_by_agency(scope: ReportScope, events: list[str], agency_field: str, label: str) -> FigureData:
    entries = scope.for_agencies(AuditEntry.objects.filter(event__in=events), agency_field)
    counts = (
        scope.in_period(entries, "timestamp")
        .values(f"{agency_field}__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    totals = {row[f"{agency_field}__name"] or NO_AGENCY: row["n"] for row in counts}
    names = sorted(totals, key=lambda name: (name == NO_AGENCY, name.lower()))
    return FigureData(
        series=[label], rows=[Row(name, [totals[name]]) for name in names], label_heading="Agency"
    )


@figure(
    key="sign_ins",
    section=ACCESS,
    title="Sign-ins by month and agency",
    chart="line",
    source=AuditEntry,
    order=10,
    description="Successful sign-ins, counted for the agency of the person signing in.",
)
def sign_ins(scope: ReportScope) -> FigureData:
    return monthly_by_agency(scope, [Event.SIGN_IN], "actor_agency")


@figure(
    key="failed_sign_ins",
    section=ACCESS,
    title="Failed sign-ins by month and agency",
    chart="line",
    source=AuditEntry,
    order=20,
    description="Attempts with a wrong email address or password, counted for the agency of the "
    "account tried. 'No agency' counts attempts on an address that is not a user's.",
)
def failed_sign_ins(scope: ReportScope) -> FigureData:
    return monthly_by_agency(scope, [Event.SIGN_IN_FAILED], "agency")


@figure(
    key="lockouts",
    section=ACCESS,
    title="Accounts locked out by month and agency",
    chart="line",
    source=AuditEntry,
    order=30,
    description="Accounts locked after repeated failed sign-ins, counted for the account's agency.",
)
def lockouts(scope: ReportScope) -> FigureData:
    return monthly_by_agency(scope, [Event.LOCKOUT], "agency")


@figure(
    key="refusals",
    section=ACCESS,
    title="Refused requests by month and agency",
    chart="line",
    source=AuditEntry,
    order=40,
    description="Pages or records a signed-in person was refused (not allowed, or outside their "
    "agency), counted for their agency.",
)
def refusals(scope: ReportScope) -> FigureData:
    return monthly_by_agency(scope, [Event.DENIED], "actor_agency")


@figure(
    key="record_views",
    section=ACCESS,
    title="Records viewed by agency",
    chart="bar",
    source=AuditEntry,
    order=50,
    description="Views of individual records in the period, counted for the agency of the viewer.",
)
def record_views(scope: ReportScope) -> FigureData:
    return total_by_agency(scope, [Event.VIEW], "actor_agency", "Records viewed")


@figure(
    key="exports",
    section=ACCESS,
    title="Exports, downloads and prints by agency",
    chart="bar",
    source=AuditEntry,
    order=60,
    description="Spreadsheets exported, documents downloaded and pages printed, counted for the "
    "agency of the person who did it.",
)
def exports(scope: ReportScope) -> FigureData:
    return total_by_agency(
        scope, [Event.EXPORT, Event.DOWNLOAD, Event.PRINT], "actor_agency", "Exports, downloads and prints"
    )
