"""The one keyset paginator (``isa_portal.pagination``): every row once, in order, both ways;
a forged cursor shows the first page; a deep page starts its index scan at the cursor."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import UserSession
from agreements.models import AgencyKind
from decisions.selectors import log_scope
from isa_portal import pagination
from isa_portal.pagination import cursor_for, keyset_page
from tests.decisions.factories import child_for, submitted_decision
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def _sessions(user, moments) -> list[UserSession]:
    return [
        UserSession.objects.create(user=user, session_key=f"key-{n}", signed_in_at=moment)
        for n, moment in enumerate(moments)
    ]


def _page(**kwargs) -> pagination.Page:
    return keyset_page(UserSession.objects.all(), by="signed_in_at", size=4, **kwargs)


@pytest.mark.parametrize("newest_first", [True, False])
def test_pages_walk_every_row_once_in_order_and_back(practitioner, newest_first):
    now = timezone.now()
    # Three rows share each moment: the id breaks the tie, so none is skipped or shown twice.
    rows = _sessions(practitioner, [now - timedelta(minutes=n // 3) for n in range(11)])
    expected = [r.pk for r in sorted(rows, key=lambda r: (r.signed_in_at, r.pk), reverse=newest_first)]

    pages, after = [], None
    while True:
        page = _page(after=after, newest_first=newest_first)
        pages.append(page)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert [r.pk for page in pages for r in page.items] == expected
    assert [len(page.items) for page in pages] == [4, 4, 3]
    assert pages[0].is_first and pages[0].previous_cursor is None
    assert not pages[1].is_first and pages[1].previous_cursor == cursor_for(pages[1].items[0], "signed_in_at")

    back = _page(before=pages[2].previous_cursor, newest_first=newest_first)
    assert back.items == pages[1].items and not back.is_first
    assert back.next_cursor == pages[1].next_cursor
    first = _page(before=back.previous_cursor, newest_first=newest_first)
    assert first.items == pages[0].items
    assert first.is_first and first.previous_cursor is None


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        "nonsense_x",
        "_",
        "2026-01-01T00:00:00_5",  # no time zone
        "2026-01-01T00:00:00+00:00_0",
        f"2026-01-01T00:00:00+00:00_{2**63}",  # past PostgreSQL's bigint
        "2026-01-01T00:00:00+00:00_-3",
        "99999-01-01T00:00:00+00:00_1",
    ],
)
def test_a_cursor_that_is_not_ours_shows_the_first_page(practitioner, cursor):
    now = timezone.now()
    rows = _sessions(practitioner, [now - timedelta(minutes=n) for n in range(6)])
    for direction in ("after", "before"):
        page = _page(**{direction: cursor})
        assert page.is_first and page.previous_cursor is None
        assert [r.pk for r in page.items] == [r.pk for r in rows[:4]]
        assert page.next_cursor == cursor_for(rows[3], "signed_in_at")


def test_the_page_size_defaults_to_the_modules(practitioner, monkeypatch):
    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)
    _sessions(practitioner, [timezone.now()] * 3)
    page = keyset_page(UserSession.objects.all(), by="signed_in_at")
    assert len(page.items) == 2 and page.next_cursor is not None


def test_a_deep_log_page_starts_the_index_scan_at_the_cursor(practitioner, lead):
    """At a million rows a deep page costs what the first costs only if the cursor is an index condition."""
    recipient = AgencyFactory(name="Recipient Police", kind=AgencyKind.POLICE)
    child = child_for(practitioner)
    decisions = [submitted_decision(practitioner, recipient, child=child) for _ in range(3)]
    captured = []
    with connection.cursor() as cursor:
        # Statistics left by an earlier test's bulk rows (generate_volume's) would steer the
        # planner to another agency index: plan from this test's own rows.
        cursor.execute("ANALYZE decisions_decision")
        cursor.execute("SET enable_seqscan = off")
        queryset = log_scope(lead).filter(outcome="share")
        original = type(queryset).__getitem__

        def spy(self, key):
            captured.append(self.explain())
            return original(self, key)

        type(queryset).__getitem__ = spy
        try:
            page = keyset_page(queryset, after=cursor_for(decisions[-1]))
        finally:
            type(queryset).__getitem__ = original
            cursor.execute("SET enable_seqscan = on")
    assert [d.pk for d in page.items] == [d.pk for d in reversed(decisions[:-1])]
    plan = captured[0]
    assert "Index Scan" in plan  # which of the agency indexes depends on the table's statistics
    index_condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "created <=" in index_condition
