"""One form per question page of the guided decision, plus review, addendum and log filters.

Guidance text is written for this product; sources are named where they are drawn on.
"""

from datetime import date

from crispy_forms_gds.layout import Layout
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator

from agreements.models import Agency, SectorKind
from consent.models import InformationCategory
from decisions import flowchart, integrations, rules
from decisions.models import (
    REFUSALS,
    AdviceSource,
    ConsentPosition,
    ConsentStatus,
    EscalationOutcome,
    OnwardDisclosure,
    Outcome,
    RequestMethod,
    ReviewAction,
    ShareMethod,
    SourceAgreed,
    Status,
)
from isa_portal.forms import GOVUKDateField, GOVUKForm
from isa_portal.vocabulary import (
    Article6Basis,
    GroundForSharingWithoutConsent,
    IdentityMethod,
    IdentityOutcome,
    OtherReasonToShare,
    SharingPurpose,
    WrittenConfirmation,
)
from isa_portal.web import long_date

YES_NO = [("yes", "Yes"), ("no", "No")]
LONG_TEXT = 5000
SHORT_TEXT = 150


def _to_bool(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _from_bool(value: bool | None) -> str | None:
    return {True: "yes", False: "no"}.get(value)


class YesNoField(forms.TypedChoiceField):
    def __init__(self, *, label: str, required_message: str, **kwargs):
        super().__init__(
            label=label,
            choices=YES_NO,
            coerce=_to_bool,
            widget=forms.RadioSelect,
            error_messages={"required": required_message, "invalid_choice": required_message},
            **kwargs,
        )


class DateField(GOVUKDateField):
    """The GOV.UK three-part date, refusing impossible years, and dates after today (each question's
    message is ``rules.FUTURE_DATES[question]``)."""

    def __init__(self, *, required_message: str, question: str, **kwargs):
        super().__init__(**kwargs)
        self.question = question
        self.error_messages["required"] = required_message
        self.error_messages["incomplete"] = required_message
        self.error_messages["invalid"] = "Enter a real date"

    def validate(self, value):
        super().validate(value)
        if value and value < date(2000, 1, 1):
            raise ValidationError("Enter a date after 1 January 2000")
        if problem := rules.future_date_problem(self.question, value):
            raise ValidationError(problem)


def _text(
    label: str, *, required: str | None = None, long: bool = True, help_text: str = "", reasoning: str = ""
):
    """A text answer; ``reasoning`` names a field whose answer must say something (``rules.REASONING``)."""
    return forms.CharField(
        label=label,
        required=required is not None,
        max_length=LONG_TEXT if long else SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}) if long else forms.TextInput,
        help_text=help_text,
        error_messages={
            "required": required or "",
            "max_length": f"{label} must be {LONG_TEXT if long else SHORT_TEXT} characters or fewer",
        },
        validators=[_says_something(reasoning)] if reasoning else [],
        strip=True,
    )


def _says_something(field: str):
    def validate(text: str) -> None:
        if problem := rules.reasoning_problem(field, text):
            raise ValidationError(problem)

    return validate


# A select that static/js/app.js turns into GOV.UK's accessible autocomplete: type to find.
AUTOCOMPLETE = {"data-app-autocomplete": "options"}


def _agency_field(label: str, *, required: str | None = None, help_text: str = "", active_only: bool = False):
    return forms.ModelChoiceField(
        label=label,
        queryset=Agency.objects.filter(is_active=True) if active_only else Agency.objects.all(),
        required=required is not None,
        help_text=help_text,
        empty_label="Select an agency",
        widget=forms.Select(attrs=AUTOCOMPLETE),
        error_messages={
            "required": required or "",
            "invalid_choice": "Select an agency from the list",
            "invalid_pk_value": "Select an agency from the list",
        },
    )


class StepForm(GOVUKForm):
    """A question page: bound to a draft decision, it reads and writes only its own fields."""

    submit_label = "Save and continue"

    def __init__(self, *args, decision, **kwargs):
        self.decision = decision
        if "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(decision)
        super().__init__(*args, **kwargs)

    def initial_from(self, decision) -> dict:
        initial = {}
        for name, field in self.base_fields.items():
            value = getattr(decision, name, None)
            if isinstance(field, YesNoField):
                value = _from_bool(value)
            initial[name] = value
        return initial

    def answers(self) -> dict:
        return dict(self.cleaned_data)


class ChooseChildForm(GOVUKForm):
    submit_label = "Start the decision"

    child = forms.ModelChoiceField(
        label="Which child is the decision about?",
        queryset=None,
        empty_label="Select a child",
        error_messages={
            "required": "Select the child the decision is about",
            "invalid_choice": "Select a child from the list",
            "invalid_pk_value": "Select a child from the list",
        },
        help_text="Type the child's name to find them. Only children your agency holds a record about "
        "are offered: add a child first if they are not.",
    )
    token = forms.UUIDField(widget=forms.HiddenInput)

    # With JavaScript the picker searches every child the person may see (consent:child_suggest);
    # without it, the list offers the most recently added, and the child's own page has the action.
    LISTED = 100

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["child"]
        field.queryset = children
        chosen = self.data.get("child") or self.initial.get("child")
        listed = list(children.order_by("-created_at", "-id")[: self.LISTED])
        if chosen and str(chosen).isdigit() and all(str(child.pk) != str(chosen) for child in listed):
            listed += list(children.filter(pk=chosen))
        listed.sort(key=lambda child: (child.family_name, child.given_name, child.pk))
        field.label_from_instance = lambda child: f"{child}, born {long_date(child.date_of_birth)}"
        options = [(child.pk, field.label_from_instance(child)) for child in listed]
        field.widget.choices = [("", field.empty_label), *options]
        field.widget.attrs.update(
            {"data-app-autocomplete": "search", "data-app-source": reverse("consent:child_suggest")}
        )


class RequestForm(StepForm):
    request_method = forms.ChoiceField(
        label="How did the request reach you?",
        choices=RequestMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how the request was made",
            "invalid_choice": "Select how the request was made",
        },
    )
    requester_name = _text("Who asked? (name)", long=False)
    requester_role = _text("Their role", long=False)
    requester_agency = _agency_field(
        "Their agency", help_text="From the partnership's register. Leave blank if not a partner agency."
    )
    request_received_on = DateField(
        label="When was the request made?",
        required=False,
        required_message="Enter the date of the request",
        question="request_received_on",
    )
    identity_method = forms.ChoiceField(
        label="How did you check who they are and that they are entitled to the information?",
        choices=IdentityMethod.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": rules.REQUEST_MESSAGES["identity_method"]},
    )
    identity_checked_against = _text(
        "What did you check it against?",
        long=False,
        help_text="For example: the force switchboard number on its website; the partnership directory.",
    )
    identity_outcome = forms.ChoiceField(
        label="What was the outcome of the check?",
        choices=IdentityOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": rules.REQUEST_MESSAGES["identity_outcome"]},
    )
    identity_check = _text("Anything more about the check (optional)", reasoning="identity_check")
    written_confirmation = forms.ChoiceField(
        label="If the request came by phone: do you have it in writing?",
        choices=WrittenConfirmation.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": rules.REQUEST_MESSAGES["written_confirmation"]},
    )

    def clean(self):
        data = super().clean()
        for field, message in rules.request_problems(data):
            if field not in self.errors:
                self.add_error(field, message)
        return data


class PurposeForm(StepForm):
    purpose = forms.ChoiceField(
        label="What is the purpose of sharing?",
        choices=SharingPurpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the purpose", "invalid_choice": "Select the purpose"},
    )
    purpose_detail = _text("Describe the concern or the need, in a few sentences")
    information_categories = forms.MultipleChoiceField(
        label="What kinds of information would you share, or were you asked for? Select all that apply",
        choices=InformationCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": rules.MESSAGE_CATEGORIES,
            "invalid_choice": "Select only the kinds of information listed",
        },
        help_text="Health and sexual health are special category information: sharing them needs an "
        "extra legal condition, which the lawful basis page asks for.",
    )
    events_on = DateField(
        label="When did the events happen, or when did they begin?",
        required=False,
        required_message=rules.REFERRAL_MESSAGES["events_on"],
        question="events_on",
        help_text="Needed when the information includes sexual activity: a child who was under 13 at the "
        "time must be referred to children's social care or the police.",
    )

    def clean(self):
        data = super().clean()
        for field, message in rules.purpose_problems(data):
            if field not in self.errors:
                self.add_error(field, message)
        return data


NOT_SURE = "not_sure"
YES_NO_NOT_SURE = [*YES_NO, (NOT_SURE, "I am not sure")]


class FlowchartQuestionForm(StepForm):
    """One question of the national flowchart a page (the next is asked only when this answer leads on
    to it), with "I am not sure", which leads to a page of advice before the question is answered."""

    question = ""  # the Decision field this page answers
    writes = ("unsure_about",)  # beside the question, the page records that it was answered "not sure"

    def initial_from(self, decision) -> dict:
        value = getattr(decision, self.question)
        if value is None and self.question in decision.unsure_questions:
            return {self.question: NOT_SURE}
        return {self.question: _from_bool(value)}

    def answers(self) -> dict:
        answer = self.cleaned_data[self.question]
        unsure = [name for name in self.decision.unsure_questions if name != self.question]
        if answer == NOT_SURE:
            unsure.append(self.question)
        return {self.question: _to_bool(answer), "unsure_about": " ".join(unsure)}


def _flowchart_field(label: str, required_message: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=YES_NO_NOT_SURE,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


class QuestionsForm(FlowchartQuestionForm):
    question = "clear_purpose"
    clear_purpose = _flowchart_field(
        flowchart.FLOWCHART_QUESTIONS["clear_purpose"],
        "Select whether there is a clear and legitimate purpose",
        help_text="A purpose you could explain to the child, the family and a court: why the recipient needs "
        "the information, and what they will do with it.",
    )


class IdentifiesForm(FlowchartQuestionForm):
    question = "identifies_person"
    identifies_person = _flowchart_field(
        flowchart.FLOWCHART_QUESTIONS["identifies_person"],
        "Select whether the information identifies a person",
        help_text="Directly, such as a name or NHS number, or with other information the recipient holds.",
    )


class ConfidentialForm(FlowchartQuestionForm):
    question = "confidential"
    confidential = _flowchart_field(
        flowchart.FLOWCHART_QUESTIONS["confidential"],
        "Select whether the information is confidential",
        help_text="Information given in confidence, or not generally available, "
        "such as health or case records.",
    )


def _advice_fields() -> dict[str, forms.Field]:
    return {
        "advice_source": forms.ChoiceField(
            label="Whom did you ask?",
            choices=AdviceSource.choices,
            widget=forms.RadioSelect,
            error_messages={
                "required": rules.GUIDED_MESSAGES["advice_source"],
                "invalid_choice": rules.GUIDED_MESSAGES["advice_source"],
            },
        ),
        "advice_from": _text("Their name", long=False, required=rules.GUIDED_MESSAGES["advice_from"]),
        "advice_role": _text("Their role (optional)", long=False),
        "advice_on": DateField(
            label="When did they advise you?",
            required_message=rules.GUIDED_MESSAGES["advice_on"],
            question="advice_on",
            help_text="For example, 27 3 2026",
        ),
        "advice_given": _text(
            "What did they advise?", required=rules.GUIDED_MESSAGES["advice_given"], reasoning="advice_given"
        ),
    }


class NotSureForm(StepForm):
    """The advice a practitioner sought because they were not sure of a flowchart question, then the
    question again, answered with that advice (``not_sure_form`` makes one per question)."""

    question = ""
    writes = ("advice_sought",)

    def answers(self) -> dict:
        return {**self.cleaned_data, "advice_sought": True}


def not_sure_form(field: str) -> type[NotSureForm]:
    question = flowchart.FLOWCHART_QUESTIONS[field]
    attrs = {
        "question": field,
        "question_text": question,
        **_advice_fields(),
        field: YesNoField(
            label=f"Now that you have taken advice: {question[0].lower()}{question[1:]}",
            required_message="Select your answer, now that you have taken advice",
        ),
    }
    return type(NotSureForm)(f"NotSure_{field}_Form", (NotSureForm,), attrs)


class ConsentForm(StepForm):
    """No answers to type: the consent position is looked up when the page is saved."""

    submit_label = "Continue"


class OtherReasonForm(StepForm):
    other_reasons = forms.TypedMultipleChoiceField(
        label="Is there another reason to share without consent? Select all that apply",
        choices=OtherReasonToShare.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select only the reasons listed"},
        help_text="Leave all unticked if there is none.",
    )


class OutcomeForm(StepForm):
    outcome = forms.ChoiceField(
        label="What is your decision?",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select your decision", "invalid_choice": "Select your decision"},
    )
    departure_reason = _text(
        "If your decision differs from the one suggested, why?", reasoning="departure_reason"
    )
    override_reason = _text(
        "If you share although consent was refused or withdrawn, why?",
        help_text="A safeguarding lead must countersign a decision that overrides a refusal of consent.",
        reasoning="override_reason",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.decision.consent_status not in REFUSALS:
            del self.fields["override_reason"]
        elif rules.competent_child_refused(self.decision):
            name = self.decision.child.given_name
            self.fields["override_reason"].label = (
                f"{name} was assessed competent and refused. If you share, why is it in {name}'s "
                "best interests?"
            )
            self.fields["override_reason"].help_text = (
                "A parent's consent does not override a competent child's refusal. You may share without "
                "consent on the grounds that allow it; a safeguarding lead must countersign the decision."
            )

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if not outcome:
            return data
        if outcome == Outcome.DO_NOT_SHARE and self.decision.mandatory_referral:
            self.add_error("outcome", rules.MANDATORY_REFERRAL_MESSAGE)
        if outcome != self.decision.proposed_outcome and not data.get("departure_reason"):
            self.add_error(
                "departure_reason", "Enter why your decision differs from the one the questions suggest"
            )
        sharing = outcome in (Outcome.SHARE, Outcome.SHARE_IN_PART)
        refused = self.decision.consent_status in REFUSALS
        if sharing and refused and not data.get("override_reason") and "override_reason" not in self.errors:
            self.add_error(
                "override_reason",
                rules.CONSENT_MESSAGES["competent_child_refused"].format(child=self.decision.child.given_name)
                if rules.competent_child_refused(self.decision)
                else rules.CONSENT_MESSAGES["override_reason"],
            )
        return data


class ReferralForm(StepForm):
    """The mandatory referral: sexual activity involving a child under 13 (``rules.referral_problems``)."""

    referral_agency = forms.ModelChoiceField(
        label="Who did you refer it to?",
        queryset=Agency.objects.filter(kind__in=rules.REFERRAL_KINDS, is_active=True),
        empty_label="Select children's social care or the police",
        widget=forms.Select(attrs=AUTOCOMPLETE),
        help_text="Children's social care or the police. Sharing with anyone else, such as a school, "
        "is not the referral.",
        error_messages={
            "required": rules.REFERRAL_MESSAGES["referral_agency"],
            "invalid_choice": "Select children's social care or the police: a referral to any other agency "
            "is not the mandatory referral",
            "invalid_pk_value": "Select children's social care or the police from the list",
        },
    )
    referral_made_on = DateField(
        label="When did you refer it?",
        required_message=rules.REFERRAL_MESSAGES["referral_made_on"],
        question="referral_made_on",
    )
    referral_reference = _text(
        "Their reference for the referral",
        long=False,
        required=rules.REFERRAL_MESSAGES["referral_reference"],
        help_text="The reference the front door, MASH or the police gave you.",
    )

    def initial_from(self, decision) -> dict:
        initial = super().initial_from(decision)
        if initial.get("referral_agency") is None:
            for agency in (decision.recipient_agency, decision.requester_agency):
                if agency is not None and agency.kind in rules.REFERRAL_KINDS:
                    initial["referral_agency"] = agency
                    break
        return initial


class GroundsForm(StepForm):
    grounds = forms.TypedMultipleChoiceField(
        label="On what grounds do you share without consent? Select all that apply",
        choices=GroundForSharingWithoutConsent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the grounds for sharing without consent",
            "invalid_choice": "Select only the grounds listed",
        },
    )
    harm_if_shared = _text(
        "What might happen if the information is shared?",
        required="Enter what might happen if the information is shared",
        reasoning="harm_if_shared",
    )
    harm_if_not_shared = _text(
        "What might happen if it is not shared?",
        required="Enter what might happen if it is not shared",
        help_text="Sharing must be necessary and proportionate to the risk. Share only what is needed.",
        reasoning="harm_if_not_shared",
    )

    def clean(self):
        data = super().clean()
        for field, message in rules.grounds_problems(self.decision, data.get("grounds")):
            self.add_error(field, message)
        return data


class LawEnforcementForm(StepForm):
    law_enforcement = YesNoField(
        label="Are you sharing for a law enforcement purpose?",
        required_message=rules.MESSAGES["law_enforcement_missing"],
        help_text="Preventing, investigating, detecting or prosecuting crime (Data Protection Act 2018, "
        "section 31). If yes, Part 3 of that Act applies instead of UK GDPR. If you share to protect "
        "the child, for example at a strategy meeting, answer no.",
    )


BASIS_FIELDS = ("article6_basis", "article9_condition", "schedule8_condition")


def _radios(label: str, required_message: str) -> forms.ChoiceField:
    """Choices set per decision: only what the rules allow (``rules.article6_choices``...)."""
    return forms.ChoiceField(
        label=label,
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": "Select an option from the list"},
    )


class LawfulBasisForm(StepForm):
    """Offers only the lawful combinations for this agency and this information, the usual one chosen."""

    article6_basis = _radios("Article 6 lawful basis (UK GDPR)", rules.MESSAGES["article6_missing"])
    article9_condition = _radios(
        "Article 9 condition, for health, sexual health or other special category information",
        rules.MESSAGES["article9_missing"],
    )
    schedule8_condition = _radios(
        "Schedule 8 condition (Data Protection Act 2018), for sensitive information",
        rules.MESSAGES["part3_needs_schedule8"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.facts = rules.BasisFacts.of(self.decision)
        self.suggestion = rules.usual_basis(self.facts)
        if self.facts.law_enforcement:
            del self.fields["article6_basis"], self.fields["article9_condition"]
            self.fields["schedule8_condition"].choices = rules.schedule8_choices(self.facts)
        else:
            del self.fields["schedule8_condition"]
            self.fields["article6_basis"].choices = rules.article6_choices(self.facts)
            self.fields["article9_condition"].choices = rules.article9_choices(self.facts)
        self.helper.layout = Layout(*self.fields)

    def initial_from(self, decision) -> dict:
        """What was chosen where the law still allows it, or else the usual combination for these facts."""
        initial = super().initial_from(decision)
        facts = rules.BasisFacts.of(decision)
        usual = rules.usual_basis(facts)
        offered = {
            "article6_basis": dict(rules.article6_choices(facts)),
            "article9_condition": dict(rules.article9_choices(facts)),
            "schedule8_condition": dict(rules.schedule8_choices(facts)),
        }
        suggested = {
            "article6_basis": usual.article6,
            "article9_condition": usual.article9,
            "schedule8_condition": usual.schedule8,
        }
        for name in BASIS_FIELDS:
            if initial.get(name) not in offered[name]:
                initial[name] = suggested[name]
        return initial

    def clean(self):
        """A value the page did not offer (a hand-made post) is refused with the rule it breaks."""
        data = super().clean()
        chosen = {name: data.get(name) or self.data.get(self.add_prefix(name), "") for name in self.fields}
        for field, message in rules.lawful_basis_problems(
            self.facts,
            law_enforcement=self.facts.law_enforcement,
            article6=chosen.get("article6_basis", ""),
            article9=chosen.get("article9_condition", ""),
            schedule8=chosen.get("schedule8_condition", ""),
        ):
            if field in self.fields and chosen.get(field):
                self._errors.pop(field, None)
                self.add_error(field, message)
            elif field not in self.fields:
                self.add_error(None, message)
        return data

    def answers(self) -> dict:
        return {name: "" for name in BASIS_FIELDS} | super().answers()


class AdviceForm(StepForm):
    advice_sought = YesNoField(
        label="Did you seek advice before deciding?",
        required_message="Select whether you sought advice",
        help_text="For example from your manager, safeguarding lead, data protection officer "
        "or Caldicott guardian.",
    )


# Asked only when advice was sought: whom, their name, when, and what they advised (the questions
# the "not sure" page asks too).
AdviceDetailForm = type(StepForm)(
    "AdviceDetailForm", (StepForm,), {"__module__": __name__, **_advice_fields()}
)


class RecipientForm(StepForm):
    information_shared = _text(
        "What information do you share?",
        required="Enter what information is shared",
        help_text="Only what is relevant, accurate, necessary and proportionate: rarely a whole file.",
    )
    recipient_agency = _agency_field(
        "Which agency receives it?", required="Select the agency you are sharing with", active_only=True
    )
    recipient_name = _text("Named person receiving it", long=False)
    recipient_role = _text("Their role", long=False)
    share_method = forms.ChoiceField(
        label="How is it shared?",
        choices=ShareMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how it is shared", "invalid_choice": "Select how it is shared"},
    )
    shared_on = DateField(
        label="When did you share it?", required_message="Enter when it is shared", question="shared_on"
    )
    confirmed_in_writing = YesNoField(
        label="Was the share confirmed in writing?",
        required_message="Select whether the share was confirmed in writing",
    )

    def initial_from(self, decision) -> dict:
        initial = super().initial_from(decision)
        if initial.get("recipient_agency") is None and decision.requester_agency_id:
            initial["recipient_agency"] = decision.requester_agency
        return initial

    def clean(self):
        data = super().clean()
        recipient = data.get("recipient_agency")
        if recipient is not None:
            # The agreement this share would rely on, and the conditions of it the share breaks so far
            # (the onward disclosure is asked, and checked, on its own page).
            cover = integrations.cover_for(
                agency=recipient,
                purpose=self.decision.purpose,
                on=timezone.localdate(),
                sharer=self.decision.agency,
            )
            version = cover.version if cover else None
            for problem in rules.condition_problems(self.decision, version, recipient_agency=recipient):
                if problem.step != "openness":
                    self.add_error("recipient_agency", problem.message)
        return data


class AgreementForm(StepForm):
    no_agreement_acknowledged = forms.BooleanField(
        label="I understand no agreement in force for this purpose has been signed by both my agency "
        "and the recipient",
        error_messages={"required": "Confirm you understand there is no agreement covering this share"},
    )
    no_agreement_reason = _text(
        "Why are you sharing without an agreement?",
        required="Enter why you are sharing without an agreement",
        help_text="Sharing to protect a child is still possible and lawful without an agreement.",
    )


class OpennessForm(StepForm):
    family_told = YesNoField(
        label="Have you told the child or family that you are sharing?",
        required_message="Select whether the child or family was told",
    )
    family_not_told_reason = _text("If not, why not?")
    protected_identities = _text(
        "Is there anyone whose identity must be protected? Say who, and why",
        help_text="For example a person who reported a concern and could be harmed if identified.",
    )
    from_other_agency = YesNoField(
        label="Did any of this information come from another agency?",
        required_message="Select whether any of the information came from another agency",
    )
    source_agency = _agency_field("Which agency did it come from?")
    source_agency_agreed = forms.ChoiceField(
        label="Did that agency agree to you passing it on?",
        choices=SourceAgreed.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select whether that agency agreed"},
    )
    onward_override_reason = _text(
        "If that agency refused, why are you passing it on?",
        help_text="A safeguarding lead must countersign a decision that passes on information against the "
        "wishes of the agency it came from.",
        reasoning="onward_override_reason",
    )
    onward_disclosure = forms.ChoiceField(
        label="May the agency you share with pass this information on?",
        choices=OnwardDisclosure.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Your agency's answer as the source of the information: a practitioner there who wants to "
        "pass it on will be told, and needs a reason and a countersignature.",
        error_messages={"invalid_choice": "Select whether they may pass it on"},
    )

    def clean(self):
        data = super().clean()
        if data.get("family_told") is False and not data.get("family_not_told_reason"):
            self.add_error("family_not_told_reason", "Enter why the child or family was not told")
        if data.get("from_other_agency"):
            source = data.get("source_agency")
            if not source:
                self.add_error("source_agency", "Select the agency the information came from")
            if not data.get("source_agency_agreed"):
                self.add_error(
                    "source_agency_agreed", "Select whether that agency agreed to the onward disclosure"
                )
            recorded = rules.originator_refusal(self.decision, source.pk) if source else None
            refused = data.get("source_agency_agreed") == SourceAgreed.REFUSED or recorded is not None
            field = "onward_override_reason"
            if source and refused and not data.get(field) and field not in self.errors:
                self.add_error(field, rules.ONWARD_MESSAGES["reason"].format(agency=source))
        asked = ("from_other_agency", "source_agency", "source_agency_agreed")
        answers = {name: data.get(name) for name in asked}
        for problem in rules.condition_problems(self.decision, self.decision.agreement_version, **answers):
            if problem.step == "openness":
                self.add_error("source_agency_agreed", problem.message)
        return data

    def onward_refusal(self) -> str:
        """The originator's own record that it must not be passed on, in words ('' if none)."""
        recorded = rules.originator_refusal(self.decision) if self.decision.from_other_agency else None
        if recorded is None:
            return ""
        return rules.ONWARD_MESSAGES["recorded"].format(
            agency=self.decision.source_agency,
            date=long_date(recorded.shared_on or recorded.created),
            reference=recorded,
        )


class NoShareForm(StepForm):
    no_share_detriment = _text(
        "Why would sharing be more detrimental to the child than not sharing?",
        required="Enter why sharing would be more detrimental to the child than not sharing",
        reasoning="no_share_detriment",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["no_share_detriment"].help_text = rules.duty_to_share_wording()


class WithheldForm(StepForm):
    """A share in part: what was held back, and why (advice for practitioners, 2024, golden rule 6)."""

    withheld_information = _text(
        "What did you hold back?",
        required=rules.GUIDED_MESSAGES["withheld_information"],
        help_text="Describe it without repeating it: for example, 'the mother's health history' or "
        "'the name of the neighbour who reported the concern'.",
    )
    withheld_reason = _text(
        "Why did you hold it back?",
        required=rules.GUIDED_MESSAGES["withheld_reason"],
        help_text="For example: the recipient does not need it for the purpose; it would identify someone "
        "who could be harmed; it is another agency's to share.",
        reasoning="withheld_reason",
    )


class NewInformationForm(StepForm):
    """A reconsideration rests on what is new (advice for practitioners, 2024, golden rule 7)."""

    new_information = _text(
        "What is new since the earlier decision?",
        required=rules.GUIDED_MESSAGES["new_information"],
        help_text="What the requester, or anyone else, has told you that the earlier decision did not have.",
        reasoning="new_information",
    )


class ReviewForm(GOVUKForm):
    submit_label = "Record your review"

    action = forms.ChoiceField(
        label="What do you want to do?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what you want to do",
            "invalid_choice": "Select what you want to do",
        },
    )
    outcome = forms.ChoiceField(
        label="How did the disagreement end?",
        choices=EscalationOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Recorded apart from any countersignature.",
        error_messages={"invalid_choice": rules.OUTCOME_REQUIRED_MESSAGE},
    )
    countersign = forms.BooleanField(
        label="I also countersign the decision as it stands",
        required=False,
        help_text="Only if the decision stands (upheld or agreed) and you are content to put your "
        "name to it.",
    )
    comments = _text("Comments", help_text="Required when you return, escalate or resolve.")

    def __init__(self, *args, decision, actions: list[str], escalated_by_you: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a, ReviewAction(a).label) for a in actions]
        if escalated_by_you:
            self.fields["action"].error_messages["invalid_choice"] = rules.NO_SELF_RESOLUTION_MESSAGE
        if ReviewAction.RESOLVE not in actions:
            del self.fields["outcome"]
            del self.fields["countersign"]
        elif decision.countersigned_at is not None:
            del self.fields["countersign"]
        self.helper.layout = self.helper.build_default_layout(self)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action and action != ReviewAction.ENDORSE and not data.get("comments"):
            self.add_error(
                "comments", "Enter your comments: the practitioner and the record need to know why"
            )
        if action == ReviewAction.RESOLVE and "outcome" not in self.errors:
            for message in rules.resolution_problems(
                outcome=data.get("outcome", ""), countersign=bool(data.get("countersign"))
            ):
                field = "outcome" if message == rules.OUTCOME_REQUIRED_MESSAGE else "countersign"
                self.add_error(field, message)
        return data


class AddendumForm(GOVUKForm):
    submit_label = "Add to the record"

    text = _text(
        "Addendum",
        required="Enter the addendum",
        help_text="It is added to the record with your name and the time. Nothing already recorded changes.",
    )


SHARED = "shared"  # the log's "shared in full or in part": share and share in part together
LOG_OUTCOME_CHOICES = [
    ("", "Any"),
    (SHARED, "Shared (in full or in part)"),
    *Outcome.choices,
]


class _Options(BaseChoiceIterator):
    """A select's options, given already as (value, label) pairs, kept as they are. Django
    normalises a list of choices pair by pair whenever a field or its widget is given one (twice a
    field) and deep-copies it with every form: for the log's 150 agencies and its nine lists that
    was most of the time of making its form. Never changed once made, so forms share them."""

    def __init__(self, options):
        self.options = tuple(options)

    def __iter__(self):
        return iter(self.options)

    def __len__(self) -> int:
        return len(self.options)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


class LogFilterForm(forms.Form):
    """Filters for the agency decision log. Every field is optional; bad values are ignored."""

    date_from = forms.DateField(
        label="Recorded from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Recorded to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = forms.ChoiceField(label="Decision", required=False, choices=_Options(LOG_OUTCOME_CHOICES))
    recipient_agency = forms.TypedChoiceField(
        label="Shared with (agency)", required=False, coerce=int, empty_value=None
    )
    recipient_kind = forms.ChoiceField(
        label="Kind of recipient", required=False, choices=_Options([("", "Any"), *SectorKind.choices])
    )
    consent_position = forms.ChoiceField(
        label="Consent position", required=False, choices=_Options([("", "Any"), *ConsentPosition.choices])
    )
    article6_basis = forms.ChoiceField(
        label="Lawful basis", required=False, choices=_Options([("", "Any"), *Article6Basis.choices])
    )
    grounds = forms.ChoiceField(
        label="Grounds for sharing without consent",
        required=False,
        choices=_Options([("", "Any"), *GroundForSharingWithoutConsent.choices]),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=_Options([("", "Any"), *[(s.value, s.label) for s in Status if s != Status.DRAFT]]),
    )
    agency = forms.TypedChoiceField(label="Agency", required=False, coerce=int, empty_value=None)
    practitioner = forms.TypedChoiceField(label="Practitioner", required=False, coerce=int, empty_value=None)
    child = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, practitioners, agencies=None, recipients=(), **kwargs):
        """``agencies`` (id, name) for a partnership-wide user, None for an agency's own staff;
        ``recipients`` (id, name): every agency information may have gone to (None: no such filter)."""
        super().__init__(*args, **kwargs)
        if agencies is None:
            del self.fields["agency"]
        else:
            self.fields["agency"].choices = _Options([("", "Any agency"), *agencies])
        if recipients is None:
            del self.fields["recipient_agency"]
        else:
            self.fields["recipient_agency"].choices = _Options([("", "Any agency"), *recipients])
        if practitioners:  # (id, name) rows
            self.fields["practitioner"].choices = _Options([("", "Anyone"), *practitioners])
        else:
            del self.fields["practitioner"]  # a partnership-wide user chooses an agency first

    def described(self) -> list[tuple[str, str]]:
        """The filters given, as (label, value shown) in the form's order: what an export says it holds."""
        if not self.is_bound or not self.is_valid():
            return []
        described = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if value in (None, "") or name == "child":
                continue
            if hasattr(field, "choices"):
                shown = str(dict((str(key), label) for key, label in field.choices).get(str(value), value))
            elif isinstance(value, date):
                shown = long_date(value)
            else:
                shown = str(value)
            described.append((str(field.label), shown))
        return described


CONSENT_STATUS_LABELS = dict(ConsentStatus.choices)
