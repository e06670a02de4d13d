"""The decision figures on /reports/, against a hand-computed fixture."""

import datetime as dt
import io
import math
import statistics
import zoneinfo
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from isa_portal.vocabulary import Article6Basis, Article9Condition
from reports import registry, rollups
from reports.decision_figures import (
    article6_bases,
    article9_conditions,
    awaiting_review_bands,
    days_to_decision,
    decisions_by_consent_position,
    decisions_by_month,
    median_and_90th,
    shared_without_consent_rate,
)
from reports.models import DecisionCount, DecisionDayCount, RollupRefresh
from reports.registry import ReportScope, Row
from tests.decisions.factories import submitted_decision

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
Q1 = ReportScope(start=dt.datetime(2026, 1, 1, tzinfo=LONDON), end=dt.datetime(2026, 4, 1, tzinfo=LONDON))
NO_SHARE = {"other_reason": {"other_reasons": []}, "outcome": {"outcome": "do_not_share"}}


def _at(monkeypatch, when, author, recipient, **overrides):
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: when)
        return submitted_decision(author, recipient, **overrides)


@pytest.fixture
def q1(monkeypatch, practitioner, outsider, recipient, consent_found):
    utc = dt.UTC
    _at(monkeypatch, dt.datetime(2025, 12, 31, 23, 0, tzinfo=utc), practitioner, recipient)  # before
    _at(monkeypatch, dt.datetime(2026, 1, 5, 9, 0, tzinfo=utc), practitioner, recipient)  # Jan share
    _at(monkeypatch, dt.datetime(2026, 1, 6, 9, 0, tzinfo=utc), practitioner, recipient, **NO_SHARE)  # Jan
    consent_found.status = "refused"
    _at(
        monkeypatch,
        dt.datetime(2026, 3, 31, 22, 30, tzinfo=utc),  # 23:30 BST: still March
        practitioner,
        recipient,
        outcome={"override_reason": "Risk of serious harm"},
    )
    consent_found.status = "none"
    _at(monkeypatch, dt.datetime(2026, 2, 1, 9, 0, tzinfo=utc), outsider, recipient)  # another agency


def test_decisions_by_month_and_outcome(q1, agency):
    everyone = decisions_by_month(Q1)
    assert everyone.series == ["Share", "Share in part", "Do not share"]
    assert [(row.label, list(row.values)) for row in everyone.rows] == [
        ("Jan 2026", [1, 0, 1]),
        ("Feb 2026", [1, 0, 0]),
        ("Mar 2026", [1, 0, 0]),
    ]
    home = decisions_by_month(ReportScope(Q1.start, Q1.end, frozenset({agency.pk})))
    assert [list(row.values) for row in home.rows] == [[1, 0, 1], [0, 0, 0], [1, 0, 0]]


def test_decisions_by_consent_position(q1, agency):
    home = decisions_by_consent_position(ReportScope(Q1.start, Q1.end, frozenset({agency.pk})))
    assert {row.label: row.values[0] for row in home.rows} == {
        "Shared with consent": 0,
        "Shared without consent": 2,
        "Consent not needed: not identifiable or not confidential": 0,
        "Not shared": 1,
        "Of which overriding a refusal of consent": 1,
    }


GIVEN = "given"


@pytest.fixture
def timings(monkeypatch, practitioner, outsider, recipient, consent_found):
    """Decisions with request dates, consent positions and lawful bases placed by hand (all in 2026)."""
    utc = dt.UTC

    def at(when, author=practitioner, *, received=None, consent="none", **overrides):
        consent_found.status = consent
        overrides.setdefault("request", {})["request_received_on"] = received
        decision = _at(monkeypatch, when, author, recipient, **overrides)
        consent_found.status = "none"
        return decision

    with_consent = {"lawful_basis": {"article9_condition": "9_2_a"}}  # paragraph 18 is for without consent
    at(dt.datetime(2026, 1, 20, 12, tzinfo=utc), received=dt.date(2026, 1, 10), consent=GIVEN, **with_consent)
    at(
        dt.datetime(2026, 1, 21, 12, tzinfo=utc),
        received=dt.date(2026, 1, 20),  # 1 day, shared without consent
        lawful_basis={"article6_basis": "legal_obligation", "article9_condition": "none"},
    )
    at(dt.datetime(2026, 1, 22, 12, tzinfo=utc), received=dt.date(2026, 1, 18), **NO_SHARE)  # 4 days
    at(dt.datetime(2026, 1, 23, 12, tzinfo=utc), consent=GIVEN, **with_consent)  # no request date
    at(dt.datetime(2026, 2, 10, 12, tzinfo=utc), outsider, received=dt.date(2026, 2, 7))  # 3 days, other
    at(dt.datetime(2026, 3, 31, 23, 30, tzinfo=utc), received=dt.date(2026, 3, 30))  # 1 April BST: after


def _home(agency):
    return ReportScope(Q1.start, Q1.end, frozenset({agency.pk}))


def test_share_without_consent_rate_by_month(timings, agency):
    # January: three shares, one without consent; February: the other agency's one share, without.
    everyone = shared_without_consent_rate(Q1)
    assert [(row.label, list(row.values)) for row in everyone.rows] == [
        ("Jan 2026", [33.3]),
        ("Feb 2026", [100.0]),
        ("Mar 2026", [0.0]),
    ]
    assert [list(row.values) for row in shared_without_consent_rate(_home(agency)).rows] == [
        [33.3],
        [0.0],
        [0.0],
    ]


def test_lawful_bases_by_article_6_basis_and_article_9_condition(timings, agency):
    bases = {row.label: row.values[0] for row in article6_bases(Q1).rows}
    assert bases == {label: 0 for _, label in Article6Basis.choices} | {
        Article6Basis.PUBLIC_TASK.label: 3,
        Article6Basis.LEGAL_OBLIGATION.label: 1,
    }
    conditions = {row.label: row.values[0] for row in article9_conditions(_home(agency)).rows}
    assert conditions == {label: 0 for _, label in Article9Condition.choices} | {
        Article9Condition.EXPLICIT_CONSENT.label: 2,
        Article9Condition.NONE.label: 1,
    }


def test_days_from_request_to_decision_median_and_90th_percentile(timings, agency):
    # January: 10, 1 and 4 days -> median 4, 90th percentile (nearest rank 3 of 3) 10.
    everyone = days_to_decision(Q1)
    assert everyone.series == ["Median days", "90th percentile days"]
    assert [list(row.values) for row in everyone.rows] == [[4, 10], [3, 3], [0, 0]]
    assert [list(row.values) for row in days_to_decision(_home(agency)).rows] == [[4, 10], [0, 0], [0, 0]]


def test_an_even_number_of_timings_takes_the_middle_two_for_the_median(monkeypatch, practitioner, recipient):
    for day, received in ((5, 4), (6, 3)):  # 1 and 3 days
        _at(
            monkeypatch,
            dt.datetime(2026, 2, day, 12, tzinfo=dt.UTC),
            practitioner,
            recipient,
            request={"request_received_on": dt.date(2026, 2, received)},
        )
    assert days_to_decision(Q1).rows[1].values == [2.0, 3]


def test_decisions_awaiting_review_by_working_days_waited(
    monkeypatch, practitioner, outsider, recipient, agency
):
    utc = dt.UTC
    now = dt.datetime(2026, 4, 8, 12, tzinfo=utc)  # a Wednesday
    _at(monkeypatch, dt.datetime(2026, 4, 7, 12, tzinfo=utc), practitioner, recipient)  # 1 working day
    _at(monkeypatch, dt.datetime(2026, 4, 7, 12, tzinfo=utc), outsider, recipient)  # other agency
    _at(monkeypatch, dt.datetime(2026, 4, 6, 12, tzinfo=utc), practitioner, recipient)  # exactly 2
    _at(monkeypatch, dt.datetime(2026, 4, 3, 12, tzinfo=utc), practitioner, recipient)  # Fri: 3
    _at(monkeypatch, dt.datetime(2026, 4, 1, 12, tzinfo=utc), practitioner, recipient)  # exactly 5
    _at(monkeypatch, dt.datetime(2026, 3, 20, 12, tzinfo=utc), practitioner, recipient)  # weeks
    endorsed = _at(monkeypatch, dt.datetime(2026, 3, 20, 12, tzinfo=utc), practitioner, recipient)
    from decisions import services
    from tests.factories import UserFactory

    lead = UserFactory(agency=agency, role="lead")
    services.decision_review(decision=endorsed, action="endorse", comments="Agreed", by=lead)

    everyone = awaiting_review_bands(Q1, now=now)
    assert everyone.rows == [
        Row("Under 2 working days", [2]),
        Row("2 to 5 working days", [2]),
        Row("More than 5 working days", [2]),
    ]
    home = awaiting_review_bands(_home(agency), now=now)
    assert [row.values[0] for row in home.rows] == [1, 2, 2]


# The same figures from the monthly counts (reports.rollups) instead of the decisions themselves.

COUNTED_FIGURES = (
    decisions_by_month,
    decisions_by_consent_position,
    shared_without_consent_rate,
    article6_bases,
    article9_conditions,
    days_to_decision,
)


def _counted_rows():
    months = DecisionCount.objects.values_list("agency_id", "month", "measure", "value", "count")
    days = DecisionDayCount.objects.values_list("day", "measure", "value", "count")
    return sorted(months, key=lambda row: (row[0] or 0, *row[1:])), sorted(days)


def _live(figure, scope, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(rollups, "_answers", lambda scope, name: False)
        return figure(scope)


def _scopes(agency):
    mid_month = ReportScope(  # 6 January to 30 March: the edges of both months are left out
        dt.datetime(2026, 1, 6, tzinfo=LONDON), dt.datetime(2026, 3, 31, tzinfo=LONDON)
    )
    return [Q1, _home(agency), mid_month, ReportScope(mid_month.start, mid_month.end, frozenset({agency.pk}))]


def _assert_counts_give_the_live_figures(agency, monkeypatch):
    for scope in _scopes(agency):
        assert rollups._answers(scope, RollupRefresh.DECISIONS)
        for figure in COUNTED_FIGURES:
            assert figure(scope) == _live(figure, scope, monkeypatch), (figure.__name__, scope)


def test_each_submit_counts_its_decision_as_a_rebuild_would(q1, timings):
    counted_as_submitted = _counted_rows()
    months, days = counted_as_submitted
    assert sum(count for agency, _, measure, _, count in months if measure == "outcome") == 22
    assert sum(count for _, measure, _, count in days if measure == "outcome") == 11
    rollups.rebuild_decision_counts()
    assert _counted_rows() == counted_as_submitted


def test_figures_from_the_counts_equal_the_figures_counted_live(
    q1, timings, monkeypatch, practitioner, outsider, recipient, agency, consent_found
):
    call_command("refresh_rollups", stdout=io.StringIO())
    _assert_counts_give_the_live_figures(agency, monkeypatch)
    # Submitted since the refresh: at the edges of the period, inside it, and for another agency.
    utc = dt.UTC
    _at(monkeypatch, dt.datetime(2026, 1, 2, 9, tzinfo=utc), practitioner, recipient, **NO_SHARE)
    consent_found.status = "withdrawn"
    _at(
        monkeypatch,
        dt.datetime(2026, 3, 31, 9, tzinfo=utc),
        practitioner,
        recipient,
        outcome={"override_reason": "Risk of serious harm"},
        request={"request_received_on": dt.date(2026, 3, 1)},
    )
    consent_found.status = "none"
    _at(monkeypatch, dt.datetime(2026, 2, 14, 9, tzinfo=utc), outsider, recipient)
    _assert_counts_give_the_live_figures(agency, monkeypatch)
    call_command("refresh_rollups", "--rebuild", stdout=io.StringIO())
    _assert_counts_give_the_live_figures(agency, monkeypatch)


def test_a_whole_months_figures_are_read_from_the_counts_alone(q1, django_assert_num_queries):
    call_command("refresh_rollups", stdout=io.StringIO())
    with registry.reading_once(), django_assert_num_queries(2) as queries:  # refreshes, counts
        for figure in COUNTED_FIGURES:
            figure(Q1)
    assert "decisions_decision" not in " ".join(query["sql"] for query in queries.captured_queries)


def test_before_the_first_refresh_in_another_time_zone_or_from_midday_figures_are_counted_live(timings):
    assert not rollups._answers(Q1, RollupRefresh.DECISIONS)
    call_command("refresh_rollups", stdout=io.StringIO())
    assert rollups._answers(Q1, RollupRefresh.DECISIONS)
    utc_quarter = ReportScope(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    assert not rollups._answers(utc_quarter, RollupRefresh.DECISIONS)
    # 23:30 UTC on 31 March is April in London, March in UTC; the request came on 30 March.
    assert list(decisions_by_month(utc_quarter).rows[2].values) == [1, 0, 0]
    assert list(days_to_decision(utc_quarter).rows[2].values) == [1, 1]
    assert list(days_to_decision(Q1).rows[2].values) == [0, 0]
    after_noon = ReportScope(
        dt.datetime(2026, 1, 20, 12, 30, tzinfo=LONDON), Q1.end
    )  # after the share at 12:00
    assert not rollups._answers(after_noon, RollupRefresh.DECISIONS)
    assert list(decisions_by_month(after_noon).rows[0].values) == [2, 0, 1]


@pytest.mark.parametrize(
    ("histogram", "expected"),
    [({4: 1}, [4, 4]), ({1: 1, 3: 1}, [2.0, 3]), ({10: 1, 1: 1, 4: 1}, [4, 10]), ({0: 9, 30: 1}, [0, 0])],
)
def test_median_and_90th_percentile_from_a_histogram_match_the_list_of_days(histogram, expected):
    days = sorted(value for value, n in histogram.items() for _ in range(n))
    assert median_and_90th(Counter(histogram)) == expected
    assert median_and_90th(Counter(histogram)) == [
        round(statistics.median(days), 1),
        days[max(math.ceil(0.9 * len(days)), 1) - 1],
    ]
