"""Retention: decisions past their agreement's retention period become tombstones, audited, never deleted."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import InternalError

from audit.models import AuditEntry, Event
from decisions import retention
from decisions.models import Decision, DecisionLocked
from decisions.services import decision_add_addendum, decision_review
from tests.agreements.factories import AgreementFactory, VersionFactory
from tests.decisions.factories import submitted_decision

pytestmark = pytest.mark.django_db

SECRET = "Bruising seen by the SECRET-NEIGHBOUR"
LATER = 3  # years from now the command "runs"


def _decision_under(practitioner, recipient, cover_found, years, child=None):
    version = VersionFactory(agreement=AgreementFactory(retention_years=years))
    cover_found.version = version
    return submitted_decision(
        practitioner,
        recipient,
        child,
        purpose={"purpose_detail": SECRET},
        openness={"protected_identities": "SECRET-NEIGHBOUR"},
    )


@pytest.fixture
def later(monkeypatch):
    """The command runs LATER years from now."""
    today = retention._today()
    monkeypatch.setattr(retention, "_today", lambda: today + timedelta(days=365 * LATER + 1))


@pytest.fixture
def decisions(practitioner, lead, recipient, cover_found):
    expired = _decision_under(practitioner, recipient, cover_found, 1)
    decision_add_addendum(decision=expired, text="SECRET-NEIGHBOUR rang again", by=practitioner)
    decision_review(decision=expired, action="endorse", comments="SECRET-NEIGHBOUR is credible", by=lead)
    kept_long = _decision_under(practitioner, recipient, cover_found, 10)
    kept_forever = _decision_under(practitioner, recipient, cover_found, None)
    return {"expired": expired, "long": kept_long, "forever": kept_forever}


def _snapshot():
    return {d.pk: (d.purpose_detail, d.tombstoned_at) for d in Decision.objects.all()}


def test_dry_run_lists_and_changes_nothing(decisions, later, capsys):
    before = _snapshot()
    entries = AuditEntry.objects.count()
    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert decisions["expired"].reference in out
    assert decisions["long"].reference not in out
    assert "Dry run" in out
    assert _snapshot() == before
    assert AuditEntry.objects.count() == entries


def test_the_real_run_tombstones_exactly_the_past_retention_decisions(decisions, later):
    call_command("apply_retention")
    expired = Decision.objects.select_related("agreement_version__agreement").get(pk=decisions["expired"].pk)
    assert expired.tombstoned_at is not None
    title = expired.agreement_version.agreement.title
    assert expired.tombstone_reason.startswith(f"Erased under the retention rule of agreement “{title}” on ")
    for name in Decision.ERASED_FIELDS:
        assert getattr(expired, name) in ("", None)
    assert expired.reference == decisions["expired"].reference
    assert expired.submitted_at == decisions["expired"].submitted_at
    assert expired.outcome == decisions["expired"].outcome
    assert [a.text for a in expired.addenda.all()] == [""]
    assert [r.comments for r in expired.reviews.all()] == [""]
    for key in ("long", "forever"):
        untouched = Decision.objects.get(pk=decisions[key].pk)
        assert untouched.tombstoned_at is None
        assert untouched.purpose_detail == SECRET
    assert Decision.objects.count() == 3  # nothing deleted


def test_one_disposal_entry_per_record_erased_holding_no_erased_text(decisions, later):
    """Each record erased is a disposal entry naming the command that ran it, holding no erased text."""
    before = AuditEntry.objects.order_by("-id").first().pk
    call_command("apply_retention")
    new = list(AuditEntry.objects.filter(pk__gt=before).select_related("content_type"))
    # The decision, its addendum and review, and its child, of whom nothing else is held.
    assert {entry.content_type.model for entry in new} == {
        "decision",
        "decisionaddendum",
        "decisionreview",
        "child",
    }
    for entry in new:
        assert entry.event == Event.RECORD_DISPOSED
        assert entry.source == "command:apply_retention"
        assert entry.actor_email == "system (apply_retention)"
        assert entry.additional_data["erased_on"]
        assert "SECRET" not in str(entry.additional_data) + str(entry.changes or "") + entry.object_repr
    [about_decision] = [entry for entry in new if entry.content_type.model == "decision"]
    assert about_decision.object_pk == str(decisions["expired"].pk)
    assert about_decision.additional_data["reference"] == decisions["expired"].reference


@pytest.mark.parametrize("on", ["decision", "child"])
def test_a_legal_hold_on_the_decision_or_its_child_keeps_it(decisions, later, on):
    expired = Decision.objects.select_related("child").get(pk=decisions["expired"].pk)
    holder = expired if on == "decision" else expired.child
    holder.legal_hold = True
    holder.legal_hold_reason = "Serious case review"
    holder.save()  # a submitted decision accepts a legal hold, in Python and in PostgreSQL
    call_command("apply_retention")
    expired.refresh_from_db()
    assert expired.tombstoned_at is None
    assert expired.purpose_detail == SECRET


def test_running_twice_does_nothing_more(decisions, later, capsys):
    call_command("apply_retention")
    after_first = (_snapshot(), AuditEntry.objects.count())
    call_command("apply_retention")
    assert (_snapshot(), AuditEntry.objects.count()) == after_first
    assert "0 record(s) erased" in capsys.readouterr().out


def test_the_lock_still_refuses_other_changes_to_a_tombstone(decisions, later):
    call_command("apply_retention")
    tombstone = Decision.objects.get(pk=decisions["expired"].pk)
    tombstone.outcome = "do_not_share"
    with pytest.raises(DecisionLocked):
        tombstone.save()


def test_postgresql_refuses_a_tombstone_that_changes_more_than_the_erased_text(decisions):
    decision = decisions["expired"]
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE decisions_decision SET tombstoned_at = now(), purpose_detail = '', "
            "outcome = 'do_not_share' WHERE id = %s",
            [decision.pk],
        )
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE decisions_decision SET tombstoned_at = now(), purpose_detail = 'changed' WHERE id = %s",
            [decision.pk],
        )


def test_postgresql_still_refuses_ordinary_changes_to_a_submitted_decision(decisions):
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE decisions_decision SET purpose_detail = '' WHERE id = %s", [decisions["long"].pk]
        )
