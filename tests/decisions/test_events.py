"""Each step of a decision's life writes its named event, by the service, naming who did it."""

import pytest

from accounts.models import Role
from audit.models import AuditEntry, Event
from decisions import services
from decisions.models import Decision, DecisionAddendum, Outcome, Status
from tests.decisions.factories import child_for, draft_decision, submitted_decision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ACCESS = AuditEntry.Action.ACCESS


def _event(event: str, decision: Decision) -> AuditEntry:
    """The one entry of ``event`` about ``decision``."""
    return AuditEntry.objects.get(event=event, content_type__model="decision", object_pk=str(decision.pk))


def _by(entry: AuditEntry, user) -> None:
    assert (entry.actor, entry.actor_email, entry.actor_role) == (user, user.email, user.role)
    assert entry.actor_agency_id == user.agency_id


def test_starting_a_decision_is_recorded(practitioner):
    child = child_for(practitioner)
    decision = services.decision_start(child=child, by=practitioner)
    entry = _event(Event.DECISION_STARTED, decision)
    _by(entry, practitioner)
    assert (entry.action, entry.agency_id) == (ACCESS, practitioner.agency_id)
    assert entry.additional_data == {"child": child.pk, "reconsiders": None}


def test_replaying_a_start_records_nothing_more(practitioner):
    import uuid

    token = uuid.uuid4()
    decision = services.decision_start(child=child_for(practitioner), by=practitioner, token=token)
    services.decision_start(child=decision.child, by=practitioner, token=token)
    assert AuditEntry.objects.filter(event=Event.DECISION_STARTED).count() == 1


def test_a_reconsideration_names_the_decision_it_reconsiders(practitioner, recipient):
    refused = submitted_decision(
        practitioner, recipient, other_reason={"other_reasons": []}, outcome={"outcome": Outcome.DO_NOT_SHARE}
    )
    new = services.decision_reconsider(decision=refused, by=practitioner)
    assert _event(Event.DECISION_STARTED, new).additional_data["reconsiders"] == refused.reference


def test_submitting_is_recorded_with_the_reference_and_outcome(practitioner, recipient):
    decision = submitted_decision(practitioner, recipient)
    entry = _event(Event.DECISION_SUBMITTED, decision)
    _by(entry, practitioner)
    assert entry.action == ACCESS
    assert entry.additional_data == {
        "reference": decision.reference,
        "outcome": Outcome.SHARE,
        "proposed_outcome": decision.proposed_outcome,
        "consent_position": decision.consent_position,
    }
    # After the field changes it explains: a reader of the record's trail meets the change first.
    change = AuditEntry.objects.filter(event=Event.CHANGE, object_pk=str(decision.pk)).latest("id")
    assert change.id < entry.id and change.changes_dict["status"][1] == Status.AWAITING_REVIEW


def test_an_incomplete_submission_records_no_event(practitioner, recipient):
    incomplete = draft_decision(practitioner, recipient, purpose={"purpose": ""})
    with pytest.raises(services.DecisionIncomplete):
        services.decision_submit(decision=incomplete, by=practitioner)
    assert not AuditEntry.objects.filter(event=Event.DECISION_SUBMITTED).exists()


@pytest.mark.parametrize(
    ("action", "event", "to", "countersigned"),
    [
        ("endorse", Event.DECISION_ENDORSED, Status.ENDORSED, True),
        ("return", Event.DECISION_RETURNED, Status.RETURNED, False),
        ("escalate", Event.DECISION_ESCALATED, Status.ESCALATED, False),
    ],
)
def test_each_review_is_its_own_event(practitioner, lead, recipient, action, event, to, countersigned):
    decision = submitted_decision(practitioner, recipient)
    review = services.decision_review(decision=decision, action=action, comments="Because", by=lead)
    entry = _event(event, decision)
    _by(entry, lead)
    assert entry.action == ACCESS
    # The home agency has one lead: an escalation goes straight to the partnership tier.
    tier = {"escalated_to": "partnership"} if action == "escalate" else {}
    assert entry.additional_data == {
        "reference": decision.reference,
        "review": review.pk,
        "from": Status.AWAITING_REVIEW,
        "to": to,
        "countersigned": countersigned,
        **tier,
    }


def test_resolving_a_disagreement_is_recorded(practitioner, lead, recipient):
    """Another lead resolves (nobody resolves their own escalation): an outcome, no countersignature."""
    other_lead = UserFactory(agency=lead.agency, role=Role.LEAD)
    decision = submitted_decision(practitioner, recipient)
    services.decision_review(decision=decision, action="escalate", comments="Disagree", by=lead)
    review = services.decision_review(
        decision=decision, action="resolve", comments="Agreed now", outcome="agreed", by=other_lead
    )
    entry = _event(Event.DECISION_RESOLVED, decision)
    _by(entry, other_lead)
    assert entry.additional_data == {
        "reference": decision.reference,
        "review": review.pk,
        "from": Status.ESCALATED,
        "to": Status.RESOLVED,
        "countersigned": False,
        "outcome": "agreed",
    }


def test_a_review_refused_records_no_event(practitioner, lead, recipient):
    decision = submitted_decision(practitioner, recipient)
    services.decision_review(decision=decision, action="endorse", comments="", by=lead)
    with pytest.raises(services.ReviewConflict):
        services.decision_review(decision=decision, action="return", comments="Late", by=lead)
    assert not AuditEntry.objects.filter(event=Event.DECISION_RETURNED).exists()


def test_an_addendum_is_recorded_and_says_whether_it_went_back_for_review(practitioner, lead, recipient):
    decision = submitted_decision(practitioner, recipient)
    services.decision_review(decision=decision, action="return", comments="Say more", by=lead)
    answer = services.decision_add_addendum(decision=decision, text="More detail", by=practitioner)
    note = services.decision_add_addendum(decision=decision, text="A lead's note", by=lead)
    entries = AuditEntry.objects.filter(event=Event.ADDENDUM_ADDED).order_by("id")
    assert [(e.actor, e.action, e.additional_data) for e in entries] == [
        (
            practitioner,
            ACCESS,
            {"reference": decision.reference, "addendum": answer.pk, "back_for_review": True},
        ),
        (lead, ACCESS, {"reference": decision.reference, "addendum": note.pk, "back_for_review": False}),
    ]
    assert DecisionAddendum.objects.count() == 2
