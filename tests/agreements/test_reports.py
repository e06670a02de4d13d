"""The agreement figures on /reports/, against a hand-computed fixture."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from agreements.models import AgreementStatus, IncidentKind, SignatureState
from agreements.reports import ico_registration, incidents_by_month, review_status, signature_states
from reports.registry import FigureData, ReportScope, Row
from tests.agreements.factories import (
    AgreementFactory,
    IncidentFactory,
    SignatureFactory,
    VersionFactory,
    in_force_agreement,
)
from tests.factories import AgencyFactory, days_ago

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
Q1 = ReportScope(start=dt.datetime(2026, 1, 1, tzinfo=LONDON), end=dt.datetime(2026, 4, 1, tzinfo=LONDON))
SIGNATURE_SERIES = [
    "Signed the current version",
    "Signed an earlier version: needs to sign again",
    "Not signed",
    "Withdrawn",
    "Signed, but not cover: ICO registration expired",
]


def _scope(*agencies) -> ReportScope:
    return ReportScope(Q1.start, Q1.end, frozenset(a.pk for a in agencies))


@pytest.fixture
def agreements(agency, other_agency):
    """A: overdue, home signed, other withdrew. B: due in 30 days, home signed only version 1.
    C: review far off, nobody signed. D: a draft past its review date, not counted."""
    _a, a1 = in_force_agreement(owner=agency, title="A overdue")
    a1.next_review_date = days_ago(5)
    a1.save()
    SignatureFactory(version=a1, agency=agency)
    SignatureFactory(
        version=a1,
        agency=other_agency,
        state=SignatureState.WITHDRAWN,
        withdrawn_on=days_ago(10),
        withdrawal_reason="Left",
    )
    b, b1 = in_force_agreement(owner=agency, title="B due", signed_off_on=days_ago(300))
    VersionFactory(agreement=b, signed_off_on=days_ago(100), next_review_date=days_ago(-30))
    SignatureFactory(version=b1, agency=agency)
    in_force_agreement(owner=agency, title="C later")  # review in 265 days
    draft = AgreementFactory(owner=agency, title="D draft", status=AgreementStatus.DRAFT)
    VersionFactory(agreement=draft, next_review_date=days_ago(1))


def test_agreements_overdue_and_due_for_review_within_90_days(agreements):
    assert review_status(on=timezone.localdate()) == FigureData(
        series=["Agreements"],
        rows=[Row("Overdue for review", [1]), Row("Due for review within 90 days", [1])],
        label_heading="Review",
    )


def test_signature_states_per_agreement_in_force_for_the_agencies_in_scope(agreements, agency, other_agency):
    both = signature_states(_scope(agency, other_agency), on=timezone.localdate())
    assert both.series == SIGNATURE_SERIES
    assert [(row.label, list(row.values)) for row in both.rows] == [
        ("A overdue", [1, 0, 0, 1, 0]),
        ("B due", [0, 1, 1, 0, 0]),
        ("C later", [0, 0, 2, 0, 0]),
    ]
    home = signature_states(_scope(agency), on=timezone.localdate())
    assert [list(row.values) for row in home.rows] == [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0]]


def test_a_signature_of_an_agency_whose_ico_registration_expired_is_counted_as_lapsed(agreements, agency):
    from tests.agreements.factories import registered

    registered(agency, expires_on=days_ago(3))  # signed A's version in force, then the registration lapsed
    home = signature_states(_scope(agency), on=timezone.localdate())
    assert [list(row.values) for row in home.rows] == [[0, 0, 0, 0, 1], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0]]


def test_signature_states_cost_the_same_queries_however_many_agencies(
    agreements, agency, other_agency, django_assert_num_queries
):
    extra = [AgencyFactory(name=f"Extra {n}") for n in range(4)]
    # agreements, their versions, agencies, signatures
    with django_assert_num_queries(4):
        signature_states(_scope(agency), on=timezone.localdate())
    with django_assert_num_queries(4):
        data = signature_states(_scope(agency, other_agency, *extra), on=timezone.localdate())
    assert data.rows[2].values == [0, 0, 6, 0, 0]


def test_signature_states_count_the_rows_of_the_signatory_register(agreements, agency, other_agency):
    from collections import Counter

    from agreements.selectors import register_agencies, register_rows
    from tests.agreements.factories import registered

    AgencyFactory(name="Closed Nursery", is_active=False)
    registered(agency, expires_on=days_ago(1))  # its signature of A stops counting
    on = timezone.localdate()
    for scope in (_scope(agency), _scope(agency, other_agency)):
        counted: dict[str, Counter] = {}
        for row in register_rows(agencies=register_agencies().filter(pk__in=scope.agency_ids), on=on):
            counted.setdefault(row.agreement.title, Counter())[row.state] += 1
        states = ["signed_current", "signed_earlier", "not_signed", "withdrawn", "ico_lapsed"]
        assert [(row.label, list(row.values)) for row in signature_states(scope, on=on).rows] == [
            (title, [counts[state] for state in states]) for title, counts in counted.items()
        ]


def test_every_agencys_signature_states_count_the_register_and_leave_out_closed_agencies(
    agreements, agency, other_agency
):
    """The whole partnership's figure (no agency scope) counts from the signatures: a closed agency's
    signature is not counted, and an active agency with none is "not signed", as the register says."""
    from collections import Counter

    from agreements.models import Agreement
    from agreements.selectors import register_rows
    from tests.agreements.factories import registered

    closed = AgencyFactory(name="Closed Nursery", is_active=False)
    a = Agreement.objects.get(title="A overdue")
    SignatureFactory(version=a.versions.get(), agency=closed)
    AgencyFactory(name="Never Signed Academy")
    registered(other_agency, expires_on=days_ago(2))
    on = timezone.localdate()
    counted: dict[str, Counter] = {}
    for row in register_rows(on=on):
        counted.setdefault(row.agreement.title, Counter())[row.state] += 1
    states = ["signed_current", "signed_earlier", "not_signed", "withdrawn", "ico_lapsed"]
    every = ReportScope(Q1.start, Q1.end, None)
    assert [(row.label, list(row.values)) for row in signature_states(every, on=on).rows] == [
        (title, [counts[state] for state in states]) for title, counts in counted.items()
    ]
    assert signature_states(every, on=on).rows[0].values == [1, 0, 1, 1, 0]  # home, the academy, other


def test_ico_registrations_missing_expired_or_expiring(agency, other_agency):
    today = timezone.localdate()

    def registered(agency, expires_on, **fields):
        agency.ico_registration_number = "Z1234567"
        agency.ico_registration_expires_on = expires_on
        for name, value in fields.items():
            setattr(agency, name, value)
        agency.save()
        return agency

    registered(agency, today + dt.timedelta(days=400))  # valid
    expired = registered(AgencyFactory(name="Lapsed School"), today - dt.timedelta(days=1))
    expiring = registered(AgencyFactory(name="Soon Nursery"), today + dt.timedelta(days=30))
    closed = registered(AgencyFactory(name="Closed Charity"), today - dt.timedelta(days=9), is_active=False)
    everyone = ico_registration(_scope(agency, other_agency, expired, expiring, closed), on=today)
    assert everyone == FigureData(
        series=["Agencies"],
        rows=[
            Row("No registration recorded", [1]),
            Row("Registration expired", [1]),
            Row("Registration expiring soon", [1]),
        ],
        label_heading="ICO registration",
    )
    assert [row.values[0] for row in ico_registration(_scope(agency), on=today).rows] == [0, 0, 0]
    assert [row.values[0] for row in ico_registration(_scope(other_agency), on=today).rows] == [1, 0, 0]


def test_incidents_by_month_and_kind(agency, other_agency):
    IncidentFactory(agency=agency, reported_on=dt.date(2025, 12, 31))  # before
    IncidentFactory(agency=agency, reported_on=dt.date(2026, 1, 1))
    IncidentFactory(agency=agency, reported_on=dt.date(2026, 1, 31))
    IncidentFactory(agency=other_agency, kind=IncidentKind.CHALLENGE, reported_on=dt.date(2026, 2, 14))
    IncidentFactory(agency=agency, kind=IncidentKind.BREACH_STAFF, reported_on=dt.date(2026, 3, 31))
    IncidentFactory(agency=agency, reported_on=dt.date(2026, 4, 1))  # after
    everyone = incidents_by_month(Q1)
    assert everyone.series == [label for _, label in IncidentKind.choices]
    assert [(row.label, list(row.values)) for row in everyone.rows] == [
        ("Jan 2026", [2, 0, 0, 0]),
        ("Feb 2026", [0, 0, 0, 1]),
        ("Mar 2026", [0, 1, 0, 0]),
    ]
    home = incidents_by_month(_scope(agency))
    assert [list(row.values) for row in home.rows] == [[2, 0, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0]]
