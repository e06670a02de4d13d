"""Each rule and each lifecycle step, through the services. Each test fails without its rule."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Role
from agreements.models import AgencyKind
from audit.models import AuditEntry
from decisions import services
from decisions.models import ConsentPosition, Decision, DecisionLocked, Outcome, ReferenceCounter, Status
from tests.decisions.factories import child_for, draft_decision, submitted_decision
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def _problems(decision):
    with pytest.raises(services.DecisionIncomplete) as raised:
        services.decision_submit(decision=decision, by=decision.created_by)
    return {problem.field: problem.message for problem in raised.value.problems}


def test_a_complete_share_is_submitted_with_a_reference_and_snapshot(
    practitioner, recipient, django_capture_on_commit_callbacks, lead
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = submitted_decision(practitioner, recipient)
    assert decision.status == Status.AWAITING_REVIEW
    assert decision.reference.startswith(f"ISD-{decision.submitted_at.year}-")
    assert decision.reference.endswith("000001")
    assert decision.agency_name == practitioner.agency.name
    assert decision.practitioner_name == practitioner.full_name
    assert decision.practitioner_role == Role.PRACTITIONER
    assert decision.consent_position == ConsentPosition.WITHOUT_CONSENT
    assert [message.to for message in mail.outbox] == [[lead.email]]
    assert decision.reference in mail.outbox[0].subject
    assert decision.child.given_name not in mail.outbox[0].body


def test_snapshot_survives_the_practitioner_moving_agency(practitioner, recipient):
    decision = submitted_decision(practitioner, recipient)
    name = decision.agency_name
    practitioner.agency = AgencyFactory(name="Somewhere else")
    practitioner.role = Role.LEAD
    practitioner.save()
    decision.refresh_from_db()
    assert decision.agency_name == name
    assert decision.practitioner_role == Role.PRACTITIONER


def test_references_are_gap_free_and_abandoned_drafts_take_none(practitioner, recipient):
    first = submitted_decision(practitioner, recipient)
    draft_decision(practitioner, recipient)  # abandoned
    incomplete = draft_decision(practitioner, recipient, purpose={"purpose": ""})
    with pytest.raises(services.DecisionIncomplete):
        services.decision_submit(decision=incomplete, by=practitioner)
    second = submitted_decision(practitioner, recipient)
    number = lambda d: int(d.reference.rsplit("-", 1)[1])  # noqa: E731
    assert number(second) == number(first) + 1
    assert ReferenceCounter.objects.get().last_number == 2


def test_mandatory_referral_cannot_end_in_do_not_share(practitioner, recipient):
    decision = draft_decision(
        practitioner,
        recipient,
        purpose={"information_categories": ["sexual_activity"], "events_on": date(2026, 1, 5)},
        outcome={"outcome": Outcome.DO_NOT_SHARE, "departure_reason": "I prefer not"},
    )
    assert decision.mandatory_referral
    assert decision.proposed_outcome == Outcome.SHARE
    assert "cannot be 'do not share'" in _problems(decision)["outcome"]


def test_sharing_without_consent_needs_grounds_and_proportionality(practitioner, recipient):
    decision = draft_decision(
        practitioner, recipient, grounds={"grounds": [], "harm_if_shared": "", "harm_if_not_shared": ""}
    )
    problems = _problems(decision)
    assert problems["grounds"] == "Select the grounds for sharing without consent"
    assert "harm_if_shared" in problems
    assert "harm_if_not_shared" in problems


def test_overriding_a_refusal_needs_a_reason(practitioner, recipient, consent_found):
    consent_found.status = "refused"
    decision = draft_decision(practitioner, recipient)
    assert decision.overrides_refusal
    assert "refused or withdrawn" in _problems(decision)["override_reason"]


def test_an_override_is_not_complete_until_a_lead_countersigns(practitioner, lead, recipient, consent_found):
    consent_found.status = "withdrawn"
    decision = submitted_decision(
        practitioner, recipient, outcome={"override_reason": "Risk of serious harm outweighs the refusal"}
    )
    assert decision.requires_countersignature
    assert not decision.is_complete
    services.decision_review(decision=decision, action="endorse", comments="", by=lead)
    decision.refresh_from_db()
    assert decision.countersigned_by == lead
    assert decision.is_complete


def test_a_share_with_consent_needs_no_countersignature(practitioner, recipient, consent_found):
    consent_found.status = "given"
    decision = submitted_decision(practitioner, recipient, lawful_basis={"article9_condition": "none"})
    assert decision.consent_position == ConsentPosition.CONSENT_GIVEN
    assert decision.is_complete
    assert decision.other_reasons == [] and decision.grounds == []  # pages that no longer apply are cleared


def test_no_agreement_needs_acknowledgement_with_a_reason(practitioner, recipient):
    decision = draft_decision(
        practitioner, recipient, agreement={"no_agreement_acknowledged": False, "no_agreement_reason": ""}
    )
    assert "not both active signatories" in _problems(decision)["no_agreement_reason"]


def test_an_agreement_in_force_is_recorded_and_needs_no_acknowledgement(practitioner, recipient, cover_found):
    from agreements.models import Agreement, AgreementVersion

    agreement = Agreement.objects.create(
        title="Protocol", tier="protocol", owner=recipient, status="in_force"
    )
    cover_found.version = AgreementVersion.objects.create(agreement=agreement, number="2")
    decision = submitted_decision(practitioner, recipient)
    assert decision.agreement_version == cover_found.version
    assert decision.no_agreement_acknowledged is False


def test_onward_disclosure_records_whether_the_source_agreed(practitioner, recipient):
    decision = draft_decision(
        practitioner,
        recipient,
        openness={"from_other_agency": True, "source_agency": None, "source_agency_agreed": ""},
    )
    problems = _problems(decision)
    assert problems["source_agency"] == "Select the agency the information came from"
    assert "onward disclosure" in problems["source_agency_agreed"]


@pytest.mark.parametrize(
    ("kind", "article6", "article9", "field", "message"),
    [
        (
            AgencyKind.LOCAL_AUTHORITY,
            "recognised_legitimate_interest",
            "none",
            "article6_basis",
            "public authority",
        ),
        (AgencyKind.SCHOOL, "legitimate_interests", "none", "article6_basis", "public authority"),
        (
            AgencyKind.LOCAL_AUTHORITY,
            "public_task",
            "dpa_part3",
            "article9_condition",
            "not an Article 9 condition",
        ),
        (AgencyKind.LOCAL_AUTHORITY, "consent", "none", "article6_basis", "when consent was given"),
        (AgencyKind.LOCAL_AUTHORITY, "public_task", "9_2_a", "article9_condition", "when consent was given"),
        (AgencyKind.VOLUNTARY, "nonsense", "none", "article6_basis", "Select the Article 6 basis"),
        (AgencyKind.VOLUNTARY, "public_task", "none", "article6_basis", "not a public authority"),
        (
            AgencyKind.SCHOOL,
            "public_task",
            "9_2_h",
            "article9_condition",
            "health and social care professionals",
        ),
    ],
)
def test_invalid_lawful_basis_combinations_are_refused(recipient, kind, article6, article9, field, message):
    agency = AgencyFactory(name=f"Agency of kind {kind}", kind=kind)
    author = UserFactory(agency=agency, role=Role.PRACTITIONER)
    decision = draft_decision(
        author, recipient, lawful_basis={"article6_basis": article6, "article9_condition": article9}
    )
    assert message in _problems(decision)[field]


def test_recognised_legitimate_interest_is_open_to_a_voluntary_agency_and_part_3_to_police(recipient):
    voluntary = UserFactory(agency=AgencyFactory(name="Family Support", kind=AgencyKind.VOLUNTARY))
    decision = submitted_decision(
        voluntary, recipient, lawful_basis={"article6_basis": "recognised_legitimate_interest"}
    )
    assert decision.article6_basis == "recognised_legitimate_interest"
    officer = UserFactory(agency=AgencyFactory(name="A Police Force", kind=AgencyKind.POLICE))
    decision = submitted_decision(
        officer,
        recipient,
        law_enforcement={"law_enforcement": True},
        lawful_basis={"article6_basis": "", "article9_condition": "", "schedule8_condition": "sch8_4"},
    )
    assert decision.law_enforcement and decision.schedule8_condition == "sch8_4"
    assert decision.article6_basis == decision.article9_condition == ""


def test_no_share_records_why_sharing_would_be_more_detrimental(practitioner, recipient):
    decision = draft_decision(
        practitioner,
        recipient,
        other_reason={"other_reasons": []},
        outcome={"outcome": Outcome.DO_NOT_SHARE},
        no_share={"no_share_detriment": ""},
    )
    assert decision.proposed_outcome == Outcome.DO_NOT_SHARE
    assert "more detrimental" in _problems(decision)["no_share_detriment"]


def test_departing_from_the_proposed_outcome_needs_a_reason(practitioner, recipient):
    decision = draft_decision(practitioner, recipient, outcome={"outcome": Outcome.DO_NOT_SHARE})
    assert "differs" in _problems(decision)["departure_reason"]


def test_a_step_writes_only_its_own_fields(practitioner, recipient):
    decision = draft_decision(practitioner, recipient)
    with pytest.raises(ValidationError):
        services.decision_answer(
            decision=decision, step="advice", answers={"outcome": "share"}, by=practitioner
        )


def test_only_the_author_edits_or_submits_a_draft(practitioner, lead, recipient):
    decision = draft_decision(practitioner, recipient)
    with pytest.raises(PermissionDenied):
        services.decision_answer(decision=decision, step="advice", answers={"advice_sought": False}, by=lead)
    with pytest.raises(PermissionDenied):
        services.decision_submit(decision=decision, by=lead)


# Lifecycle ------------------------------------------------------------------------------------


def test_a_submitted_decision_cannot_be_changed_by_any_path(practitioner, recipient):
    decision = submitted_decision(practitioner, recipient)
    with pytest.raises(services.AlreadySubmitted):
        services.decision_answer(
            decision=decision, step="advice", answers={"advice_sought": False}, by=practitioner
        )
    with pytest.raises(services.AlreadySubmitted):
        services.decision_submit(decision=decision, by=practitioner)
    decision.outcome = Outcome.DO_NOT_SHARE
    with pytest.raises(DecisionLocked):
        decision.save()
    fresh = Decision(pk=decision.pk, agency=decision.agency, created_by=practitioner, child=decision.child)
    with pytest.raises(DecisionLocked):
        fresh.save()
    with pytest.raises(DecisionLocked):
        Decision.objects.filter(pk=decision.pk).update(outcome=Outcome.DO_NOT_SHARE)
    with pytest.raises(DecisionLocked):
        Decision.objects.get(pk=decision.pk).delete()
    with pytest.raises(DecisionLocked):
        Decision.objects.filter(pk=decision.pk).delete()
    decision.refresh_from_db()
    assert decision.outcome == Outcome.SHARE


def test_a_lead_returns_and_the_practitioner_answers_by_addendum(
    practitioner, lead, recipient, django_capture_on_commit_callbacks
):
    decision = submitted_decision(practitioner, recipient)
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_review(decision=decision, action="return", comments="Say what was shared", by=lead)
    decision.refresh_from_db()
    assert decision.status == Status.RETURNED
    assert mail.outbox[-1].to == [practitioner.email]
    assert "returned" in mail.outbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        addendum = services.decision_add_addendum(
            decision=decision, text="Dates of injuries only", by=practitioner
        )
    decision.refresh_from_db()
    assert decision.status == Status.AWAITING_REVIEW
    assert addendum.author_name == practitioner.full_name
    assert mail.outbox[-1].to == [lead.email]
    with pytest.raises(DecisionLocked):
        addendum.text = "changed"
        addendum.save()


def test_escalation_then_resolution(practitioner, lead, recipient):
    """Another lead of the agency resolves the escalation (nobody resolves their own)."""
    other_lead = UserFactory(agency=lead.agency, role=Role.LEAD)
    decision = submitted_decision(practitioner, recipient)
    services.decision_review(decision=decision, action="escalate", comments="I disagree", by=lead)
    decision.refresh_from_db()
    assert decision.status == Status.ESCALATED
    with pytest.raises(ValidationError):
        services.decision_review(
            decision=decision, action="resolve", comments="", outcome="agreed", by=other_lead
        )
    with pytest.raises(ValidationError):  # how it ended is required
        services.decision_review(decision=decision, action="resolve", comments="Met", by=other_lead)
    services.decision_review(
        decision=decision, action="resolve", comments="Agreed at the meeting", outcome="agreed", by=other_lead
    )
    decision.refresh_from_db()
    assert decision.status == Status.RESOLVED
    assert [r.action for r in decision.reviews.all()] == ["escalate", "resolve"]


def test_returning_or_escalating_needs_comments(practitioner, lead, recipient):
    decision = submitted_decision(practitioner, recipient)
    for action in ("return", "escalate"):
        with pytest.raises(ValidationError):
            services.decision_review(decision=decision, action=action, comments="  ", by=lead)


def test_nobody_reviews_their_own_decision_nor_another_agencys(lead, recipient, outsider):
    decision = submitted_decision(lead, recipient)
    with pytest.raises(PermissionDenied):
        services.decision_review(decision=decision, action="endorse", comments="", by=lead)
    other_lead = UserFactory(agency=outsider.agency, role=Role.LEAD)
    with pytest.raises(PermissionDenied):
        services.decision_review(decision=decision, action="endorse", comments="", by=other_lead)


def test_a_practitioner_cannot_review(practitioner, recipient):
    colleague = UserFactory(agency=practitioner.agency, role=Role.PRACTITIONER)
    decision = submitted_decision(colleague, recipient)
    with pytest.raises(PermissionDenied):
        services.decision_review(decision=decision, action="endorse", comments="", by=practitioner)


def test_a_second_review_of_a_decision_already_reviewed_is_refused(practitioner, lead, recipient):
    decision = submitted_decision(practitioner, recipient)
    services.decision_review(decision=decision, action="endorse", comments="", by=lead)
    with pytest.raises(services.ReviewConflict, match="Endorsed"):
        services.decision_review(decision=decision, action="return", comments="too late", by=lead)


def test_reconsider_starts_a_new_linked_decision(practitioner, recipient):
    decision = submitted_decision(
        practitioner,
        recipient,
        other_reason={"other_reasons": []},
        outcome={"outcome": Outcome.DO_NOT_SHARE},
    )
    new = services.decision_reconsider(decision=decision, by=practitioner)
    assert new.reconsiders == decision
    assert new.is_draft and new.purpose == decision.purpose and new.child == decision.child
    shared = submitted_decision(practitioner, recipient)
    with pytest.raises(PermissionDenied):
        services.decision_reconsider(decision=shared, by=practitioner)


def test_starting_twice_with_one_token_makes_one_draft(practitioner, child):
    import uuid

    token = uuid.uuid4()
    first = services.decision_start(child=child, by=practitioner, token=token)
    second = services.decision_start(child=child, by=practitioner, token=token)
    assert first.pk == second.pk
    assert Decision.objects.count() == 1


def test_starting_a_decision_links_the_agency_to_the_child(lead, recipient):
    child = child_for(UserFactory(agency=recipient))
    decision = services.decision_start(child=child, by=lead)
    assert child.agency_links.filter(agency=lead.agency).exists()
    assert decision.agency == lead.agency


def test_every_write_is_in_the_audit_trail(practitioner, lead, recipient):
    decision = submitted_decision(practitioner, recipient)
    services.decision_review(decision=decision, action="return", comments="More", by=lead)
    services.decision_add_addendum(decision=decision, text="More", by=practitioner)
    models = set(AuditEntry.objects.filter(event="change").values_list("content_type__model", flat=True))
    assert {"decision", "decisionreview", "decisionaddendum", "referencecounter"} <= models
    assert (
        AuditEntry.objects.filter(
            content_type__model="decision", object_pk=str(decision.pk), agency=practitioner.agency
        ).count()
        >= 3
    )


def test_the_chronology_lists_submitted_decisions_only(practitioner, recipient, outsider):
    from consent.chronology import entries_for

    decision = submitted_decision(practitioner, recipient)
    draft = draft_decision(practitioner, recipient, child=decision.child)
    urls = [entry.url for entry in entries_for(decision.child, practitioner)]
    assert reverse("decisions:detail", args=[decision.pk]) in urls
    assert reverse("decisions:detail", args=[draft.pk]) not in urls
    assert entries_for(decision.child, outsider) == []


def test_postgresql_itself_refuses_raw_changes_to_a_submitted_decision(practitioner, recipient):
    from django.db import IntegrityError, InternalError, connection, transaction

    decision = submitted_decision(practitioner, recipient)
    draft = draft_decision(practitioner, recipient)
    for sql in (
        "UPDATE decisions_decision SET outcome = 'do_not_share' WHERE id = %s",
        "UPDATE decisions_decision SET status = 'draft' WHERE id = %s",
        "DELETE FROM decisions_decision WHERE id = %s",
    ):
        with (
            pytest.raises((InternalError, IntegrityError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [decision.pk])
    with connection.cursor() as cursor:  # a draft is still the author's to change
        cursor.execute("UPDATE decisions_decision SET purpose_detail = 'x' WHERE id = %s", [draft.pk])
        cursor.execute("UPDATE decisions_decision SET status = 'endorsed' WHERE id = %s", [decision.pk])
    decision.refresh_from_db()
    assert decision.outcome == Outcome.SHARE and decision.status == "endorsed"


def test_a_refusal_recorded_after_the_consent_page_is_caught_at_submission(
    practitioner, recipient, consent_found
):
    decision = draft_decision(practitioner, recipient)
    consent_found.status = "refused"  # recorded in the consent part while the draft was open
    problems = _problems(decision)
    assert "override_reason" in problems
    decision.refresh_from_db()
    assert decision.consent_status == "refused"  # kept, so the outcome page now asks for the reason
    from decisions.forms import OutcomeForm

    assert "override_reason" in OutcomeForm(decision=decision).fields
