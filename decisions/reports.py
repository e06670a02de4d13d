"""Figures about the decision log for /reports/: counts only, never names or free text."""

import datetime as dt
import math
import statistics
from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from decisions.management.commands.send_review_digest import working_days_before
from decisions.models import REFUSALS, SHARING_OUTCOMES, ConsentPosition, Decision, Outcome
from isa_portal.vocabulary import Article6Basis, Article9Condition
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


def _month_key(moment, scope: ReportScope):
    return moment.astimezone(scope.start.tzinfo).date().replace(day=1)


@figure(
    key="shared_without_consent_rate",
    section=SECTION,
    title="Share-without-consent rate by month",
    chart="line",
    source=Decision,
    order=30,
    description="Of the decisions to share (in full or in part) submitted each month, the percentage "
    "shared without consent, to one decimal place. A month with no decision to share shows 0.",
)
def shared_without_consent_rate(scope: ReportScope) -> FigureData:
    counts = (
        _submitted(scope)
        .filter(outcome__in=list(SHARING_OUTCOMES))
        .annotate(month=TruncMonth("submitted_at", tzinfo=scope.start.tzinfo))
        .values("month")
        .annotate(
            shared=Count("id"),
            without=Count("id", filter=Q(consent_position=ConsentPosition.WITHOUT_CONSENT)),
        )
        .order_by()
    )
    rates = {
        _month_key(row["month"], scope): round(100 * row["without"] / row["shared"], 1) for row in counts
    }
    return FigureData(
        series=["Shared without consent (%)"],
        rows=[Row(month.strftime("%b %Y"), [rates.get(month, 0.0)]) for month in scope.months()],
    )


def _count_by(scope: ReportScope, field_name: str, choices) -> list[Row]:
    counts = (
        _submitted(scope).exclude(**{field_name: ""}).values(field_name).annotate(n=Count("id")).order_by()
    )
    totals = {row[field_name]: row["n"] for row in counts}
    return [Row(label, [totals.get(value, 0)]) for value, label in choices]


@figure(
    key="article6_bases",
    section=SECTION,
    title="Lawful bases used (UK GDPR Article 6)",
    chart="bar",
    source=Decision,
    order=40,
    description="The Article 6 basis recorded on the decisions submitted in the period.",
)
def article6_bases(scope: ReportScope) -> FigureData:
    return FigureData(
        series=["Decisions"],
        rows=_count_by(scope, "article6_basis", Article6Basis.choices),
        label_heading="Article 6 basis",
    )


@figure(
    key="article9_conditions",
    section=SECTION,
    title="Special category conditions used (UK GDPR Article 9)",
    chart="bar",
    source=Decision,
    order=50,
    description="The Article 9 condition (or DPA 2018 Part 3) recorded on the decisions submitted in "
    "the period, including those that needed none.",
)
def article9_conditions(scope: ReportScope) -> FigureData:
    return FigureData(
        series=["Decisions"],
        rows=_count_by(scope, "article9_condition", Article9Condition.choices),
        label_heading="Article 9 condition",
    )


def _nearest_rank(ordered: list[int], fraction: float) -> int:
    """The smallest value at or above ``fraction`` of the values (the nearest-rank percentile)."""
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1]


@figure(
    key="days_to_decision",
    section=SECTION,
    title="Days from request to decision by month",
    chart="line",
    source=Decision,
    order=60,
    description="Calendar days from the date the request was received to the day the decision was "
    "submitted, for submitted decisions that answered a request, by month of submission. The median, "
    "and the 90th percentile (nearest rank: 9 in 10 decisions took this long or less).",
)
def days_to_decision(scope: ReportScope) -> FigureData:
    timings = (
        _submitted(scope)
        .filter(request_received_on__isnull=False)
        .values_list("submitted_at", "request_received_on")
        .order_by()
    )
    by_month: dict = defaultdict(list)
    for submitted_at, received_on in timings:
        decided_on = submitted_at.astimezone(scope.start.tzinfo).date()
        by_month[decided_on.replace(day=1)].append((decided_on - received_on).days)
    rows = []
    for month in scope.months():
        days = sorted(by_month.get(month, []))
        values = [round(statistics.median(days), 1), _nearest_rank(days, 0.9)] if days else [0, 0]
        rows.append(Row(month.strftime("%b %Y"), values))
    return FigureData(series=["Median days", "90th percentile days"], rows=rows)


WAITING_BANDS = (
    (0, 2, "Under 2 working days"),
    (2, 5, "2 to 5 working days"),
    (5, None, "More than 5 working days"),
)


def awaiting_review_bands(scope: ReportScope, *, now: dt.datetime) -> FigureData:
    """Decisions waiting now for a lead (review or an escalated disagreement), by working days waited."""
    waiting = scope.for_agencies(Decision.objects.waiting_for_review(), "agency")
    counts = {}
    for band, (low, high, _) in enumerate(WAITING_BANDS):
        since = Q(submitted_at__lte=working_days_before(now, low)) if low else Q()
        if high is not None:
            since &= Q(submitted_at__gt=working_days_before(now, high))
        counts[f"band{band}"] = Count("id", filter=since)
    totals = waiting.aggregate(**counts)
    return FigureData(
        series=["Decisions waiting"],
        rows=[Row(label, [totals[f"band{band}"]]) for band, (_, _, label) in enumerate(WAITING_BANDS)],
        label_heading="Waiting for",
    )


@figure(
    key="awaiting_review",
    section=SECTION,
    title="Decisions awaiting review now, by how long they have waited",
    chart="bar",
    source=Decision,
    order=70,
    description="Decisions of the agencies in scope waiting today for a safeguarding lead (review or "
    "an escalated disagreement), whatever the period chosen, counted by working days (Monday to "
    "Friday) since they were submitted, as the daily reminder to leads counts them.",
)
def awaiting_review(scope: ReportScope) -> FigureData:
    return awaiting_review_bands(scope, now=timezone.now())
