"""The guided decision as a question journey (``journeys.engine``), in the order of the national flowchart.

Its answers are the draft decision itself: each page's form declares the only fields that page
may write (the service refuses any other, so a tampered form cannot reach beyond its page), and
a step applies when the decision so far calls for it.
"""

from consent.models import ConsentStatus
from decisions import flowchart, forms, rules
from decisions.models import ConsentPosition, Decision, Outcome
from decisions.rules import consent_position
from journeys.engine import Journey, Step


def _sharing(decision: Decision) -> bool:
    return decision.is_sharing


def _step(name: str, title: str, form_class: type[forms.StepForm], **kwargs) -> Step[Decision]:
    return Step(name, title, form_class, intro=f"decisions/steps/{name}.html", **kwargs)


def _asked(field: str):
    return lambda d: field in rules.flowchart_questions_asked(d)


def _unsure(field: str):
    return lambda d: field in rules.flowchart_questions_asked(d) and field in d.unsure_questions


def _flowchart_steps(field: str, name: str, title: str, form_class, **kwargs) -> tuple[Step[Decision], ...]:
    """A flowchart question's page, and the page of advice it leads to when answered "I am not sure"."""
    return (
        _step(name, title, form_class, applies=_asked(field), **kwargs),
        Step(
            rules.ADVICE_STEPS[field],
            "Seek advice before you go on",
            forms.not_sure_form(field),
            applies=_unsure(field),
            intro="decisions/steps/not_sure.html",
            **kwargs,
        ),
    )


DECISION: Journey[Decision] = Journey(
    name="decision",
    title="Record a decision",
    steps=(
        _step("request", "About the request", forms.RequestForm),
        _step(
            "new_information",
            "What is new",
            forms.NewInformationForm,
            applies=lambda d: d.reconsiders_id is not None,
        ),
        _step("purpose", "The purpose", forms.PurposeForm),
        *_flowchart_steps(
            "clear_purpose",
            "questions",
            "A clear and legitimate purpose",
            forms.QuestionsForm,
            stop=flowchart.no_purpose,
        ),
        *_flowchart_steps(
            "identifies_person", "identifies", "Who the information identifies", forms.IdentifiesForm
        ),
        *_flowchart_steps(
            "confidential", "confidential", "Whether it is confidential", forms.ConfidentialForm
        ),
        _step("consent", "Consent", forms.ConsentForm),
        _step(
            "other_reason",
            "Another reason to share",
            forms.OtherReasonForm,
            applies=lambda d: (
                d.consent_status != ConsentStatus.GIVEN
                and "confidential" in rules.flowchart_questions_asked(d)
                and d.confidential is not False
            ),
            stop=flowchart.no_reason,
        ),
        _step("outcome", "Your decision", forms.OutcomeForm),
        _step(
            "referral",
            "The referral to children's social care or the police",
            forms.ReferralForm,
            applies=lambda d: d.mandatory_referral,
        ),
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
        # Asked once: a practitioner who was not sure has recorded the advice they took already.
        _step(
            "advice", "Advice", forms.AdviceForm, applies=lambda d: not d.unsure_questions, after_stop=True
        ),
        _step(
            "advice_detail",
            "The advice you took",
            forms.AdviceDetailForm,
            applies=lambda d: not d.unsure_questions and bool(d.advice_sought),
            after_stop=True,
        ),
        _step("recipient", "What you share, with whom", forms.RecipientForm, applies=_sharing),
        _step(
            "withheld",
            "What you hold back",
            forms.WithheldForm,
            applies=lambda d: d.outcome == Outcome.SHARE_IN_PART,
        ),
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
            after_stop=True,
        ),
    ),
)


def fields_of(step: Step[Decision]) -> tuple[str, ...]:
    """The decision's fields a page writes: those its form declares, and any it records beside them
    (``writes``: that a question was answered "not sure", that advice was sought)."""
    return (*step.form_class.base_fields, *getattr(step.form_class, "writes", ()))
