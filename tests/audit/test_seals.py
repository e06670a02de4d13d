"""Seals: every submitted record is sealed in the chain as it is written, and a rewrite made past the
database's triggers (as a superuser can) is found and named, record and field."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError, InternalError

from audit.models import AuditEntry, Event, SealSalt
from audit.seals import verify_seals
from decisions import services
from decisions.models import Decision, DecisionReview
from decisions.services import decision_add_addendum, decision_review
from tests.consent.factories import make_assessment, make_consent
from tests.decisions.factories import child_for, submitted_decision
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(practitioner, lead):
    recipient = AgencyFactory(name="Recipient Police")
    child = child_for(practitioner)
    decision = submitted_decision(practitioner, recipient, child)
    review = decision_review(decision=decision, action="escalate", comments="Not proportionate", by=lead)
    addendum = decision_add_addendum(decision=decision, text="Nurse Ann rang again", by=practitioner)
    assessment = make_assessment(
        child, practitioner, reason="Understood every part", matter_detail="Clinic dates"
    )
    consent = make_consent(child, practitioner, discussion_note="Mother agreed on the phone")
    return {
        "decision": Decision.objects.get(pk=decision.pk),
        "review": review,
        "addendum": addendum,
        "assessment": assessment,
        "consent": consent,
    }


def as_superuser_past_the_triggers(sql: str, params: list) -> None:
    """What a database administrator can do: switch the triggers off for the session and write."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = origin")


def test_each_record_is_sealed_once_in_the_chain_with_no_personal_text(records):
    for record in records.values():
        entries = AuditEntry.objects.filter(
            event=Event.RECORD_SEALED, object_pk=str(record.pk), content_type__model=record._meta.model_name
        )
        [entry] = entries
        assert entry.actor_id is not None
        stored = str(entry.additional_data) + entry.object_repr
        for text in ("Nurse Ann", "Clinic dates", "Mother agreed", "Not proportionate", "Amy", "Jo Bloggs"):
            assert text not in stored
        assert SealSalt.objects.filter(entry=entry).exists()


def test_untouched_records_verify(records):
    assert verify_seals() == []


def test_progress_is_reported_up_to_every_sealed_record(records):
    calls = []
    verify_seals(progress=lambda checked, total: calls.append((checked, total)))
    assert calls[-1] == (5, 5)


def _names(records) -> dict[str, str]:
    reference = records["decision"].reference
    return {
        "review": f"review {records['review'].pk} of decision {reference}",
        "addendum": f"addendum {records['addendum'].pk} to decision {reference}",
        "assessment": f"competence assessment {records['assessment'].pk}",
        "decision": f"decision {reference}",
    }


@pytest.mark.parametrize(
    ("kind", "sql", "field"),
    [
        ("review", "UPDATE decisions_decisionreview SET action = 'endorse' WHERE id = %s", "action"),
        ("addendum", "UPDATE decisions_decisionaddendum SET text = 'Nobody rang' WHERE id = %s", "text"),
        (
            "assessment",
            "UPDATE consent_competenceassessment SET outcome = 'not_competent' WHERE id = %s",
            "outcome",
        ),
        (
            "decision",
            "UPDATE decisions_decision SET harm_if_not_shared = 'Nothing much' WHERE id = %s",
            "harm_if_not_shared",
        ),
    ],
)
def test_a_record_rewritten_past_the_triggers_is_named_with_its_field(records, kind, sql, field):
    """The review rewritten from "escalate" to "endorse", the addendum's text, the assessment's
    outcome, a decision's reasoning."""
    as_superuser_past_the_triggers(sql, [records[kind].pk])
    [problem] = verify_seals()
    name = _names(records)[kind]
    assert (problem.record, problem.field) == (name, field)
    assert problem.message == f"{name}: field '{field}' differs from its seal (changed after it was written)."


def test_a_consent_record_rewritten_is_named(records):
    consent = records["consent"]
    as_superuser_past_the_triggers(
        "UPDATE consent_consentrecord SET answer = 'refused', discussion_note = 'Mother refused' "
        "WHERE id = %s",
        [consent.pk],
    )
    problems = verify_seals()
    assert {(p.record, p.field) for p in problems} == {
        (f"consent record {consent.pk}", "answer"),
        (f"consent record {consent.pk}", "discussion_note"),
    }


def test_a_consent_record_given_to_another_recipient_is_named(records):
    consent = records["consent"]
    other = AgencyFactory(name="Somewhere Else")
    as_superuser_past_the_triggers(
        "UPDATE consent_consentrecord_recipients SET agency_id = %s WHERE consentrecord_id = %s",
        [other.pk, consent.pk],
    )
    [problem] = verify_seals()
    assert (problem.record, problem.field) == (f"consent record {consent.pk}", "recipients")


def test_the_review_state_of_a_decision_is_not_sealed(records):
    """A decision's status moves on after submission: that is its review, not a rewrite."""
    assert records["decision"].status == "escalated"
    assert verify_seals() == []


def test_a_record_written_past_the_application_has_no_seal(records):
    review = records["review"]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO decisions_decisionreview "
            "(decision_id, action, comments, reviewer_id, reviewer_name, reviewer_job_title, created) "
            "SELECT decision_id, 'endorse', '', reviewer_id, reviewer_name, reviewer_job_title, created "
            "FROM decisions_decisionreview WHERE id = %s RETURNING id",
            [review.pk],
        )
        [forged] = cursor.fetchone()
    [problem] = verify_seals()
    assert problem.record == f"review {forged} of decision {records['decision'].reference}"
    assert "has no seal" in problem.message


def test_a_sealed_record_deleted_is_named(records):
    addendum = records["addendum"]
    as_superuser_past_the_triggers("DELETE FROM decisions_decisionaddendum WHERE id = %s", [addendum.pk])
    [problem] = verify_seals()
    assert problem.record == f"addendum {addendum.pk}"
    assert "sealed but is gone" in problem.message


def test_a_decision_put_back_to_draft_is_named(records):
    decision = records["decision"]
    as_superuser_past_the_triggers(
        "UPDATE decisions_decision SET status = 'draft' WHERE id = %s", [decision.pk]
    )
    [problem] = verify_seals()
    assert problem.record == f"decision {decision.pk}"
    assert "no longer a record that is sealed" in problem.message


def test_a_salt_removed_from_a_record_never_erased_is_named(records):
    addendum = records["addendum"]
    entry = AuditEntry.objects.get(
        event=Event.RECORD_SEALED, object_pk=str(addendum.pk), content_type__model="decisionaddendum"
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_sealsalt WHERE entry_id = %s", [entry.pk])
    [problem] = verify_seals()
    assert problem.record.startswith(f"addendum {addendum.pk}")
    assert "salt of its seal was removed but the record was never erased" in problem.message


def test_a_second_seal_appended_to_launder_a_rewrite_is_named(records, lead):
    """Rewriting a review and appending a fresh seal of the forgery does not pass."""
    from audit.services import record_seal

    review = records["review"]
    as_superuser_past_the_triggers(
        "UPDATE decisions_decisionreview SET action = 'endorse' WHERE id = %s", [review.pk]
    )
    with transaction.atomic():
        record_seal(DecisionReview.objects.get(pk=review.pk), by=lead)
    messages = [p.message for p in verify_seals()]
    assert any("sealed 2 times" in message for message in messages)
    assert any("field 'action' differs from its seal" in message for message in messages)


@pytest.mark.parametrize(
    ("table", "change"),
    [
        ("decisions_decisionreview", "action = 'endorse'"),
        ("decisions_decisionreview", "comments = ''"),
        ("decisions_decisionaddendum", "text = 'changed'"),
        ("decisions_decisionaddendum", "text = ''"),
        ("consent_consentrecord", "answer = 'refused'"),
        ("consent_competenceassessment", "outcome = 'not_competent'"),
        ("audit_sealsalt", "salt = 'x'"),
    ],
)
def test_postgresql_refuses_to_change_a_sealed_row(records, table, change):
    """Without the superuser's switch, the triggers refuse, the erasure of text included while the
    decision is not tombstoned."""
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {change}")  # noqa: S608 (the test's own fixed strings)


@pytest.mark.parametrize(
    "table",
    [
        "decisions_decisionreview",
        "decisions_decisionaddendum",
        "consent_consentrecord_recipients",
        "consent_consentrecord",
        "consent_competenceassessment",
    ],
)
def test_postgresql_refuses_to_delete_a_sealed_row(records, table):
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (the test's own fixed strings)


def test_the_seal_is_written_with_its_record_or_not_at_all(practitioner):
    """A submission that fails after sealing (here a listener of the submission) leaves no seal."""
    from decisions.signals import decision_submitted
    from tests.decisions.factories import draft_decision

    recipient = AgencyFactory(name="Recipient Police")
    draft = draft_decision(practitioner, recipient)

    def fail(**kwargs):
        raise RuntimeError("a listener failed")

    decision_submitted.connect(fail, dispatch_uid="test-fail")
    try:
        with pytest.raises(RuntimeError):
            services.decision_submit(decision=draft, by=practitioner)
    finally:
        decision_submitted.disconnect(dispatch_uid="test-fail")
    assert not AuditEntry.objects.filter(event=Event.RECORD_SEALED).exists()
    assert not SealSalt.objects.exists()
    assert verify_seals() == []
