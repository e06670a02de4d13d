"""The questions asked about children, competence and consent, one page at a time where long."""

import datetime

from crispy_forms.layout import Div
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.layout import Field, Fluid, Layout, Size
from django import forms
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from agreements.models import Agency
from consent.competence import (
    EXPECTED_COMPETENT_FROM_AGE,
    REASONING,
    UNDERSTANDING,
    CompetenceOutcome,
    CriterionAnswer,
    Matter,
    criteria_for,
)
from consent.models import ConsentAsked, ConsentMethod, InformationCategory
from consent.selectors import assessments_supporting_consent
from consent.validators import normalise_nhs_number, validate_nhs_number
from isa_portal.forms import GOVUKDateField, GOVUKForm
from isa_portal.vocabulary import ConsentNotSoughtReason, SharingPurpose
from isa_portal.web import long_date

YES_NO = [("yes", "Yes"), ("no", "No")]


def date_field(
    label: str, *, required: bool = True, help_text: str = "For example, 27 3 2026"
) -> DateInputField:
    field = GOVUKDateField(label=label, required=required, help_text=help_text, require_all_fields=False)
    field.error_messages["required"] = f"Enter the {label.lower()}"
    field.error_messages["incomplete"] = f"Enter the {label.lower()} as a day, month and year"
    field.error_messages["invalid"] = f"Enter a real {label.lower()}"
    return field


def radios(label: str, choices, *, required_message: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


def text(label: str, *, required: bool = True, message: str = "", max_length: int = 150, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages={
            "required": message,
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
        **kwargs,
    )


def long_text(label: str, *, required: bool = True, message: str = "", help_text: str = ""):
    return text(
        label,
        required=required,
        message=message,
        max_length=5000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _not_in_future(value: datetime.date | None, what: str) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(f"The {what} must be today or in the past")


CHOOSE_BY_SEARCH = "app-choose-by-search-group"


def _layout(form: forms.Form) -> Layout:
    """Radios and checkboxes as GOV.UK components, text boxes at a sensible width."""
    items = []
    for name, field in form.fields.items():
        if CHOOSE_BY_SEARCH in field.widget.attrs:
            # Boxes to choose by search: the boxes are the fallback; static/js/app.js puts a search in front.
            items.append(Div(Field.checkboxes(name, legend_size=Size.SMALL), css_class=CHOOSE_BY_SEARCH))
        elif isinstance(field.widget, forms.RadioSelect):
            items.append(Field.radios(name, legend_size=Size.SMALL, inline=getattr(field, "inline", False)))
        elif isinstance(field.widget, forms.CheckboxSelectMultiple):
            items.append(Field.checkboxes(name, legend_size=Size.SMALL))
        elif isinstance(field.widget, forms.Textarea):
            items.append(Field.textarea(name, label_size=Size.SMALL, rows=field.widget.attrs.get("rows", 4)))
        elif isinstance(field, DateInputField):
            items.append(Field(name, context={"legend_size": Size.for_legend(Size.SMALL)}))
        else:
            items.append(Field.text(name, label_size=Size.SMALL, field_width=Fluid.TWO_THIRDS))
    return Layout(*items)


class ChildForm(GOVUKForm):
    submit_label = "Save child"

    given_name = text("First name", message="Enter the child's first name", max_length=100)
    family_name = text("Last name", message="Enter the child's last name", max_length=100)
    date_of_birth = date_field("Date of birth", help_text="For example, 27 3 2014")
    nhs_number = text(
        "NHS number (optional)",
        required=False,
        max_length=20,
        help_text="10 digits, like 943 476 5919. Include it when you know it: it goes with every share.",
    )
    local_reference = text(
        "Your agency's reference (optional)",
        required=False,
        max_length=50,
        help_text="For example, your case management system's number for the child.",
    )
    # The possible duplicates the practitioner was shown and has said this child is not.
    confirmed_different = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    NEW_CHILD = "new"

    def __init__(self, *args, near=(), **kwargs):
        """``near``: the near matches (``consent.matching.Match``) to choose from, once found."""
        super().__init__(*args, **kwargs)
        items = [
            Field.text("given_name", field_width=Fluid.TWO_THIRDS),
            Field.text("family_name", field_width=Fluid.TWO_THIRDS),
            Field("date_of_birth", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.text("nhs_number", field_width=Fluid.ONE_THIRD),
            Field.text("local_reference", field_width=Fluid.ONE_THIRD),
            Field("confirmed_different"),
        ]
        if near:
            self.fields["same_child"] = forms.ChoiceField(
                label="Is the child you are adding one of these?",
                choices=[(str(m.child.pk), _match_label(m)) for m in near]
                + [(self.NEW_CHILD, "No, none of these: add a new child")],
                widget=forms.RadioSelect,
                required=False,
                help_text="Choose a child to link your agency to their record. Your agency then sees "
                "the child and its own records about them, not other agencies' records.",
                error_messages={"invalid_choice": "Select one of the children listed, or none of these"},
            )
            items.insert(0, Field.radios("same_child", legend_size=Size.MEDIUM))
        self.helper.layout = Layout(*items)

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        _not_in_future(value, "date of birth")
        if value and value.year < 1900:
            raise forms.ValidationError("Enter a date of birth after 1900")
        return value

    def clean_nhs_number(self):
        value = normalise_nhs_number(self.cleaned_data["nhs_number"])
        if value:
            validate_nhs_number(value)
        return value

    def clean_confirmed_different(self) -> set[int]:
        value = self.cleaned_data["confirmed_different"]
        return {int(part) for part in value.split(",") if part.strip().isdigit()}


def _match_label(match) -> str:
    """What the practitioner typed, as the partnership holds it: no more is shown until they choose."""
    child = match.child
    label = f"{child.given_name} {child.family_name}, born {long_date(child.date_of_birth)}"
    if match.held_by_you:
        return f"{label} (your agency already holds a record)"
    return f"{label} (known to another agency in the partnership)"


class ChildSearchForm(GOVUKForm):
    submit_label = "Search"

    name = text("Name", required=False, max_length=100)
    date_of_birth = date_field("Date of birth", required=False, help_text="For example, 27 3 2014")
    nhs_number = text("NHS number", required=False, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            Field("date_of_birth", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.text("nhs_number", field_width=Fluid.ONE_THIRD),
        )

    def clean_nhs_number(self):
        return normalise_nhs_number(self.cleaned_data["nhs_number"])


class JourneyForm(GOVUKForm):
    """One page of a journey. Knows the child, the user and the answers given so far."""

    def __init__(self, *args, child, user, values: dict, **kwargs):
        self.child = child
        self.user = user
        self.values = values
        super().__init__(*args, **kwargs)
        self.add_fields()
        self.helper.layout = _layout(self)

    def add_fields(self) -> None:
        """Fields that depend on earlier answers."""

    def to_json(self) -> dict:
        """The cleaned answers in a form a draft can keep."""
        out = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif isinstance(value, models.Model):
                value = value.pk
            elif isinstance(value, models.QuerySet):
                value = sorted(obj.pk for obj in value)
            out[name] = value
        return out

    def load(self, stored: dict) -> None:
        """Show answers kept in a draft (an unbound form only)."""
        for name, field in self.fields.items():
            value = stored.get(name)
            if value is not None and isinstance(field, DateInputField):
                value = datetime.date.fromisoformat(value)
            if value is not None:
                self.initial[name] = value


# The competence assessment journey ------------------------------------------------------------


class AssessmentMatterForm(JourneyForm):
    matter = radios(
        "What is the child being asked to decide?",
        Matter.choices,
        required_message="Select what the child is being asked to decide",
        help_text="Competence is specific to each decision. For contraception or sexual health, "
        "the Fraser guidelines are added to the questions.",
    )
    matter_detail = text("Say more about it (optional)", required=False, max_length=500)
    assessed_on = date_field("Date of the assessment")

    def clean_assessed_on(self):
        value = self.cleaned_data["assessed_on"]
        _not_in_future(value, "date of the assessment")
        if value and value < self.child.date_of_birth:
            raise forms.ValidationError("The date of the assessment must be after the child was born")
        return value


class CriteriaForm(JourneyForm):
    """Each criterion answered yes, no or not sure, with an optional note."""

    criteria: tuple = ()

    def add_fields(self) -> None:
        for criterion in self.page_criteria():
            self.fields[criterion.key] = radios(
                criterion.question,
                CriterionAnswer.choices,
                required_message=f"Select yes, no or not sure for: {criterion.question}",
            )
            self.fields[criterion.key].inline = True
            note = long_text("Note (optional)", required=False)
            note.widget.attrs["rows"] = 2
            # Labels are rendered as HTML by the form pack; the question is our own text, never a user's.
            note.label = mark_safe(  # noqa: S308
                f'Note<span class="govuk-visually-hidden"> on: {escape(criterion.question)}</span> (optional)'
            )
            self.fields[f"{criterion.key}_note"] = note

    def page_criteria(self):
        return self.criteria


class UnderstandingForm(CriteriaForm):
    criteria = UNDERSTANDING


class ReasoningForm(CriteriaForm):
    criteria = REASONING


class FraserForm(CriteriaForm):
    def page_criteria(self):
        return criteria_for(Matter.SEXUAL_HEALTH)[len(UNDERSTANDING) + len(REASONING) :]


class OutcomeForm(JourneyForm):
    outcome = radios(
        "Is the child competent to decide this for themselves?",
        CompetenceOutcome.choices,
        required_message="Select whether the child is competent to decide",
        help_text="Children of 12 and over can generally be expected to understand enough to decide "
        "(Derby and Derbyshire practitioner guidance). Say why if you judge otherwise.",
    )
    reason = long_text("Reason for your judgement", required=False)

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        matter = self.values.get("matter")
        answers = [self.values.get(criterion.key) for criterion in criteria_for(matter)]
        competent = outcome == CompetenceOutcome.COMPETENT
        if competent and any(answer != CriterionAnswer.YES for answer in answers):
            self.add_error(
                "outcome",
                "You cannot record the child as competent while a criterion is not met or you are unsure",
            )
        assessed_on = self.values.get("assessed_on")
        if assessed_on and outcome and not (cleaned.get("reason") or "").strip():
            age = self.child.age_on(datetime.date.fromisoformat(assessed_on))
            if competent and age < EXPECTED_COMPETENT_FROM_AGE:
                self.add_error("reason", "Explain why you judged a child under 12 to be competent")
            elif outcome == CompetenceOutcome.NOT_COMPETENT and age >= EXPECTED_COMPETENT_FROM_AGE:
                self.add_error("reason", "Explain why you judged a child of 12 or over not to be competent")
        return cleaned


# The consent journey --------------------------------------------------------------------------


class PurposeForm(JourneyForm):
    purpose = radios(
        "What is the information to be shared for?",
        SharingPurpose.choices,
        required_message="Select what the information is to be shared for",
    )
    matter = radios(
        "What is the consent about?",
        Matter.choices,
        required_message="Select what the consent is about",
    )


class InformationForm(JourneyForm):
    information_categories = forms.MultipleChoiceField(
        label="Which information does the consent cover?",
        choices=InformationCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={
            "required": "Select the information the consent covers",
            "invalid_choice": "Select the information the consent covers",
        },
    )


class RecipientsForm(JourneyForm):
    recipients = forms.ModelMultipleChoiceField(
        label="Which agencies would receive the information?",
        queryset=Agency.objects.none(),
        # static/js/app.js: chosen by typing the agency's name, the chosen ones listed, not a wall of boxes.
        widget=forms.CheckboxSelectMultiple(attrs={CHOOSE_BY_SEARCH: ""}),
        help_text="Select all that apply.",
        error_messages={
            "required": "Select the agencies that would receive the information",
            "invalid_choice": "Select the agencies that would receive the information",
            "invalid_pk_value": "Select the agencies that would receive the information",
        },
    )

    def add_fields(self) -> None:
        self.fields["recipients"].queryset = Agency.objects.visible_to(self.user).order_by("name")


class SoughtForm(JourneyForm):
    sought = radios(
        "Did you ask for consent?",
        YES_NO,
        required_message="Select yes if you asked for consent",
        help_text="Ask first where it is safe to. You do not need consent to share where a child is at "
        "risk, but you do need a lawful basis (Information sharing: advice for practitioners, 2024).",
    )


class NotSoughtForm(JourneyForm):
    not_sought_reason = radios(
        "Why did you not ask for consent?",
        ConsentNotSoughtReason.choices,
        required_message="Select why you did not ask for consent",
    )
    not_sought_note = long_text("Explain your reasoning", message="Explain why you did not ask for consent")
    given_on = date_field("Date you decided")

    def clean_given_on(self):
        value = self.cleaned_data["given_on"]
        _not_in_future(value, "date you decided")
        return value


class WhoForm(JourneyForm):
    asked = radios(
        "Whose consent did you ask for?",
        ConsentAsked.choices,
        required_message="Select whose consent you asked for",
        help_text="Ask the child if they are competent to decide; otherwise ask a person with parental "
        "responsibility (Derby and Derbyshire practitioner guidance, 'Whose consent should be sought?').",
    )


class AnswerForm(JourneyForm):
    answer = radios(
        "What was the answer?",
        [("given", "Consent given"), ("refused", "Consent refused")],
        required_message="Select whether consent was given or refused",
    )
    how_obtained = radios("How did you ask?", ConsentMethod.choices, required_message="Select how you asked")
    given_on = date_field("Date of the answer")

    def clean_given_on(self):
        value = self.cleaned_data["given_on"]
        _not_in_future(value, "date of the answer")
        return value


class ParentForm(JourneyForm):
    parent_name = text("Name of the person you asked", message="Enter the name of the person you asked")
    parent_relationship = text(
        "Their relationship to the child",
        message="Enter their relationship to the child",
        max_length=100,
        help_text="For example, mother, father, special guardian.",
    )


class AssessmentChoiceForm(JourneyForm):
    assessment = forms.ModelChoiceField(
        label="Which assessment found the child competent to decide?",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select the assessment that found the child competent",
            "invalid_choice": "Select the assessment that found the child competent",
        },
    )

    def add_fields(self) -> None:
        on = self.values.get("given_on")
        on = datetime.date.fromisoformat(on) if on else timezone.localdate()
        field = self.fields["assessment"]
        field.queryset = assessments_supporting_consent(
            child=self.child, user=self.user, matter=self.values.get("matter", ""), on=on
        ).select_related("assessor")
        field.label_from_instance = lambda a: (
            f"{long_date(a.assessed_on)}, by {a.assessor} ({a.get_matter_display().lower()})"
        )
        field.help_text = (
            f"Only assessments of this matter, found competent, made in the "
            f"{settings.CONSENT_COMPETENCE_VALID_DAYS} days before the answer, are shown."
        )


class ValidUntilForm(JourneyForm):
    valid_until = date_field(
        "Date the consent lasts until (optional)",
        required=False,
        help_text="Leave blank if no end date was agreed. For example, 27 3 2027",
    )

    def clean_valid_until(self):
        value = self.cleaned_data["valid_until"]
        given_on = self.values.get("given_on")
        if value and given_on and value < datetime.date.fromisoformat(given_on):
            raise forms.ValidationError("The date the consent lasts until must be on or after the answer")
        return value


class DisagreementForm(JourneyForm):
    disagreement = radios(
        "Did the child and a parent disagree?",
        YES_NO,
        required_message="Select yes if the child and a parent disagreed",
        help_text="Where they disagree, act in the child's best interests, even if that means overriding "
        "a refusal (Derby and Derbyshire practitioner guidance).",
    )
    best_interests_reasoning = long_text(
        "How did the child's best interests settle it? (if they disagreed)", required=False
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("disagreement") == "yes"
            and not (cleaned.get("best_interests_reasoning") or "").strip()
        ):
            self.add_error(
                "best_interests_reasoning", "Explain how the child's best interests settled the disagreement"
            )
        return cleaned


class DiscussionForm(JourneyForm):
    discussion_note = long_text(
        "Note of the discussion",
        message="Enter a note of the discussion",
        help_text="What you explained, what they understood and what they said.",
    )


class WithdrawForm(GOVUKForm):
    submit_label = "Record withdrawal"

    withdrawn_on = date_field("Date consent was withdrawn")
    how_obtained = radios(
        "How were you told?", ConsentMethod.choices, required_message="Select how you were told"
    )
    discussion_note = long_text("Note of what was said", message="Enter a note of what was said")

    def __init__(self, *args, consent, **kwargs):
        self.consent = consent
        super().__init__(*args, **kwargs)
        self.helper.layout = _layout(self)

    def clean_withdrawn_on(self):
        value = self.cleaned_data["withdrawn_on"]
        _not_in_future(value, "date consent was withdrawn")
        if value and value < self.consent.given_on:
            raise forms.ValidationError("The date consent was withdrawn must be on or after it was given")
        return value
