"""The guided decision: its question pages, in the order of the national flowchart.

Each step names the fields it may write (the service refuses any other, so a
tampered form cannot reach beyond its page) and when it applies, given the
answers so far.
"""

from collections.abc import Callable
from dataclasses import dataclass

from decisions.models import ConsentPosition, ConsentStatus, Decision, Outcome
from decisions.rules import consent_position


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    fields: tuple[str, ...]
    applies: Callable[[Decision], bool] = lambda decision: True


def _sharing(decision: Decision) -> bool:
    return decision.is_sharing


STEPS: tuple[Step, ...] = (
    Step(
        "request",
        "About the request",
        (
            "request_method",
            "requester_name",
            "requester_role",
            "requester_agency",
            "request_received_on",
            "identity_check",
        ),
    ),
    Step("purpose", "The purpose", ("purpose", "purpose_detail", "sexual_activity_under_13")),
    Step("questions", "The information", ("clear_purpose", "identifies_person", "confidential")),
    Step("consent", "Consent", ()),
    Step(
        "other_reason",
        "Another reason to share",
        ("other_reasons",),
        lambda d: d.consent_status != ConsentStatus.GIVEN,
    ),
    Step("outcome", "Your decision", ("outcome", "departure_reason", "override_reason")),
    Step(
        "grounds",
        "Sharing without consent",
        ("grounds", "harm_if_shared", "harm_if_not_shared"),
        lambda d: consent_position(d) == ConsentPosition.WITHOUT_CONSENT,
    ),
    Step("lawful_basis", "Lawful basis", ("article6_basis", "article9_condition"), _sharing),
    Step("advice", "Advice", ("advice_sought", "advice_from", "advice_role", "advice_given")),
    Step(
        "recipient",
        "What you share, with whom",
        (
            "information_shared",
            "recipient_agency",
            "recipient_name",
            "recipient_role",
            "share_method",
            "shared_on",
            "confirmed_in_writing",
        ),
        _sharing,
    ),
    Step(
        "agreement",
        "No agreement covers this share",
        ("no_agreement_acknowledged", "no_agreement_reason"),
        lambda d: d.is_sharing and d.recipient_agency_id is not None and d.agreement_version_id is None,
    ),
    Step(
        "openness",
        "Telling the family, protecting identities",
        (
            "family_told",
            "family_not_told_reason",
            "protected_identities",
            "from_other_agency",
            "source_agency",
            "source_agency_agreed",
        ),
        _sharing,
    ),
    Step(
        "no_share",
        "Why not sharing is better for the child",
        ("no_share_detriment",),
        lambda d: d.outcome == Outcome.DO_NOT_SHARE,
    ),
)

BY_NAME = {step.name: step for step in STEPS}


def steps_for(decision: Decision) -> list[Step]:
    return [step for step in STEPS if step.applies(decision)]


def next_step(decision: Decision, after: str) -> Step | None:
    """The first applicable step after ``after``; None means "check your answers"."""
    names = [step.name for step in STEPS]
    for step in STEPS[names.index(after) + 1 :]:
        if step.applies(decision):
            return step
    return None


def previous_step(decision: Decision, before: str) -> Step | None:
    names = [step.name for step in STEPS]
    for step in reversed(STEPS[: names.index(before)]):
        if step.applies(decision):
            return step
    return None


def first_unanswered(decision: Decision, problems) -> str | None:
    return problems[0].step if problems else None
