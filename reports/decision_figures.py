"""Figures about the decision log for /reports/: counts only, never names or free text."""

import datetime as dt
import math
from collections import Counter, defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from decisions.management.commands.send_review_digest import working_days_before
from decisions.models import ConsentPosition, Decision, Outcome
from isa_portal.vocabulary import Article6Basis, Article9Condition
from reports import rollups
from reports.registry import FigureData, ReportScope, Row, figure

SECTION = "Decisions"


def _counts(scope: ReportScope) -> Counter:
    """(month, measure, value) -> decisions submitted in the scope (reports.rollups.MEASURES)."""
    return rollups.decision_counts(scope)


def _totals(scope: ReportScope, measure: str) -> Counter:
    """value -> decisions over the whole period, for one measure."""
    return _totals_of(_counts(scope), measure)


def _totals_of(counts: Counter, measure: str) -> Counter:
    totals: Counter = Counter()
    for (_, name, value), n in counts.items():
        if name == measure:
            totals[value] += n
    return totals


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
    counts = _counts(scope)
    return FigureData(
        series=[label for _, label in Outcome.choices],
        rows=[
            Row(month.strftime("%b %Y"), [counts[(month, "outcome", value)] for value, _ in Outcome.choices])
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
    counts = _counts(scope)
    totals = _totals_of(counts, "consent_position")
    rows = [Row(label, [totals[value]]) for value, label in ConsentPosition.choices]
    rows.append(Row("Of which overriding a refusal of consent", [_totals_of(counts, "override")[""]]))
    return FigureData(series=["Decisions"], rows=rows, label_heading="Consent position")


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
    shared: Counter = Counter()
    without: Counter = Counter()
    for (month, measure, value), n in _counts(scope).items():
        if measure == "sharing":
            shared[month] += n
            if value == ConsentPosition.WITHOUT_CONSENT:
                without[month] += n
    return FigureData(
        series=["Shared without consent (%)"],
        rows=[
            Row(
                month.strftime("%b %Y"),
                [round(100 * without[month] / shared[month], 1) if shared[month] else 0.0],
            )
            for month in scope.months()
        ],
    )


def _count_by(scope: ReportScope, measure: str, choices) -> list[Row]:
    totals = _totals(scope, measure)
    return [Row(label, [totals[value]]) for value, label in choices]


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


def _nth(ordered: list[tuple[int, int]], k: int) -> int:
    """The k-th smallest value (from 0) of a histogram given as sorted (value, how many) pairs."""
    seen = 0
    for value, n in ordered:
        seen += n
        if k < seen:
            return value
    raise IndexError(k)


def median_and_90th(histogram: Counter) -> list[int | float]:
    """The median (as statistics.median gives it) and the nearest-rank 90th percentile of a histogram:
    the smallest value at or above nine tenths of the values."""
    ordered = sorted((value, n) for value, n in histogram.items() if n)
    total = sum(n for _, n in ordered)
    if total % 2:
        median: int | float = _nth(ordered, total // 2)
    else:
        median = (_nth(ordered, total // 2 - 1) + _nth(ordered, total // 2)) / 2
    return [round(median, 1), _nth(ordered, max(math.ceil(0.9 * total), 1) - 1)]


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
    by_month: dict = defaultdict(Counter)
    for (month, measure, value), n in _counts(scope).items():
        if measure == "days_to_decision":
            by_month[month][int(value)] += n
    rows = []
    for month in scope.months():
        days = by_month.get(month)
        values = median_and_90th(days) if days and any(days.values()) else [0, 0]
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
        counts[f"band{band}"] = Count("submitted_at", filter=since)  # read from the index alone
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
