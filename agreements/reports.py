"""Figures about agreements, signatures, ICO registration and incidents for /reports/.

Agreements are the partnership's documents, not one agency's. How an agency scope applies:

- reviews due: every agreement in force, whatever the agency scope (as on the landing pages);
- signatures and ICO registration: the agencies in scope, their own signatures and registration;
- incidents: those recorded against the agencies in scope.

The first three describe today, whatever the period chosen; incidents count the period.
"""

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, Prefetch
from django.db.models.functions import TruncMonth
from django.utils import timezone

from agreements.models import Agency, Agreement, AgreementVersion, IcoState, Incident, IncidentKind, Signature
from agreements.selectors import (
    REVIEW_WARNING_DAYS,
    RegisterState,
    latest_signatures,
    register_state,
    reviews_due,
    version_in_force,
)
from reports.registry import FigureData, ReportScope, Row, figure, read_once

SECTION = "Agreements and incidents"
ICO_FIELDS = ("ico_registration_number", "ico_registration_expires_on")  # what Agency.ico_state reads


def _in_force(scope: ReportScope) -> list[Agreement]:
    """The agreements in force (or under review) with their versions, read once for the page."""

    def load() -> list[Agreement]:
        # Only what the figures read: the rest of an agreement and its versions is long text.
        versions = AgreementVersion.objects.only("agreement_id", "signed_off_on", "next_review_date")
        agreements = Agreement.objects.effective().only("title", "tier", "status")
        return list(agreements.prefetch_related(Prefetch("versions", versions)).order_by("tier", "title"))

    return read_once("agreements-in-force", scope, load)


def _active_agencies(scope: ReportScope) -> list[Agency]:
    """The active agencies in scope (the signatory register's), read once for the page."""
    agencies = Agency.objects.active().only("name", "is_active", *ICO_FIELDS)
    return read_once("active-agencies", scope, lambda: list(scope.for_agencies(agencies, "pk")))


def review_status(*, on: dt.date, agreements: list[Agreement] | None = None) -> FigureData:
    due = reviews_due(on=on, agreements=agreements)
    overdue = sum(1 for item in due if item.version.next_review_date < on)
    return FigureData(
        series=["Agreements"],
        rows=[
            Row("Overdue for review", [overdue]),
            Row(f"Due for review within {REVIEW_WARNING_DAYS} days", [len(due) - overdue]),
        ],
        label_heading="Review",
    )


@figure(
    key="agreement_reviews",
    section=SECTION,
    title="Agreements due for review",
    chart="bar",
    source=Agreement,
    order=10,
    description=f"Agreements in force today whose review date has passed, or falls within "
    f"{REVIEW_WARNING_DAYS} days. Agreements belong to the whole partnership, so every agency's "
    "report counts all of them.",
)
def agreement_reviews(scope: ReportScope) -> FigureData:
    return review_status(on=timezone.localdate(), agreements=_in_force(scope))


SIGNATURE_SERIES = [
    RegisterState.SIGNED_CURRENT,
    RegisterState.SIGNED_EARLIER,
    RegisterState.NOT_SIGNED,
    RegisterState.WITHDRAWN,
    RegisterState.ICO_LAPSED,
]


def signature_states(scope: ReportScope, *, on: dt.date) -> FigureData:
    """As the signatory register counts them (agreements.selectors.register_rows), from the
    signatures alone: an active agency in scope with no signature of an agreement has not signed
    it, so only the (far fewer) signatures are looked at, not every agency against every agreement."""
    agreements = _in_force(scope)
    agencies = _active_agencies(scope)
    if not agencies:
        agreements = []
    latest = {}
    if agreements:
        latest = latest_signatures(agreements, agency_ids=scope.agency_ids, states_only=True)
    expired = {agency.pk for agency in agencies if agency.ico_state(on) == IcoState.EXPIRED}
    active = {agency.pk for agency in agencies}
    versions = {agreement.pk: version_in_force(agreement, on) for agreement in agreements}
    counts: dict[int, Counter] = {agreement.pk: Counter() for agreement in agreements}
    for (agency_id, agreement_id), signature in latest.items():
        if agency_id in active:  # not an agency since closed
            state = register_state(signature, versions[agreement_id], ico_expired=agency_id in expired)
            counts[agreement_id][state] += 1
    rows = []
    for agreement in agreements:
        counted = counts[agreement.pk]
        counted[RegisterState.NOT_SIGNED] += len(active) - counted.total()
        rows.append(Row(agreement.title, [counted[state] for state in SIGNATURE_SERIES]))
    return FigureData(
        series=[RegisterState.LABELS[state] for state in SIGNATURE_SERIES],
        rows=rows,
        label_heading="Agreement",
    )


@figure(
    key="agreement_signatures",
    section=SECTION,
    title="Agencies' signatures on each agreement in force",
    chart="bar",
    source=Signature,
    order=20,
    description="For each agreement in force today, how many active agencies in scope signed the "
    "current version, signed only an earlier one, never signed, withdrew, or signed but their ICO "
    "registration has since expired. An agency scope counts only that agency's own signature.",
)
def agreement_signatures(scope: ReportScope) -> FigureData:
    return signature_states(scope, on=timezone.localdate())


ICO_ROWS = [IcoState.MISSING, IcoState.EXPIRED, IcoState.EXPIRING]


def ico_registration(scope: ReportScope, *, on: dt.date) -> FigureData:
    states = Counter(agency.ico_state(on) for agency in _active_agencies(scope))
    return FigureData(
        series=["Agencies"],
        rows=[Row(state.label, [states[state]]) for state in ICO_ROWS],
        label_heading="ICO registration",
    )


@figure(
    key="ico_registration",
    section=SECTION,
    title="ICO registrations missing or expired",
    chart="bar",
    source=Agency,
    order=30,
    description="Active agencies in scope whose registration with the Information Commissioner is "
    "not recorded, has expired, or expires within 90 days, as of today.",
)
def ico_registration_figure(scope: ReportScope) -> FigureData:
    return ico_registration(scope, on=timezone.localdate())


@figure(
    key="incidents_by_month",
    section=SECTION,
    title="Incidents by month and kind",
    chart="line",
    source=Incident,
    order=40,
    description="Complaints, breaches and challenges recorded against the agencies in scope, by the "
    "month they were reported.",
)
def incidents_by_month(scope: ReportScope) -> FigureData:
    incidents = scope.for_agencies(Incident.objects.all(), "agency").filter(
        reported_on__gte=scope.start.date(), reported_on__lte=scope.last_day
    )
    counts = (
        incidents.annotate(month=TruncMonth("reported_on"))
        .values("month", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    table: dict = defaultdict(int)
    for row in counts:
        table[(row["month"], row["kind"])] = row["n"]
    return FigureData(
        series=[label for _, label in IncidentKind.choices],
        rows=[
            Row(month.strftime("%b %Y"), [table[(month, value)] for value, _ in IncidentKind.choices])
            for month in scope.months()
        ],
    )
