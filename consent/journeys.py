"""The GOV.UK question journeys for recording an assessment and a consent.

A journey is an ordered list of steps (pages); a step may apply only given
earlier answers. Answers are kept page by page in a server-side ``Draft``, so
a validation error, a time-out or signing out loses nothing. "Check your
answers" reads the draft back and calls the service, which has the last word.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from crispy_forms_gds.fields import DateInputField
from django import forms as django_forms
from django.db import models
from django.urls import reverse
from django.utils.html import strip_tags

from agreements.models import Agency
from consent import forms
from consent.competence import Matter, criteria_for
from consent.models import Child, CompetenceAssessment, ConsentAsked, ConsentRecord
from consent.services import assessment_record, consent_record
from isa_portal.web import display_value


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    form_class: type[forms.JourneyForm]
    applies: Callable[[dict], bool] = lambda values: True
    intro: str = ""


@dataclass(frozen=True)
class Row:
    key: str
    value: str
    step: str


@dataclass(frozen=True)
class Journey:
    name: str  # also the URL names' prefix: "<name>_start", "<name>_step", ...
    title: str
    steps: tuple[Step, ...]
    complete: Callable[..., models.Model]
    confirmation_url_name: str
    fields_to_steps: dict = field(default_factory=dict)

    def step(self, name: str) -> Step | None:
        return next((step for step in self.steps if step.name == name), None)

    def values(self, stored: dict) -> dict:
        """The answers of the steps that apply, in order: a changed answer can switch later steps off."""
        values: dict = {}
        for step in self.steps:
            if step.applies(values):
                values.update(stored.get(step.name, {}))
        return values

    def active_steps(self, stored: dict) -> list[Step]:
        values: dict = {}
        active = []
        for step in self.steps:
            if step.applies(values):
                active.append(step)
                values.update(stored.get(step.name, {}))
        return active

    def first_unanswered(self, stored: dict) -> Step | None:
        return next((step for step in self.active_steps(stored) if step.name not in stored), None)

    def step_url(self, child: Child, step: Step) -> str:
        return reverse(f"consent:{self.name}_step", kwargs={"pk": child.pk, "step": step.name})

    def check_url(self, child: Child) -> str:
        return reverse(f"consent:{self.name}_check", kwargs={"pk": child.pk})

    def next_url(self, child: Child, stored: dict) -> str:
        step = self.first_unanswered(stored)
        return self.step_url(child, step) if step else self.check_url(child)

    def previous_url(self, child: Child, stored: dict, current: Step) -> str | None:
        active = self.active_steps(stored)
        index = active.index(current) if current in active else 0
        return self.step_url(child, active[index - 1]) if index > 0 else None

    def summary(self, child: Child, user, stored: dict) -> list[Row]:
        """Every answer as "check your answers" shows it, with the page to change it on."""
        values = self.values(stored)
        rows = []
        for step in self.active_steps(stored):
            form = step.form_class(child=child, user=user, values=values)
            for name, form_field in form.fields.items():
                label = strip_tags(str(form_field.label))
                rows.append(Row(label, _display(form_field, values.get(name)), step.name))
        return rows

    def step_of_field(self, child: Child, user, stored: dict, field_name: str) -> str | None:
        values = self.values(stored)
        for step in self.active_steps(stored):
            if field_name in step.form_class(child=child, user=user, values=values).fields:
                return step.name
        return None


def _display(form_field: django_forms.Field, value) -> str:
    if value in (None, "", []):
        return display_value(None)
    if isinstance(form_field, django_forms.ModelMultipleChoiceField):
        return display_value([str(obj) for obj in form_field.queryset.filter(pk__in=value)])
    if isinstance(form_field, django_forms.ModelChoiceField):
        obj = form_field.queryset.filter(pk=value).first()
        return form_field.label_from_instance(obj) if obj else "No longer available"
    if isinstance(form_field, DateInputField):
        value = datetime.date.fromisoformat(value)
    return display_value(value, choices=getattr(form_field, "choices", ()))


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


ASSESSMENT = Journey(
    name="assessment",
    title="Assess a child's competence",
    steps=(
        Step("matter", "What the child is deciding", forms.AssessmentMatterForm),
        Step(
            "understanding",
            "The child's understanding",
            forms.UnderstandingForm,
            intro="Answer from what the child said and did, not from their age alone.",
        ),
        Step("reasoning", "How the child reasons about it", forms.ReasoningForm),
        Step(
            "fraser",
            "The Fraser guidelines",
            forms.FraserForm,
            applies=lambda values: values.get("matter") == Matter.SEXUAL_HEALTH,
            intro="For contraception and sexual health, the narrower test Lord Fraser set out in "
            "Gillick v West Norfolk and Wisbech AHA (1985) applies as well.",
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


CONSENT = Journey(
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
