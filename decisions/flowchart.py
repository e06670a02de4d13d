"""The national flowchart for sharing information, in words: where it stops, and why it suggests
what it does, from the answers given.

Source: Information sharing: advice for practitioners providing safeguarding services (HM
Government, 2024), its flowchart of when and how to share (the five questions the 2015 and 2018
editions asked too, which the partnership protocols in ``shared/reference`` reproduce): is there a
clear and legitimate purpose (no: do not share)? does the information identify a person (no: share)?
is it confidential (no: share)? is there consent (yes: share)? is there another reason to share,
such as a public function, someone's vital interests or a child's safety (no: do not share)? At
every stage: seek advice if you are not sure (golden rule 4); record your reasons (golden rule 7).
The wording is this product's own.

``rules.proposed_outcome`` is ``suggest(decision).outcome``: the suggestion and its reasons cannot
drift apart.
"""

from dataclasses import dataclass

from consent.models import ConsentStatus
from decisions.models import Decision, Outcome
from isa_portal.vocabulary import OtherReasonToShare
from journeys.engine import Stop

NO_PURPOSE = Stop(
    "Do not share: there is no clear and legitimate purpose",
    "decisions/stops/no_purpose.html",
)
NO_REASON = Stop(
    "Do not share: there is no consent and no other reason to share",
    "decisions/stops/no_reason.html",
)

FLOWCHART_QUESTIONS = {
    "clear_purpose": "Is there a clear and legitimate purpose for sharing?",
    "identifies_person": "Does the information enable a person to be identified?",
    "confidential": "Is the information confidential?",
}

CONSENT_IN_WORDS = {
    ConsentStatus.REFUSED: "consent to this share was refused",
    ConsentStatus.WITHDRAWN: "consent to this share was withdrawn",
    ConsentStatus.NOT_SOUGHT: "consent was not sought",
    ConsentStatus.NONE: "no consent is recorded for this share",
}


def no_purpose(decision: Decision) -> Stop | None:
    """The flowchart's first stop. A mandatory referral is never stopped: its purpose is the law's."""
    if decision.clear_purpose is False and not decision.mandatory_referral:
        return NO_PURPOSE
    return None


def no_reason(decision: Decision) -> Stop | None:
    """The flowchart's last stop: identifying, confidential, no consent and no other reason."""
    if (
        decision.clear_purpose
        and decision.identifies_person
        and decision.confidential
        and decision.consent_status
        and decision.consent_status != ConsentStatus.GIVEN
        and not decision.other_reasons
        and not decision.mandatory_referral
    ):
        return NO_REASON
    return None


def stopped(decision: Decision) -> Stop | None:
    return no_purpose(decision) or no_reason(decision)


@dataclass(frozen=True)
class Suggestion:
    outcome: str  # an Outcome
    reasons: tuple[str, ...]  # why, in words, from the answers given, in the flowchart's order

    @property
    def label(self) -> str:
        return Outcome(self.outcome).label


def suggest(decision: Decision) -> Suggestion:
    """The flowchart's answer from the questions answered so far, and why."""
    child = str(decision.child) if decision.child_id else "the child"
    if decision.mandatory_referral:
        return Suggestion(
            Outcome.SHARE,
            (
                f"The information includes sexual activity, and {child} was under 13 when it happened. "
                "A child under 13 cannot consent to sexual activity in law (Sexual Offences Act 2003), "
                "so it must be referred to children's social care or the police.",
            ),
        )
    if decision.clear_purpose is False:
        return Suggestion(
            Outcome.DO_NOT_SHARE,
            (
                "You answered that there is no clear and legitimate purpose for sharing: without one, "
                "information is not shared.",
            ),
        )
    reasons = []
    if decision.clear_purpose:
        reasons.append("There is a clear and legitimate purpose for sharing.")
    if decision.identifies_person is False:
        reasons.append("The information does not identify anyone, so it can be shared without consent.")
        return Suggestion(Outcome.SHARE, tuple(reasons))
    if decision.confidential is False:
        reasons.append(
            "The information identifies someone but is not confidential, so it can be shared without consent."
        )
        return Suggestion(Outcome.SHARE, tuple(reasons))
    if decision.identifies_person and decision.confidential:
        reasons.append(
            f"The information identifies {child} and is confidential, so it needs consent or another "
            "reason to share."
        )
    if decision.consent_status == ConsentStatus.GIVEN:
        reasons.append("Consent to this share was given.")
        return Suggestion(Outcome.SHARE, tuple(reasons))
    if decision.consent_status in CONSENT_IN_WORDS:
        reasons.append(CONSENT_IN_WORDS[decision.consent_status].capitalize() + ".")
    if decision.other_reasons:
        named = dict(OtherReasonToShare.choices)
        labels = [str(named.get(value, value)).lower() for value in decision.other_reasons]
        reasons.append("There is another reason to share without consent: " + "; ".join(labels) + ".")
        return Suggestion(Outcome.SHARE, tuple(reasons))
    reasons.append(
        "You found no other reason to share, such as a public function, someone's vital interests or a "
        "child's safety."
    )
    return Suggestion(Outcome.DO_NOT_SHARE, tuple(reasons))
