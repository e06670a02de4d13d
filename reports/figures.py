"""Figures drawn from the audit trail: sign-ins, failed sign-ins, refusals, lockouts, views, exports.

Each entry is counted for one agency: the signed-in person's agency at the time
(``actor_agency``) for what people did, and the agency of the account concerned
(``agency``) for failed sign-ins and lockouts, where nobody was signed in.
"""

from collections import Counter, defaultdict

from audit.models import AuditEntry, Event
from reports import rollups
from reports.registry import FigureData, ReportScope, Row, figure

ACCESS = "Sign-ins and access"
NO_AGENCY = "No agency"


def _by_agency(scope: ReportScope, events: list[str]) -> dict[str, Counter]:
    """agency name -> month -> entries of the given events, for agencies with any in the period.

    Which agency an entry counts for depends on its event (rollups.COUNTED_FOR_ACCOUNT and
    COUNTED_FOR_ACTOR).
    """
    counts = rollups.audit_counts(scope)
    table: dict[str, Counter] = defaultdict(Counter)
    for event in events:
        for name, months in counts.get(event, {}).items():
            table[name or NO_AGENCY].update(months)
    return {name: months for name, months in table.items() if any(months.values())}


def _agency_order(name: str) -> tuple[bool, str]:
    return (name == NO_AGENCY, name.lower())


def monthly_by_agency(scope: ReportScope, events: list[str]) -> FigureData:
    """Entries of the given events per month (rows) and agency (series), gaps filled with zero."""
    table = _by_agency(scope, events)
    series = sorted(table, key=_agency_order)
    return FigureData(
        series=series,
        rows=[
            Row(month.strftime("%b %Y"), [table[name][month] for name in series]) for month in scope.months()
        ],
    )


def total_by_agency(scope: ReportScope, events: list[str], label: str) -> FigureData:
    totals = {name: sum(months.values()) for name, months in _by_agency(scope, events).items()}
    names = sorted(totals, key=_agency_order)
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
    return monthly_by_agency(scope, [Event.SIGN_IN])


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
    return monthly_by_agency(scope, [Event.SIGN_IN_FAILED])


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
    return monthly_by_agency(scope, [Event.LOCKOUT])


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
    return monthly_by_agency(scope, [Event.DENIED])


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
    return total_by_agency(scope, [Event.VIEW], "Records viewed")


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
        scope, [Event.EXPORT, Event.DOWNLOAD, Event.PRINT], "Exports, downloads and prints"
    )
