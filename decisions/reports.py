"""Figures about the decision log for /reports/: counts only, never names or free text."""

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from decisions.models import REFUSALS, ConsentPosition, Decision, Outcome
from reports.registry import FigureData, ReportScope, Row, figure

SECTION = "Decisions"


def _submitted(scope: ReportScope):
    decisions = scope.for_agencies(Decision.objects.submitted(), "agency")
    return scope.in_period(decisions, "submitted_at")


@figure(
    key="decisions_by_month",
    section=SECTION,
    title="Decisions by month and outcome",
    chart="line",
    source=Decision,
    order=10,
    description="Submitted share and no-share decisions, by the month they were submitted.",
)
def decisions_by_month(scope: ReportScope) -> FigureData:
    counts = (
        _submitted(scope)
        .annotate(month=TruncMonth("submitted_at", tzinfo=scope.start.tzinfo))
        .values("month", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    table = {(row["month"].astimezone(scope.start.tzinfo).date(), row["outcome"]): row["n"] for row in counts}
    return FigureData(
        series=[label for _, label in Outcome.choices],
        rows=[
            Row(month.strftime("%b %Y"), [table.get((month, value), 0) for value, _ in Outcome.choices])
            for month in scope.months()
        ],
    )


@figure(
    key="decisions_by_consent_position",
    section=SECTION,
    title="Decisions by consent position",
    chart="bar",
    source=Decision,
    order=20,
    description="How consent stood on the decisions submitted in the period; overrides of a refusal "
    "are also counted on their own.",
)
def decisions_by_consent_position(scope: ReportScope) -> FigureData:
    overriding = Q(outcome__in=[Outcome.SHARE, Outcome.SHARE_IN_PART], consent_status__in=list(REFUSALS))
    counts = (
        _submitted(scope)
        .values("consent_position")
        .annotate(n=Count("id"), overrides=Count("id", filter=overriding))
        .order_by()
    )
    totals = {row["consent_position"]: row["n"] for row in counts}
    overrides = sum(row["overrides"] for row in counts)
    rows = [Row(label, [totals.get(value, 0)]) for value, label in ConsentPosition.choices]
    rows.append(Row("Of which overriding a refusal of consent", [overrides]))
    return FigureData(series=["Decisions"], rows=rows, label_heading="Consent position")
