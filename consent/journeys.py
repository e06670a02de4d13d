"""The competence assessment and the consent record, as question journeys (``journeys.engine``).

Answers are kept page by page in a draft (``journeys.models.Draft``); "check your answers"
reads them back and calls the service, which has the last word.
"""

import datetime

from agreements.models import Agency
from consent import forms
from consent.competence import Matter, criteria_for
from consent.models import Child, CompetenceAssessment, ConsentAsked, ConsentRecord
from consent.services import assessment_record, consent_record
from journeys.engine import RecordJourney, Step


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


# The competence assessment ------------------------------------------------------------------------


def _complete_assessment(*, child: Child, user, values: dict) -> CompetenceAssessment:
    matter = values["matter"]
    return assessment_record(
        child=child,
        by=user,
        matter=matter,
        matter_detail=values.get("matter_detail") or "",
        assessed_on=_date(values["assessed_on"]),
        answers={
            criterion.key: {
                "answer": values.get(criterion.key),
                "note": values.get(f"{criterion.key}_note") or "",
            }
            for criterion in criteria_for(matter)
        },
        outcome=values["outcome"],
        reason=values.get("reason") or "",
    )


ASSESSMENT = RecordJourney(
    name="assessment",
    title="Assess a child's competence",
    steps=(
        Step("matter", "What the child is deciding", forms.AssessmentMatterForm),
        Step(
            "understanding",
            "The child's understanding",
            forms.UnderstandingForm,
            intro="consent/steps/assessment_understanding.html",
        ),
        Step("reasoning", "How the child reasons about it", forms.ReasoningForm),
        Step(
            "fraser",
            "The Fraser guidelines",
            forms.FraserForm,
            applies=lambda values: values.get("matter") == Matter.SEXUAL_HEALTH,
            intro="consent/steps/assessment_fraser.html",
        ),
        Step("outcome", "Your judgement", forms.OutcomeForm),
    ),
    complete=_complete_assessment,
    confirmation_url_name="consent:assessment_confirmation",
)


# The consent record --------------------------------------------------------------------------------


def _sought(values: dict) -> bool:
    return values.get("sought") == "yes"


def _complete_consent(*, child: Child, user, values: dict) -> ConsentRecord:
    common = {
        "child": child,
        "by": user,
        "purpose": values["purpose"],
        "matter": values["matter"],
        "information_categories": values["information_categories"],
        "recipients": Agency.objects.filter(pk__in=values["recipients"]),
        "given_on": _date(values["given_on"]),
    }
    if not _sought(values):
        return consent_record(
            **common,
            answer="not_sought",
            not_sought_reason=values["not_sought_reason"],
            not_sought_note=values["not_sought_note"],
        )
    asked = values["asked"]
    assessment = None
    if asked == ConsentAsked.CHILD:
        assessment = CompetenceAssessment.objects.visible_to(user).filter(pk=values.get("assessment")).first()
    return consent_record(
        **common,
        answer=values["answer"],
        asked=asked,
        how_obtained=values["how_obtained"],
        assessment=assessment,
        parent_name=(values.get("parent_name") or "") if asked == ConsentAsked.PARENT else "",
        parent_relationship=(values.get("parent_relationship") or "") if asked == ConsentAsked.PARENT else "",
        valid_until=_date(values.get("valid_until")) if values["answer"] == "given" else None,
        disagreement=values.get("disagreement") == "yes",
        best_interests_reasoning=values.get("best_interests_reasoning") or "",
        discussion_note=values.get("discussion_note") or "",
    )


CONSENT = RecordJourney(
    name="consent",
    title="Record consent",
    steps=(
        Step("purpose", "What the sharing is for", forms.PurposeForm),
        Step("information", "The information", forms.InformationForm),
        Step("recipients", "Who would receive it", forms.RecipientsForm),
        Step("sought", "Asking for consent", forms.SoughtForm),
        Step(
            "not-sought",
            "Why consent was not sought",
            forms.NotSoughtForm,
            applies=lambda v: v.get("sought") == "no",
        ),
        Step("who", "Whose consent", forms.WhoForm, applies=_sought),
        Step("answer", "The answer", forms.AnswerForm, applies=_sought),
        Step(
            "parent",
            "The person with parental responsibility",
            forms.ParentForm,
            applies=lambda v: _sought(v) and v.get("asked") == ConsentAsked.PARENT,
        ),
        Step(
            "assessment",
            "The child's competence",
            forms.AssessmentChoiceForm,
            applies=lambda v: _sought(v) and v.get("asked") == ConsentAsked.CHILD,
            intro="consent/steps/consent_assessment.html",
        ),
        Step(
            "valid-until",
            "How long the consent lasts",
            forms.ValidUntilForm,
            applies=lambda v: _sought(v) and v.get("answer") == "given",
        ),
        Step("disagreement", "Disagreement", forms.DisagreementForm, applies=_sought),
        Step("discussion", "The discussion", forms.DiscussionForm, applies=_sought),
    ),
    complete=_complete_consent,
    confirmation_url_name="consent:consent_confirmation",
)

JOURNEYS = {journey.name: journey for journey in (ASSESSMENT, CONSENT)}
