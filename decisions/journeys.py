"""The guided decision as a question journey (``journeys.engine``), in the order of the national flowchart.

Its answers are the draft decision itself: each page's form declares the only fields that page
may write (the service refuses any other, so a tampered form cannot reach beyond its page), and
a step applies when the decision so far calls for it.
"""

from consent.models import ConsentStatus
from decisions import forms
from decisions.models import ConsentPosition, Decision, Outcome
from decisions.rules import consent_position
from journeys.engine import Journey, Step


def _sharing(decision: Decision) -> bool:
    return decision.is_sharing


def _step(name: str, title: str, form_class: type[forms.StepForm], **kwargs) -> Step[Decision]:
    return Step(name, title, form_class, intro=f"decisions/steps/{name}.html", **kwargs)


DECISION: Journey[Decision] = Journey(
    name="decision",
    title="Record a decision",
    steps=(
        _step("request", "About the request", forms.RequestForm),
        _step("purpose", "The purpose", forms.PurposeForm),
        _step("questions", "The information", forms.QuestionsForm),
        _step("consent", "Consent", forms.ConsentForm),
        _step(
            "other_reason",
            "Another reason to share",
            forms.OtherReasonForm,
            applies=lambda d: d.consent_status != ConsentStatus.GIVEN,
        ),
        _step("outcome", "Your decision", forms.OutcomeForm),
        _step(
            "grounds",
            "Sharing without consent",
            forms.GroundsForm,
            applies=lambda d: consent_position(d) == ConsentPosition.WITHOUT_CONSENT,
        ),
        _step(
            "law_enforcement",
            "Sharing for law enforcement",
            forms.LawEnforcementForm,
            applies=lambda d: d.is_sharing and d.agency.is_competent_authority,
        ),
        _step("lawful_basis", "Lawful basis", forms.LawfulBasisForm, applies=_sharing),
        _step("advice", "Advice", forms.AdviceForm),
        _step("recipient", "What you share, with whom", forms.RecipientForm, applies=_sharing),
        _step(
            "agreement",
            "No agreement covers this share",
            forms.AgreementForm,
            applies=lambda d: (
                d.is_sharing and d.recipient_agency_id is not None and d.agreement_version_id is None
            ),
        ),
        _step("openness", "Telling the family, protecting identities", forms.OpennessForm, applies=_sharing),
        _step(
            "no_share",
            "Why not sharing is better for the child",
            forms.NoShareForm,
            applies=lambda d: d.outcome == Outcome.DO_NOT_SHARE,
        ),
    ),
)


def fields_of(step: Step[Decision]) -> tuple[str, ...]:
    """The decision's fields a page writes: those its form declares."""
    return tuple(step.form_class.base_fields)
