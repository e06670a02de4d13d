"""The rules a decision must meet, in one place: the forms and ``decision_submit`` both ask here.

Each rule answers with ``Problem``s naming the question page to go back to, so the
"check your answers" page can link straight to what needs fixing. Sources:
Information sharing: advice for practitioners (2024); Working Together to
Safeguard Children (2023); UK GDPR and the Data Protection Act 2018 as amended by
the Data (Use and Access) Act 2025; Children Act 2004 s16LA.
"""

from dataclasses import dataclass

from accounts.permissions import Perm
from agreements.models import AgencyKind
from consent.models import ConsentStatus
from decisions.models import (
    REFUSALS,
    ConsentPosition,
    Decision,
    EscalationOutcome,
    EscalationTier,
    Outcome,
    ReviewAction,
    Status,
)
from isa_portal.vocabulary import (
    NOT_FOR_PUBLIC_AUTHORITIES,
    Article6Basis,
    Article9Condition,
    GroundForSharingWithoutConsent,
    OtherReasonToShare,
)

MANDATORY_REFERRAL_MESSAGE = (
    "Evidence of sexual activity of a child under 13 must be referred to children's social care "
    "or the police: this decision cannot be 'do not share'"
)


@dataclass(frozen=True)
class Problem:
    step: str
    field: str
    message: str


def proposed_outcome(decision: Decision) -> str:
    """The national flowchart's answer, from the questions answered so far."""
    if decision.mandatory_referral:
        return Outcome.SHARE
    if decision.clear_purpose is False:
        return Outcome.DO_NOT_SHARE
    if decision.identifies_person is False or decision.confidential is False:
        return Outcome.SHARE
    if decision.consent_status == ConsentStatus.GIVEN:
        return Outcome.SHARE
    if decision.other_reasons:
        return Outcome.SHARE
    return Outcome.DO_NOT_SHARE


def consent_position(decision: Decision) -> str:
    if not decision.outcome:
        return ""
    if not decision.is_sharing:
        return ConsentPosition.NOT_SHARED
    if decision.identifies_person is False or decision.confidential is False:
        return ConsentPosition.NOT_NEEDED
    if decision.consent_status == ConsentStatus.GIVEN:
        return ConsentPosition.CONSENT_GIVEN
    return ConsentPosition.WITHOUT_CONSENT


def article6_choices(agency) -> list[tuple[str, str]]:
    """Recognised legitimate interest (and legitimate interests) only for agencies not public authorities."""
    return [
        (value, label)
        for value, label in Article6Basis.choices
        if not (agency.is_public_authority and value in NOT_FOR_PUBLIC_AUTHORITIES)
    ]


def article9_choices(agency) -> list[tuple[str, str]]:
    """Law-enforcement processing (DPA 2018 Part 3) is for the police only."""
    return [
        (value, label)
        for value, label in Article9Condition.choices
        if value != Article9Condition.LAW_ENFORCEMENT or agency.kind == AgencyKind.POLICE
    ]


def lawful_basis_problems(*, agency, article6: str, article9: str, consent_status: str) -> list[str]:
    """Combinations the law does not allow, each as a message for the practitioner."""
    problems = []
    if article6 not in dict(article6_choices(agency)):
        if article6 in NOT_FOR_PUBLIC_AUTHORITIES:
            problems.append(
                f"{agency} is a public authority: it cannot rely on legitimate interests "
                "(including recognised legitimate interest) for its public tasks. Select another basis"
            )
        else:
            problems.append("Select the Article 6 basis")
    if article9 not in dict(article9_choices(agency)):
        if article9 == Article9Condition.LAW_ENFORCEMENT:
            problems.append("Law-enforcement processing (DPA 2018 Part 3) is only for the police")
        else:
            problems.append("Select the Article 9 condition, or that none is needed")
    if article6 == Article6Basis.CONSENT and consent_status != ConsentStatus.GIVEN:
        problems.append("You can only rely on consent as the Article 6 basis when consent was given")
    if article9 == Article9Condition.EXPLICIT_CONSENT and consent_status != ConsentStatus.GIVEN:
        problems.append("You can only rely on explicit consent (Article 9(2)(a)) when consent was given")
    if article9 == Article9Condition.LAW_ENFORCEMENT and article6 in NOT_FOR_PUBLIC_AUTHORITIES:
        problems.append("Law-enforcement processing cannot rest on legitimate interests")
    return problems


def problems(decision: Decision) -> list[Problem]:
    """Everything that stops this decision being submitted, in the order of the questions."""
    found: list[Problem] = []

    def need(condition: bool, step: str, field: str, message: str) -> None:
        if not condition:
            found.append(Problem(step, field, message))

    need(bool(decision.request_method), "request", "request_method", "Select how the request was made")
    if decision.request_method and decision.request_method != "own_initiative":
        need(bool(decision.requester_name), "request", "requester_name", "Enter who asked")
        need(
            bool(decision.identity_check),
            "request",
            "identity_check",
            "Enter how you checked the requester's identity and entitlement",
        )
    need(bool(decision.purpose), "purpose", "purpose", "Select the purpose")
    need(
        decision.sexual_activity_under_13 is not None,
        "purpose",
        "sexual_activity_under_13",
        "Select whether there is evidence of sexual activity of a child under 13",
    )
    for field, question in (
        ("clear_purpose", "whether there is a clear and legitimate purpose"),
        ("identifies_person", "whether the information identifies a person"),
        ("confidential", "whether the information is confidential"),
    ):
        need(getattr(decision, field) is not None, "questions", field, f"Select {question}")
    need(bool(decision.consent_status), "consent", "consent_status", "Confirm the consent position")
    need(
        all(r in OtherReasonToShare.values for r in decision.other_reasons),
        "other_reason",
        "other_reasons",
        "Select only the reasons listed",
    )
    need(bool(decision.outcome), "outcome", "outcome", "Select your decision")
    if decision.outcome and decision.outcome != decision.proposed_outcome:
        need(
            bool(decision.departure_reason.strip()),
            "outcome",
            "departure_reason",
            "Enter why your decision differs from the one the questions suggest",
        )
    if decision.outcome == Outcome.DO_NOT_SHARE:
        need(not decision.mandatory_referral, "outcome", "outcome", MANDATORY_REFERRAL_MESSAGE)
        need(
            bool(decision.no_share_detriment.strip()),
            "no_share",
            "no_share_detriment",
            "Enter why sharing would be more detrimental to the child than not sharing",
        )
    if decision.is_sharing:
        found.extend(_sharing_problems(decision))
    need(decision.advice_sought is not None, "advice", "advice_sought", "Select whether you sought advice")
    if decision.advice_sought:
        need(bool(decision.advice_from), "advice", "advice_from", "Enter who you asked for advice")
        need(bool(decision.advice_given.strip()), "advice", "advice_given", "Enter what they advised")
    return found


def _sharing_problems(decision: Decision) -> list[Problem]:
    found: list[Problem] = []

    def need(condition: bool, step: str, field: str, message: str) -> None:
        if not condition:
            found.append(Problem(step, field, message))

    if decision.overrides_refusal:
        need(
            bool(decision.override_reason.strip()),
            "outcome",
            "override_reason",
            "Enter why you are sharing although consent was refused or withdrawn",
        )
    if consent_position(decision) == ConsentPosition.WITHOUT_CONSENT:
        need(
            bool(decision.grounds)
            and all(g in GroundForSharingWithoutConsent.values for g in decision.grounds),
            "grounds",
            "grounds",
            "Select the grounds for sharing without consent",
        )
        need(
            bool(decision.harm_if_shared.strip()),
            "grounds",
            "harm_if_shared",
            "Enter what might happen if the information is shared",
        )
        need(
            bool(decision.harm_if_not_shared.strip()),
            "grounds",
            "harm_if_not_shared",
            "Enter what might happen if it is not shared",
        )
    for message in lawful_basis_problems(
        agency=decision.agency,
        article6=decision.article6_basis,
        article9=decision.article9_condition,
        consent_status=decision.consent_status,
    ):
        found.append(Problem("lawful_basis", "article6_basis", message))
    need(
        bool(decision.information_shared.strip()),
        "recipient",
        "information_shared",
        "Enter what information is shared",
    )
    need(
        decision.recipient_agency_id is not None,
        "recipient",
        "recipient_agency",
        "Select the agency you are sharing with",
    )
    need(bool(decision.share_method), "recipient", "share_method", "Select how it is shared")
    need(decision.shared_on is not None, "recipient", "shared_on", "Enter when it is shared")
    need(
        decision.confirmed_in_writing is not None,
        "recipient",
        "confirmed_in_writing",
        "Select whether the share was confirmed in writing",
    )
    if decision.recipient_agency_id and decision.agreement_version_id is None:
        need(
            decision.no_agreement_acknowledged and bool(decision.no_agreement_reason.strip()),
            "agreement",
            "no_agreement_reason",
            "The recipient is not an active signatory of an agreement covering this purpose: "
            "confirm you understand and enter why you are sharing",
        )
    need(
        decision.family_told is not None,
        "openness",
        "family_told",
        "Select whether the child or family was told",
    )
    if decision.family_told is False:
        need(
            bool(decision.family_not_told_reason.strip()),
            "openness",
            "family_not_told_reason",
            "Enter why the child or family was not told",
        )
    need(
        decision.from_other_agency is not None,
        "openness",
        "from_other_agency",
        "Select whether any of the information came from another agency",
    )
    if decision.from_other_agency:
        need(
            decision.source_agency_id is not None,
            "openness",
            "source_agency",
            "Select the agency the information came from",
        )
        need(
            bool(decision.source_agency_agreed),
            "openness",
            "source_agency_agreed",
            "Select whether that agency agreed to the onward disclosure",
        )
    return found


def is_refusal(consent_status: str) -> bool:
    return consent_status in REFUSALS


# The escalation ladder ----------------------------------------------------------------------------
# Source: the Warrington Safeguarding Children Board Escalation Policy for resolving professional
# disagreements, which the Warrington Information Sharing Protocol (section 1) requires to be read
# with it: disagreements are resolved quickly, at the lowest level that can, and escalated up a
# level when they are not. Its text is not among our reference documents, so the response time at
# each rung is a setting (``ESCALATION_RESPONSE_WORKING_DAYS``), not a figure quoted from it.
# Working Together to Safeguard Children (2023) asks partners to have such a policy.

ESCALATION_SOURCE = "Warrington Safeguarding Children Board Escalation Policy (professional disagreements)"

NO_SELF_RESOLUTION_MESSAGE = (
    "You escalated this disagreement, so someone else must resolve it: another safeguarding lead "
    "of the agency or, above them, the partnership's designated lead"
)
OUTCOME_REQUIRED_MESSAGE = "Select how the disagreement ended"
OVERTURNED_NOT_COUNTERSIGNED_MESSAGE = (
    "You cannot countersign a decision you have overturned: the practitioner records a new decision"
)


def escalation_tier(*, other_agency_leads: int, from_tier: str = "") -> str:
    """The next rung: another lead of the agency if there is one, else the partnership's designated lead.

    ``other_agency_leads`` counts the agency's active leads other than the decision's author and
    the lead escalating. An agency with one lead falls straight through to the partnership tier,
    and an escalation already with the agency's leads goes up to the partnership.
    """
    if from_tier or other_agency_leads == 0:
        return EscalationTier.PARTNERSHIP
    return EscalationTier.AGENCY


def review_actions(*, decision: Decision, tier: str, escalated_by_id: int | None, user) -> list[str]:
    """What ``user`` may do with a decision waiting for a lead, given who escalated it and where to.

    Nobody resolves their own escalation; at the partnership tier only the partnership's
    designated lead acts, and there is no rung above it to escalate to.
    """
    partnership_lead = user.can(Perm.REVIEW_PARTNERSHIP_TIER)
    if decision.status == Status.AWAITING_REVIEW:
        if partnership_lead:
            return [ReviewAction.ENDORSE, ReviewAction.RETURN]
        return [ReviewAction.ENDORSE, ReviewAction.RETURN, ReviewAction.ESCALATE]
    if decision.status != Status.ESCALATED:
        return []
    if tier == EscalationTier.PARTNERSHIP:
        return [ReviewAction.RESOLVE] if partnership_lead and user.pk != escalated_by_id else []
    if partnership_lead:
        return []
    if user.pk == escalated_by_id:
        return [ReviewAction.ESCALATE]  # on up to the partnership, if nobody here resolves it
    return [ReviewAction.RESOLVE, ReviewAction.ESCALATE]


def resolution_problems(*, outcome: str, countersign: bool) -> list[str]:
    problems = []
    if outcome not in EscalationOutcome.values:
        problems.append(OUTCOME_REQUIRED_MESSAGE)
    if countersign and outcome == EscalationOutcome.OVERTURNED:
        problems.append(OVERTURNED_NOT_COUNTERSIGNED_MESSAGE)
    return problems
