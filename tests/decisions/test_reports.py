"""The decision figures on /reports/, against a hand-computed fixture."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from decisions.reports import decisions_by_consent_position, decisions_by_month
from reports.registry import ReportScope
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
