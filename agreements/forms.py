"""GOV.UK forms for agencies, agreements, versions, signatures and incidents.

Forms check the shape of each answer; the rules that need other records (who
may sign what, which status may follow which) are in ``agreements.services`` and
come back as field errors.
"""

import datetime
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from agreements.evidence import STATEMENTS
from agreements.models import (
    BREACH_KINDS,
    PUBLIC_AUTHORITY_BY_KIND,
    STATUS_TRANSITIONS,
    Agency,
    AgencyKind,
    Agreement,
    AgreementCondition,
    AgreementStatus,
    AgreementTier,
    AgreementVersion,
    ConditionKind,
    Incident,
    IncidentKind,
    IncidentOutcome,
    IncidentStatus,
    PartnershipGroup,
)
from agreements.selectors import RegisterState, StillToSign, register_agreements
from consent.models import InformationCategory
from decisions.models import Decision
from isa_portal.concurrency import VersionedFormMixin
from isa_portal.forms import GOVUKDateField, GOVUKForm, GOVUKModelForm, ListedModelChoiceField
from isa_portal.pdf import is_readable_pdf
from isa_portal.vocabulary import Article6Basis, Article9Condition, SharingPurpose

PDF_MAGIC = b"%PDF-"


class DateField(GOVUKDateField):
    """The GOV.UK three-box date, reporting each missing part and any impossible date plainly."""

    def __init__(self, **kwargs):
        kwargs.setdefault("require_all_fields", False)
        super().__init__(**kwargs)
        self.error_messages["invalid"] = "Enter a real date"

    def compress(self, data_list):
        value = super().compress(data_list)
        if value is not None and not 1900 <= value.year <= 2200:
            raise ValidationError("Enter a year between 1900 and 2200", code="invalid")
        return value


class EditLockMixin(VersionedFormMixin):
    """Optimistic locking on edit forms only: a new record has no version to go stale."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if getattr(self, "instance", None) is None or self.instance.pk is None:
            del self.fields["lock_version"]

    def clean(self):
        cleaned = super().clean()
        if "lock_version" in self.errors:  # a hidden field: its error would not show beside it
            self.add_error(
                None, "This page is out of date. Open it again from the record and make your changes."
            )
        return cleaned


def radios(choices, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(widget=forms.RadioSelect, choices=choices, **kwargs)


def yes_no_or_unanswered(label: str, help_text: str) -> forms.TypedChoiceField:
    """Yes, no, or left unanswered (None: the agency's kind decides)."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=help_text,
    )


class AgencyForm(EditLockMixin, GOVUKModelForm):
    submit_label = "Save agency"

    kind = radios(
        AgencyKind.choices, label="Kind of agency", error_messages={"required": "Select the kind of agency"}
    )
    group = radios(
        PartnershipGroup.choices,
        label="Partnership group",
        help_text="The core group reviews the agreements; the virtual group need not meet.",
        error_messages={"required": "Select the partnership group"},
    )
    ico_registration_expires_on = DateField(
        label="ICO registration expires on", required=False, help_text="For example, 31 3 2027"
    )
    public_authority = yes_no_or_unanswered(
        "Is it a public authority?",
        "Councils, the police, the NHS, academies and maintained schools, probation, fire and "
        "rescue services and further education colleges are. Independent schools, most nurseries, "
        "charities and private providers are not. A public authority shares under public task, "
        "never legitimate interests.",
    )
    competent_authority = yes_no_or_unanswered(
        "Is it a competent authority for law enforcement?",
        "Listed in Schedule 7 of the Data Protection Act 2018: for example the police, probation "
        "services and youth offending teams. Leave unanswered to follow the kind of agency.",
    )

    class Meta:
        model = Agency
        fields = [
            "name",
            "kind",
            "address",
            "ico_registration_number",
            "ico_registration_expires_on",
            "group",
            "commissioned_by",
            "public_authority",
            "competent_authority",
            "is_active",
            "password_sign_in",
        ]
        labels = {
            "name": "Name of the agency",
            "is_active": "Active in the partnership",
            "password_sign_in": "Its people may sign in with a password",
        }
        help_texts = {
            "ico_registration_number": "Z and 7 digits (like Z5347709), or 2 letters and 6 digits "
            "(like ZA123456). Find it on the ICO's register of fee payers.",
        }
        error_messages = {
            "name": {
                "required": "Enter the name of the agency",
                "unique": "An agency with this name already exists",
            }
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, by=None, **kwargs):
        super().__init__(*args, **kwargs)
        if by is None or not by.partnership_wide:
            # How an agency's people sign in is the partnership's call (accounts.oidc), not the agency's.
            del self.fields["password_sign_in"]
        else:
            self.fields["password_sign_in"].help_text = (
                "Untick when everyone in the agency signs in through single sign-on (the operator sets "
                "up its provider). They then cannot sign in with a password or reset one."
            )
        commissioners = Agency.objects.exclude(kind=AgencyKind.COMMISSIONED)
        if self.instance.pk:
            commissioners = commissioners.exclude(pk=self.instance.pk)
        self.fields["commissioned_by"].queryset = commissioners
        self.fields["commissioned_by"].label = "Commissioned by (for a commissioned provider only)"
        self.fields["commissioned_by"].empty_label = "Not commissioned"
        if self.instance.pk and not self.is_bound:
            for name, known in (
                ("public_authority", self.instance.is_public_authority),
                ("competent_authority", self.instance.competent_authority),
            ):
                self.initial[name] = {True: "yes", False: "no"}.get(known)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind and data.get("public_authority") is None and kind not in PUBLIC_AUTHORITY_BY_KIND:
            self.add_error(
                "public_authority",
                "Select whether this agency is a public authority: the kind 'Other' does not say "
                "(probation, fire and rescue and further education colleges are; charities and "
                "private companies are not)",
            )
        return data


class RepresentativeForm(GOVUKForm):
    submit_label = "Save nominated representative"

    name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter the full name"}
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    phone = forms.CharField(label="Phone number (optional)", max_length=30, required=False)
    started_on = DateField(label="In post from", help_text="For example, 1 4 2026")


class AgreementForm(EditLockMixin, GOVUKModelForm):
    submit_label = "Save agreement"

    tier = radios(AgreementTier.choices, label="Tier", error_messages={"required": "Select the tier"})
    purposes = forms.MultipleChoiceField(
        label="Sharing purposes this agreement covers",
        choices=SharingPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one purpose the agreement covers"},
    )
    lawful_basis = radios(Article6Basis.choices, label="Article 6 lawful basis", required=False)
    article9_condition = radios(
        Article9Condition.choices, label="Article 9 condition (special category data)", required=False
    )

    class Meta:
        model = Agreement
        fields = [
            "title",
            "tier",
            "parent",
            "owner",
            "purposes",
            "review_interval_months",
            "parties_and_roles",
            "purpose",
            "data_items",
            "lawful_basis",
            "article9_condition",
            "recipients",
            "frequency",
            "data_quality",
            "security",
            "retention_and_disposal",
            "retention_years",
            "rights_and_complaints",
            "breach_procedure",
            "dpia_reference",
            "onward_disclosure",
            "termination",
        ]
        labels = {"owner": "Owner agency", "parent": "Sits beneath"}
        help_texts = {"review_interval_months": "12 for an annual review."}
        error_messages = {
            "title": {"required": "Enter the title of the agreement"},
            "owner": {"required": "Select the agency that owns the agreement"},
            "review_interval_months": {
                "required": "Enter the review interval in months",
                "invalid": "Enter the review interval as a whole number of months",
                "min_value": "The review interval must be at least 1 month",
                "max_value": "The review interval must be 60 months or fewer",
            },
            "retention_years": {
                "invalid": "Enter the retention period as a whole number of years",
                "min_value": "The retention period cannot be negative",
                "max_value": "The retention period must be 100 years or fewer",
            },
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in [
                "parties_and_roles",
                "purpose",
                "data_items",
                "recipients",
                "frequency",
                "data_quality",
                "security",
                "retention_and_disposal",
                "rights_and_complaints",
                "breach_procedure",
                "onward_disclosure",
                "termination",
            ]
        }

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"].queryset = owners
        parents = Agreement.objects.exclude(tier=AgreementTier.SERVICE).exclude(
            status__in=[AgreementStatus.SUPERSEDED, AgreementStatus.EXPIRED]
        )
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
            self.initial.setdefault("purposes", self.instance.purpose_values)
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = "Nothing (an overarching protocol)"


class AgreementStatusForm(EditLockMixin, GOVUKForm):
    submit_label = "Change status"

    status = radios([], label="New status", error_messages={"required": "Select the new status"})

    def __init__(self, *args, agreement: Agreement, **kwargs):
        self.instance = agreement
        super().__init__(*args, **kwargs)
        allowed = STATUS_TRANSITIONS[AgreementStatus(agreement.status)]
        self.fields["status"].choices = [(s.value, s.label) for s in AgreementStatus if s in allowed]


class VersionForm(GOVUKModelForm):
    submit_label = "Save version"
    # Once signed off, the text people signed is fixed; only the review date may move.
    LOCKED_AFTER_SIGN_OFF = ["number", "text", "document", "signed_off_by", "signed_off_on"]

    signed_off_on = DateField(
        label="Date signed off", required=False, help_text="Leave blank until it is signed off."
    )
    next_review_date = DateField(
        label="Next review date",
        required=False,
        help_text="Leave blank to review after the agreement's review interval (12 months unless changed).",
    )

    class Meta:
        model = AgreementVersion
        fields = [
            "number",
            "author",
            "summary_of_changes",
            "text",
            "document",
            "signed_off_by",
            "signed_off_on",
            "next_review_date",
        ]
        labels = {"number": "Version number", "signed_off_by": "Signed off by (name and role)"}
        help_texts = {
            "text": "Paste the agreement's text, or upload it as a PDF below (or both).",
            "document": f"A PDF of at most {settings.AGREEMENT_DOCUMENT_MAX_SIZE // (1024 * 1024)} MB.",
        }
        error_messages = {"number": {"required": "Enter the version number"}}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 10}),
            "summary_of_changes": forms.Textarea(attrs={"rows": 3}),
            # Not ClearableFileInput: it asks the file for a URL, and private files have none.
            "document": forms.FileInput(attrs={"accept": "application/pdf"}),
        }

    def __init__(self, *args, oversized: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.oversized = oversized
        if self.instance.pk and self.instance.document:
            self.fields["document"].help_text = (
                "A PDF is attached to this version. Choose a file only to replace it "
                f"(a PDF of at most {settings.AGREEMENT_DOCUMENT_MAX_SIZE // (1024 * 1024)} MB)."
            )
        if self.instance.pk and self.instance.is_signed_off:
            for name in self.LOCKED_AFTER_SIGN_OFF:
                self.fields[name].disabled = True

    def clean_number(self):
        number = self.cleaned_data.get("number")
        agreement_id = self.instance.agreement_id
        if number and agreement_id and (
            AgreementVersion.objects.filter(agreement_id=agreement_id, number=number)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise ValidationError(
                f"This agreement already has a version {number}: give this version a new number"
            )
        return number

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if self.oversized:
            raise ValidationError(
                f"The selected file must be smaller than "
                f"{filesizeformat(settings.AGREEMENT_DOCUMENT_MAX_SIZE)}"
            )
        if not document or document == self.instance.document:
            return document
        if document.size > settings.AGREEMENT_DOCUMENT_MAX_SIZE:
            raise ValidationError(
                f"The selected file must be smaller than "
                f"{filesizeformat(settings.AGREEMENT_DOCUMENT_MAX_SIZE)}"
            )
        document.seek(0)
        head = document.read(len(PDF_MAGIC))
        document.seek(0)
        if head != PDF_MAGIC or not is_readable_pdf(document):
            raise ValidationError("The selected file must be a PDF")
        return document


# A scan of a paper signature page (issue 20): a PDF or a photograph of it, told apart by the
# file's first bytes, never by its name or the type the browser claims.
SIGNATURE_EVIDENCE_MAX_SIZE = 10 * 1024 * 1024
SCAN_MAGIC = (
    (PDF_MAGIC, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
TOO_LARGE = f"The selected file must be smaller than {filesizeformat(SIGNATURE_EVIDENCE_MAX_SIZE)}"


def checked_scan(upload, *, oversized: bool):
    if oversized:
        raise ValidationError(TOO_LARGE)
    if not upload:
        raise ValidationError("Upload the scan of the signed paper signature page")
    if upload.size > SIGNATURE_EVIDENCE_MAX_SIZE:
        raise ValidationError(TOO_LARGE)
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = next((content_type for magic, content_type in SCAN_MAGIC if head.startswith(magic)), None)
    if kind is None or (kind == "application/pdf" and not is_readable_pdf(upload)):
        raise ValidationError("The selected file must be a PDF, PNG or JPEG")
    upload.content_type = kind
    return upload


class ConditionForm(GOVUKModelForm):
    """A condition of a version that decisions relying on it are checked against. The choices are the
    product's own: the agreement's purposes, the kinds of information decisions record, kinds of agency."""

    submit_label = "Add condition"

    kind = radios(
        ConditionKind.choices,
        label="What does the agreement require?",
        error_messages={"required": "Select the kind of condition"},
    )
    purposes = forms.MultipleChoiceField(
        label="For which purposes?",
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all unticked for every purpose the agreement covers. A condition that sharing "
        "needs consent names the purposes it applies to.",
    )
    information_categories = forms.MultipleChoiceField(
        label="Kinds of information that may be shared",
        choices=InformationCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Only for a condition limiting the kinds of information.",
    )
    recipient_kinds = forms.MultipleChoiceField(
        label="Kinds of agency that may receive it",
        choices=AgencyKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Only for a condition limiting who may receive it.",
    )

    class Meta:
        model = AgreementCondition
        fields = ["kind", "purposes", "information_categories", "recipient_kinds", "clause", "wording"]
        labels = {"clause": "Clause", "wording": "The clause's wording"}
        widgets = {"wording": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "clause": {"required": "Enter the clause, as the document numbers it"},
            "wording": {"required": "Enter the clause's wording, as the document words it"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        covered = set(self.instance.version.agreement.purpose_values)
        self.fields["purposes"].choices = [(v, label) for v, label in SharingPurpose.choices if v in covered]

    def clean(self):
        cleaned = super().clean()
        # Only the answers the kind reads are kept: the rest of the page may hold earlier ticks.
        kind = cleaned.get("kind")
        if kind != ConditionKind.DATA_CATEGORIES:
            cleaned["information_categories"] = []
        if kind != ConditionKind.RECIPIENT_KINDS:
            cleaned["recipient_kinds"] = []
        return cleaned


class SignatureForm(GOVUKForm):
    submit_label = "Record signature"

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Agency signing",
        empty_label="Select an agency",
        error_messages={
            "required": "Select the agency signing",
            "invalid_choice": "Select the agency signing",
        },
    )
    signed_by_name = forms.CharField(
        label="Name of the person who signed",
        max_length=150,
        error_messages={"required": "Enter the name of the person who signed"},
    )
    signed_by_role = forms.CharField(
        label="Their role",
        max_length=150,
        error_messages={"required": "Enter the role of the person who signed"},
    )
    signed_on = DateField(label="Date signed", help_text="For example, 14 2 2026")
    group = radios(
        PartnershipGroup.choices,
        label="Partnership group chosen",
        error_messages={"required": "Select the partnership group the agency chose"},
    )

    evidence = forms.FileField(
        label="Scan of the signed paper signature page",
        help_text=f"A PDF, PNG or JPEG of at most {SIGNATURE_EVIDENCE_MAX_SIZE // (1024 * 1024)} MB.",
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
        error_messages={"required": "Upload the scan of the signed paper signature page"},
    )

    def __init__(self, *args, agencies, oversized: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.oversized = oversized

    def clean_evidence(self):
        return checked_scan(self.cleaned_data.get("evidence"), oversized=self.oversized)


class InviteForm(GOVUKForm):
    submit_label = "Send the invitation"

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Agency whose nominated representative should sign",
        empty_label="Select an agency",
        error_messages={"required": "Select the agency", "invalid_choice": "Select the agency"},
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class SignForm(GOVUKForm):
    """What the nominated representative confirms and chooses when signing online."""

    submit_label = "Sign the agreement"

    statements = forms.MultipleChoiceField(
        label="By signing, you are agreeing:",
        choices=STATEMENTS,
        widget=forms.CheckboxSelectMultiple,
        help_text="Confirm each statement. They are the statements of the signature page of the "
        "Buckinghamshire Multi-Agency Information Sharing Code of Practice.",
        error_messages={"required": "Confirm each statement to sign"},
    )
    role = forms.CharField(
        label="Your role",
        max_length=150,
        help_text="Your job title, as it should appear on the signature page.",
        error_messages={"required": "Enter your role"},
    )
    group = radios(
        PartnershipGroup.choices,
        label="Partnership group your agency chooses",
        help_text="The core group reviews the code; the virtual group need not meet.",
        error_messages={"required": "Select the partnership group your agency chooses"},
    )

    def clean_statements(self):
        chosen = self.cleaned_data.get("statements") or []
        missing = [text for key, text in STATEMENTS if key not in chosen]
        if missing:
            raise ValidationError(f"Confirm each statement to sign: you have not confirmed “{missing[0]}”")
        return chosen


class WithdrawSignatureForm(GOVUKForm):
    submit_label = "Withdraw signature"

    withdrawn_on = DateField(label="Date withdrawn", help_text="For example, 14 2 2026")
    reason = forms.CharField(
        label="Reason for withdrawing",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter the reason the signature was withdrawn"},
    )


TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
TIMED = (("discovered_at", "discovered_time"), ("reported_to_ico_at", "reported_time"))
REPORTABLE_CHOICES = [("yes", "Yes"), ("no", "No"), ("unknown", "Not decided yet")]


def _time_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=5, help_text="24-hour clock, for example 14:30"
    )


class IncidentForm(EditLockMixin, GOVUKModelForm):
    submit_label = "Save incident"

    kind = radios(
        IncidentKind.choices,
        label="What kind of incident",
        error_messages={"required": "Select the kind of incident"},
    )
    status = radios(IncidentStatus.choices, label="Status", initial=IncidentStatus.OPEN)
    outcome = radios(IncidentOutcome.choices, label="Outcome (when closing)", required=False)
    reported_on = DateField(label="Date reported or received", help_text="For example, 14 2 2026")
    occurred_on = DateField(label="Date it happened (if known)", required=False)
    closed_on = DateField(label="Date closed (when closing)", required=False)
    decision = forms.CharField(
        label="Decision it is about (if any)",
        required=False,
        max_length=20,
        help_text="Its reference, for example ISD-2026-000123. "
        "Needed for a challenge to a decision not to share.",
    )
    discovered_at = DateField(label="Breach: date discovered", required=False)
    discovered_time = _time_field("Breach: time discovered")
    reportable = radios(REPORTABLE_CHOICES, label="Breach: reportable to the ICO?", required=False)
    reported_to_ico_at = DateField(label="Breach: date reported to the ICO", required=False)
    reported_time = _time_field("Breach: time reported to the ICO")
    acknowledged_on = DateField(label="Complaint: date acknowledged", required=False)

    class Meta:
        model = Incident
        fields = [
            "kind",
            "agency",
            "agreement",
            "reported_by",
            "reported_on",
            "occurred_on",
            "summary",
            "status",
            "outcome",
            "closed_on",
            "lessons_learned",
            "acknowledged_on",
        ]
        labels = {"agency": "Agency concerned", "agreement": "Agreement concerned (if any)"}
        error_messages = {
            "agency": {"required": "Select the agency concerned"},
            "reported_by": {"required": "Enter who reported it"},
            "summary": {"required": "Enter a summary of what happened"},
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "lessons_learned": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, agencies, decisions=None, **kwargs):
        """``decisions``: the decisions the user may name (``Decision.objects.visible_to``)."""
        super().__init__(*args, **kwargs)
        self.decisions = decisions
        self.fields["agency"].queryset = agencies
        self.fields["agency"].empty_label = "Select an agency"
        self.fields["agreement"].empty_label = "None"
        incident = self.instance
        if not self.is_bound and incident.pk:
            self.initial["decision"] = incident.decision.reference if incident.decision_id else ""
            self.initial["reportable"] = {True: "yes", False: "no"}.get(incident.reportable, "unknown")
            for name, time_name in TIMED:
                moment = getattr(incident, name)
                if moment is not None:
                    local = timezone.localtime(moment)
                    self.initial[name], self.initial[time_name] = local.date(), f"{local:%H:%M}"

    def clean_decision(self):
        reference = self.cleaned_data["decision"].strip().upper()
        if not reference:
            return None
        found = (self.decisions if self.decisions is not None else Decision.objects.none()).filter(
            reference=reference
        )
        decision = found.first()
        if decision is None:
            raise ValidationError("Enter the reference of a decision you can see, like ISD-2026-000123")
        return decision

    def _moment(self, date_name: str, time_name: str):
        day, text = self.cleaned_data.get(date_name), self.cleaned_data.get(time_name, "").strip()
        if day is None:
            if text:
                self.add_error(date_name, "Enter the date as well as the time")
            return None
        match = TIME.match(text)
        if not match:
            self.add_error(time_name, "Enter the time on the 24-hour clock, for example 14:30")
            return None
        return datetime.datetime.combine(
            day, datetime.time(int(match[1]), int(match[2])), timezone.get_current_timezone()
        )

    def clean(self):
        cleaned = super().clean()
        incident = self.instance
        incident.decision = cleaned.get("decision")
        if (
            cleaned.get("kind") == IncidentKind.CHALLENGE
            and incident.decision is None
            and "decision" not in self.errors
        ):
            self.add_error("decision", "Enter the reference of the decision not to share that is challenged")
        breach = cleaned.get("kind") in BREACH_KINDS
        # Only a breach has an ICO clock: what its questions hold is ignored for other kinds.
        incident.discovered_at = self._moment("discovered_at", "discovered_time") if breach else None
        incident.reported_to_ico_at = self._moment("reported_to_ico_at", "reported_time") if breach else None
        if (
            breach
            and incident.discovered_at is None
            and not self.errors.keys() & {"discovered_at", "discovered_time"}
        ):
            self.add_error("discovered_at", "Enter the date and time the breach was discovered")
        reportable = cleaned.get("reportable")
        incident.reportable = {"yes": True, "no": False}.get(reportable) if reportable and breach else None
        return cleaned


class RegisterFilterForm(forms.Form):
    """Filters for the signatory register (GET): every field optional. ``agreements``: those the
    user may see; the options are the register's agreements (``register_agreements``), read once
    for the select and the register (``options()``)."""

    agreement = ListedModelChoiceField(queryset=Agreement.objects.none(), required=False, empty_label="All")
    state = forms.ChoiceField(
        choices=[("", "Any"), *RegisterState.CHOICES], required=False, label="Signature"
    )
    needs = forms.ChoiceField(
        choices=[("", "Any"), ("any", "Any of these"), *StillToSign.CHOICES],
        required=False,
        label="Still to sign",
    )
    kind = forms.ChoiceField(
        choices=[("", "Any"), *AgencyKind.choices], required=False, label="Kind of agency"
    )
    group = forms.ChoiceField(choices=[("", "Any"), *PartnershipGroup.choices], required=False, label="Group")
    q = forms.CharField(required=False, max_length=100, label="Agency name contains")
    # One agency's rows: the link from an agency-scoped home page, whose figures are its own agency's.
    agency = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = register_agreements(agreements)
