"""Every write to the decision log. Each runs in one transaction with its named audit event.

Who may do what is checked here as well as in the views, so a management command
or a seeder cannot go around the rules either. Each step of a decision's life writes its
event (``Event.DECISION_SUBMITTED``, ``DECISION_ENDORSED``...) through
``audit.services.record_event``, in the transaction of the change; django-auditlog adds
each row's field changes beside it.
"""

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.permissions import Perm
from audit.models import Event
from audit.services import record_event, record_seal
from consent.services import child_agency_link
from decisions import integrations, notifications, rules
from decisions.journeys import DECISION, fields_of
from decisions.models import (
    WAITING_FOR_LEAD,
    Decision,
    DecisionAddendum,
    DecisionLocked,
    DecisionReview,
    Outcome,
    ReferenceCounter,
    ReviewAction,
    Status,
)
from decisions.signals import decision_submitted


class AlreadySubmitted(DecisionLocked):
    """A replayed or double-clicked submit, or an edit of a decision already submitted."""


class ReviewConflict(Exception):
    """The decision moved on (another lead acted) between opening the page and acting."""


class DecisionIncomplete(ValidationError):
    def __init__(self, problems: list[rules.Problem]):
        super().__init__([problem.message for problem in problems])
        self.problems = problems


def _locked(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().get(pk=decision.pk)


def _snapshot(decision: Decision, user) -> None:
    """Who decides, as they are now: taken when the draft opens and again at submission."""
    decision.practitioner_name = user.full_name
    decision.practitioner_job_title = user.job_title
    decision.practitioner_role = user.role
    decision.agency_name = user.agency.name if user.agency else ""


def _child_snapshot(decision: Decision) -> None:
    """The child as they are at submission, kept on the record (``Decision.child_as_submitted``)."""
    child = decision.child
    decision.submitted_child_name = str(child)
    decision.submitted_child_date_of_birth = child.date_of_birth
    decision.submitted_child_nhs_number = child.nhs_number


def _derive(decision: Decision) -> None:
    decision.sexual_activity_under_13 = rules.sexual_activity_under_13(decision)
    decision.proposed_outcome = rules.proposed_outcome(decision)
    if DECISION.stopped(decision):  # where the flowchart stops, the decision is not to share
        decision.outcome = Outcome.DO_NOT_SHARE
    decision.consent_position = rules.consent_position(decision)
    decision.originator_refused = rules.originator_refused(decision)


@transaction.atomic
def decision_start(
    *, child, by, token: uuid.UUID | None = None, reconsiders: Decision | None = None
) -> Decision:
    """Open a draft decision about ``child``. The same ``token`` twice gives the same draft."""
    if not by.can(Perm.RECORD_DECISION) or by.agency_id is None:
        raise PermissionDenied("Only practitioners and leads of an agency record decisions.")
    if token is not None:
        existing = Decision.objects.filter(creation_token=token).first()
        if existing is not None:
            if existing.created_by_id != by.pk:
                raise PermissionDenied
            return existing
    decision = Decision(
        agency=by.agency, created_by=by, child=child, creation_token=token, reconsiders=reconsiders
    )
    if reconsiders is not None:
        for field in (
            "requester_name",
            "requester_role",
            "requester_agency",
            "request_method",
            "identity_check",
            "identity_method",
            "identity_checked_against",
            "identity_outcome",
            "written_confirmation",
            "purpose",
            "purpose_detail",
        ):
            setattr(decision, field, getattr(reconsiders, field))
    _snapshot(decision, by)
    decision.save()
    child_agency_link(child=child, agency=by.agency)
    record_event(
        Event.DECISION_STARTED,
        decision,
        actor=by,
        detail={"child": child.pk, "reconsiders": reconsiders.reference if reconsiders else None},
    )
    return decision


@transaction.atomic
def decision_answer(*, decision: Decision, step: str, answers: dict[str, Any], by) -> Decision:
    """Save one question page's answers on a draft. Only that page's fields are written."""
    decision = _locked(decision)
    if decision.created_by_id != by.pk:
        raise PermissionDenied("Only the author edits a draft decision.")
    if not decision.is_draft:
        raise AlreadySubmitted(f"{decision} has been submitted and can no longer be changed.")
    allowed = set(fields_of(DECISION.step(step)))
    unexpected = set(answers) - allowed
    if unexpected:
        raise ValidationError(f"Unexpected answers for this page: {sorted(unexpected)}")
    for field, value in answers.items():
        setattr(decision, field, value)
    if step in CONSENT_BEARING_STEPS:
        _record_consent(decision)
    if step == "recipient" or (step == "purpose" and decision.recipient_agency_id):
        _record_cover(decision)
    _derive(decision)
    decision.updated = timezone.now()
    decision.save()
    return decision


# The pages whose answers the consent position turns on (what, for what, with whom): it is looked up
# again when each is saved, so the pages after them show it as it stands, and again at submission.
CONSENT_BEARING_STEPS = frozenset({"purpose", "consent", "recipient"})


def _consent_recipient(decision: Decision):
    return decision.recipient_agency or decision.requester_agency


def _record_consent(decision: Decision, on: date | None = None) -> None:
    found = integrations.consent_for(
        child=decision.child,
        recipient=_consent_recipient(decision),
        purpose=decision.purpose,
        on=on or timezone.localdate(),
        information_categories=decision.information_categories or None,
    )
    decision.consent_status = found.status
    decision.consent_record = found.record
    decision.competence_assessment = found.record.assessment if found.record is not None else None


def _record_cover(decision: Decision, on: date | None = None) -> None:
    """What covers the share (both agencies' signatures), kept with a note of it or of why nothing did."""
    cover = integrations.cover_for(
        agency=decision.recipient_agency,
        purpose=decision.purpose,
        on=on or timezone.localdate(),
        sharer=decision.agency,
    )
    decision.agreement_version = cover.version if cover else None
    decision.cover_note = getattr(cover, "note", "")
    if cover:
        decision.no_agreement_acknowledged = False
        decision.no_agreement_reason = ""
        # A condition of the agreement the law set aside (rules.law_overrides_agreement) is on the record.
        if set_aside := rules.conditions_set_aside(decision):
            decision.cover_note = f"{decision.cover_note} {set_aside}".strip()


def _next_reference(year: int) -> str:
    """The next number in the year, gap-free: the counter row is locked until the submit commits."""
    ReferenceCounter.objects.get_or_create(year=year)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save()
    return f"ISD-{year}-{counter.last_number:06d}"


def decision_submit(*, decision: Decision, by) -> Decision:
    """Lock the decision for ever, give it its reference and send it to the agency's leads.

    Consent and agreement cover are looked up again first, as they stand now, and
    kept on the draft even when something is missing, so the question pages show
    what changed (a refusal recorded meanwhile asks for an override reason). The
    reference is given at submission, not when the draft opens, so abandoned drafts
    leave no gaps; the counter row's lock is held only until this commits.
    """
    with transaction.atomic():
        decision = _locked_draft(decision, by)
        now = timezone.now()
        _record_consent(decision, timezone.localdate(now))
        if decision.is_sharing:
            _record_cover(decision, timezone.localdate(now))
        else:
            decision.cover_note = ""
        _derive(decision)
        decision.save()
    with transaction.atomic():
        decision = _locked_draft(decision, by)
        found = rules.problems(decision)
        if found:
            raise DecisionIncomplete(found)
        _clear_unused_answers(decision)
        _snapshot(decision, by)
        _child_snapshot(decision)
        now = timezone.now()
        decision.reference = _next_reference(timezone.localdate(now).year)
        decision.status = Status.AWAITING_REVIEW
        decision.submitted_at = now
        decision.updated = now
        decision.save()
        record_seal(decision, by=by)
        record_event(
            Event.DECISION_SUBMITTED,
            decision,
            actor=by,
            detail={
                "reference": decision.reference,
                "outcome": decision.outcome,
                "proposed_outcome": decision.proposed_outcome,
                "consent_position": decision.consent_position,
            },
        )
        decision_submitted.send(sender=Decision, decision=decision)
        notifications.after_commit(notifications.review_awaited, decision)
    return decision


def _locked_draft(decision: Decision, by) -> Decision:
    decision = _locked(decision)
    if decision.created_by_id != by.pk:
        raise PermissionDenied("Only the author submits a decision.")
    if not decision.is_draft:
        raise AlreadySubmitted(f"{decision} has already been submitted.")
    return decision


def _clear_unused_answers(decision: Decision) -> None:
    """Answers to pages that no longer apply (the decision changed course) are not part of the record."""
    applicable = DECISION.applicable(decision)
    kept = {field for step in applicable for field in fields_of(step)}  # two pages may ask one question
    for step in DECISION.steps:
        if step in applicable:
            continue
        for field in fields_of(step):
            if field in kept:
                continue
            model_field = decision._meta.get_field(field)
            setattr(decision, model_field.attname, model_field.get_default())
    _derive(decision)


# Each review action: the state it leads to and its audit event. Which actions a user may take
# on a decision in its state is ``rules.review_actions`` (the escalation ladder).
TRANSITIONS = {
    ReviewAction.ENDORSE: (Status.ENDORSED, Event.DECISION_ENDORSED),
    ReviewAction.RETURN: (Status.RETURNED, Event.DECISION_RETURNED),
    ReviewAction.ESCALATE: (Status.ESCALATED, Event.DECISION_ESCALATED),
    ReviewAction.RESOLVE: (Status.RESOLVED, Event.DECISION_RESOLVED),
}


def can_review(decision: Decision, user) -> bool:
    """Whether ``user`` is one of the decision's reviewers: a lead of its agency (never its author),
    or the partnership's designated lead once the decision is at the partnership tier."""
    if user.pk == decision.created_by_id:
        return False
    if user.can(Perm.REVIEW_PARTNERSHIP_TIER):
        return Decision.objects.partnership_tier().filter(pk=decision.pk).exists()
    return user.can(Perm.REVIEW_DECISION) and user.agency_id == decision.agency_id


def latest_escalation(
    decision: Decision, reviews: list[DecisionReview] | None = None
) -> DecisionReview | None:
    """The escalation the decision now stands at, if it is escalated (from ``reviews`` if read already)."""
    if decision.status != Status.ESCALATED:
        return None
    if reviews is not None:
        return next((r for r in reversed(reviews) if r.action == ReviewAction.ESCALATE), None)
    return decision.reviews.filter(action=ReviewAction.ESCALATE).order_by("-created", "-id").first()


def review_actions(decision: Decision, user, reviews: list[DecisionReview] | None = None) -> list[str]:
    """What ``user`` may do now with the decision (none if they are not one of its reviewers)."""
    if decision.status not in WAITING_FOR_LEAD or not can_review(decision, user):
        return []
    escalation = latest_escalation(decision, reviews)
    return rules.review_actions(
        decision=decision,
        tier=escalation.escalated_to if escalation else "",
        escalated_by_id=escalation.reviewer_id if escalation else None,
        user=user,
    )


def other_agency_leads(decision: Decision, *, besides) -> list:
    """The agency's active leads other than the decision's author and ``besides``."""
    return [
        lead
        for lead in notifications.leads_of(decision.agency_id, except_user_id=decision.created_by_id)
        if lead.pk != besides.pk
    ]


@transaction.atomic
def decision_review(
    *, decision: Decision, action: str, comments: str, by, outcome: str = "", countersign: bool = False
) -> DecisionReview:
    """A reviewer endorses, returns, escalates or resolves the decision.

    Escalating sends it up the ladder (``rules.escalation_tier``) and tells the next rung.
    Resolving records how the disagreement ended (``outcome``); it countersigns the decision
    only when the resolver says so, and never a decision they overturned. The row is locked and
    its state checked, so when two leads act at once the second is told what the first did
    instead of overwriting it.
    """
    decision = _locked(decision)
    if not can_review(decision, by):
        raise PermissionDenied("Only a safeguarding lead of the same agency reviews, never their own.")
    if action not in TRANSITIONS:
        raise ValidationError("Select what you want to do")
    if decision.status not in WAITING_FOR_LEAD:
        latest = decision.reviews.order_by("-created", "-id").first()
        who = f" by {latest.reviewer_name}" if latest else ""
        raise ReviewConflict(
            f"{decision} is now '{decision.get_status_display()}'{who}: it was not changed. "
            "Check the record and its reviews before acting again."
        )
    allowed = review_actions(decision, by)
    if action not in allowed:
        escalation = latest_escalation(decision)
        if action == ReviewAction.RESOLVE and escalation and escalation.reviewer_id == by.pk:
            raise PermissionDenied(rules.NO_SELF_RESOLUTION_MESSAGE)
        if decision.status == Status.ESCALATED and action in {ReviewAction.ENDORSE, ReviewAction.RETURN}:
            raise ReviewConflict(
                f"{decision} is now '{decision.get_status_display()}': it was not changed. "
                "Check the record and its reviews before acting again."
            )
        raise PermissionDenied("That is not yours to do on this decision now.")
    comments = (comments or "").strip()
    if action != ReviewAction.ENDORSE and not comments:
        raise ValidationError("Enter your comments: the practitioner and the record need to know why")
    escalated_to = ""
    if action == ReviewAction.ESCALATE:
        current = latest_escalation(decision)
        escalated_to = rules.escalation_tier(
            other_agency_leads=len(other_agency_leads(decision, besides=by)),
            from_tier=current.escalated_to if current else "",
        )
    if action == ReviewAction.RESOLVE:
        problems = rules.resolution_problems(outcome=outcome, countersign=countersign)
        if problems:
            raise ValidationError(problems)
    else:
        outcome, countersign = "", action == ReviewAction.ENDORSE
    now = timezone.now()
    review = DecisionReview.objects.create(
        decision=decision,
        action=action,
        comments=comments,
        escalated_to=escalated_to,
        outcome=outcome,
        reviewer=by,
        reviewer_name=by.full_name,
        reviewer_job_title=by.job_title,
        created=now,
    )
    was = decision.status
    to, event = TRANSITIONS[action]
    decision.status = to
    countersigned = countersign and decision.countersigned_at is None
    if countersigned:
        decision.countersigned_by = by
        decision.countersigned_at = now
    decision.updated = now
    decision.save(update_fields=["status", "countersigned_by", "countersigned_at", "updated"])
    record_seal(review, by=by)
    detail = {
        "reference": decision.reference,
        "review": review.pk,
        "from": was,
        "to": to,
        "countersigned": countersigned,
    }
    if escalated_to:
        detail["escalated_to"] = escalated_to
    if outcome:
        detail["outcome"] = outcome
    record_event(event, decision, actor=by, detail=detail)
    if action == ReviewAction.RETURN:
        notifications.after_commit(notifications.returned, decision, review)
    if action == ReviewAction.ESCALATE:
        notifications.after_commit(notifications.escalated, decision, review)
    return review


def can_add_addendum(decision: Decision, user) -> bool:
    if decision.is_draft or user.agency_id != decision.agency_id:
        return False
    return user.pk == decision.created_by_id or user.can(Perm.REVIEW_DECISION)


@transaction.atomic
def decision_add_addendum(*, decision: Decision, text: str, by) -> DecisionAddendum:
    """Append a correction or answer. The author's answer to a return sends it back for review."""
    decision = _locked(decision)
    if not can_add_addendum(decision, by):
        raise PermissionDenied("Only the author or a lead of the agency adds to a submitted decision.")
    text = (text or "").strip()
    if not text:
        raise ValidationError("Enter the addendum")
    addendum = DecisionAddendum.objects.create(
        decision=decision, text=text, author=by, author_name=by.full_name, author_role=by.role
    )
    back_for_review = decision.status == Status.RETURNED and by.pk == decision.created_by_id
    if back_for_review:
        decision.status = Status.AWAITING_REVIEW
        decision.updated = timezone.now()
        decision.save(update_fields=["status", "updated"])
        notifications.after_commit(notifications.review_awaited, decision)
    record_seal(addendum, by=by)
    record_event(
        Event.ADDENDUM_ADDED,
        decision,
        actor=by,
        detail={"reference": decision.reference, "addendum": addendum.pk, "back_for_review": back_for_review},
    )
    return addendum


def can_reconsider(decision: Decision, user) -> bool:
    return (
        not decision.is_draft
        and decision.outcome == Outcome.DO_NOT_SHARE
        and user.can(Perm.RECORD_DECISION)
        and user.agency_id == decision.agency_id
    )


def decision_reconsider(*, decision: Decision, by, token: uuid.UUID | None = None) -> Decision:
    """New information after a decision not to share: a new decision, linked to the old one."""
    if not can_reconsider(decision, by):
        raise PermissionDenied("Only a submitted decision not to share can be reconsidered.")
    return decision_start(child=decision.child, by=by, token=token, reconsiders=decision)


def is_waiting(decision: Decision) -> bool:
    return decision.status in WAITING_FOR_LEAD
