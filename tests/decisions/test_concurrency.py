"""Two leads at once, and a double-clicked submit, on PostgreSQL with real transactions."""

import threading

import pytest
from django.db import close_old_connections, connection

from decisions import services
from decisions.models import Decision, DecisionReview, ReferenceCounter, Status
from tests.decisions.factories import draft_decision, submitted_decision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*actions):
    """Run each action in its own thread and database connection, released together."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            results[index] = action()
        except Exception as error:  # the loser's error is the result under test
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_leads_reviewing_at_once_one_wins_the_other_is_told(practitioner, lead, recipient):
    assert connection.vendor == "postgresql"
    other_lead = UserFactory(agency=lead.agency, role="lead")
    decision = submitted_decision(practitioner, recipient)
    results = _race(
        lambda: services.decision_review(decision=decision, action="endorse", comments="", by=lead),
        lambda: services.decision_review(decision=decision, action="return", comments="More", by=other_lead),
    )
    wins = [r for r in results if isinstance(r, DecisionReview)]
    losses = [r for r in results if isinstance(r, services.ReviewConflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert "was not changed" in str(losses[0])
    decision.refresh_from_db()
    assert decision.reviews.count() == 1
    assert decision.status in {Status.ENDORSED, Status.RETURNED}


def test_a_double_clicked_submit_submits_once(practitioner, recipient):
    decision = draft_decision(practitioner, recipient)
    results = _race(
        lambda: services.decision_submit(decision=decision, by=practitioner),
        lambda: services.decision_submit(decision=decision, by=practitioner),
    )
    assert sum(isinstance(r, Decision) for r in results) == 1, results
    assert sum(isinstance(r, services.AlreadySubmitted) for r in results) == 1, results
    assert ReferenceCounter.objects.get().last_number == 1


def test_simultaneous_submissions_get_consecutive_references(practitioner, recipient):
    drafts = [draft_decision(practitioner, recipient) for _ in range(4)]
    results = _race(*[lambda d=d: services.decision_submit(decision=d, by=practitioner) for d in drafts])
    numbers = sorted(int(r.reference.rsplit("-", 1)[1]) for r in results)
    assert numbers == [1, 2, 3, 4]


def _decision_counts():
    from reports.models import DecisionCount, DecisionDayCount

    months = DecisionCount.objects.values_list("agency_id", "month", "measure", "value", "count")
    return sorted(months, key=str), sorted(
        DecisionDayCount.objects.values_list("day", "measure", "value", "count")
    )


def test_decisions_submitted_while_the_counts_are_rebuilt_are_counted_once(practitioner, recipient):
    from reports import rollups

    drafts = [draft_decision(practitioner, recipient) for _ in range(4)]
    submits = [lambda d=d: services.decision_submit(decision=d, by=practitioner) for d in drafts]
    results = _race(*submits, rollups.rebuild_decision_counts, rollups.rebuild_decision_counts)
    assert all(not isinstance(result, Exception) for result in results), results
    counted = _decision_counts()
    assert sum(row[4] for row in counted[0] if row[2] == "outcome" and row[0] is None) == 4
    assert sum(row[3] for row in counted[1] if row[1] == "outcome") == 4
    rollups.rebuild_decision_counts()
    assert _decision_counts() == counted
