"""Filters for the audit trail viewer; the date range is shared with the reports."""

import datetime as dt

from crispy_forms_gds.layout import Field, Fieldset, Fixed, Fluid, Layout
from django import forms
from django.db.models import Subquery
from django.utils import timezone

from accounts.models import User
from agreements.models import Agency
from audit.models import AuditEntry, Event, SubjectAccessRequest
from audit.sar_models import SubjectAccessRedaction, SupplierConsultation
from audit.wording import ig_content_types, record_type_label
from isa_portal.forms import FixedChoices, GOVUKDateField, GOVUKForm, GOVUKModelForm, ListedChoiceField
from isa_portal.vocabulary import SubjectAccessExemption
from isa_portal.web import long_date

# "What happened": the three kinds of change, then every other event.
ACTIVITY_CHOICES = [
    ("", "Anything"),
    ("create", "Created a record"),
    ("update", "Changed a record"),
    ("delete", "Deleted a record"),
    *[(value, label) for value, label in Event.choices if value != Event.CHANGE],
]
CHANGE_ACTIONS = {
    "create": AuditEntry.Action.CREATE,
    "update": AuditEntry.Action.UPDATE,
    "delete": AuditEntry.Action.DELETE,
}


# The earliest date a period may start: the day the Data Protection Act 2018 and the GDPR came into
# force. Nothing this service holds is older, and a bound keeps "1 1 0001" a form error, not a 500.
EARLIEST_DATE = dt.date(2018, 5, 25)


class DateRangeForm(GOVUKForm):
    """From and to dates, both optional and both inclusive, in the partnership's time zone; neither
    before ``EARLIEST_DATE`` nor after today."""

    date_from = GOVUKDateField(label="From", required=False, help_text="For example, 1 4 2026")
    date_to = GOVUKDateField(label="To", required=False, help_text="For example, 31 3 2027")

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        earliest = long_date(EARLIEST_DATE)
        for name, which in (("date_from", "from"), ("date_to", "to")):
            day = cleaned.get(name)
            if day is None:
                continue
            if day > today:
                self.add_error(name, f"The '{which}' date must be today or in the past")
                cleaned[name] = None
            elif day < EARLIEST_DATE:
                self.add_error(name, f"The '{which}' date must be on or after {earliest}")
                cleaned[name] = None
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The 'to' date must be the same as or after the 'from' date")
        return cleaned

    def described(self) -> list[tuple[str, str]]:
        """The filters given, as (label, value shown): what an export says it holds."""
        if not self.is_bound or not self.is_valid():
            return []
        shown = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if isinstance(value, dt.date):
                text = long_date(value)
            elif hasattr(field, "choices") and not hasattr(value, "pk"):
                text = str(dict((str(k), v) for k, v in field.choices).get(str(value), value))
            else:
                text = str(value)
            shown.append((str(field.label), text))
        return shown

    def period(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """[start, end) as aware datetimes; the end is midnight after the 'to' date."""
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        zone = timezone.get_current_timezone()
        return (
            dt.datetime.combine(start, dt.time.min, zone) if start else None,
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, zone) if end else None,
        )


class AuditFilterForm(DateRangeForm):
    submit_label = "Apply filters"
    field_order = ["actor", "agency", "record_type", "record_id", "activity", "date_from", "date_to"]

    actor = forms.EmailField(
        label="Who did it (email address)",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.org"},
    )
    agency = ListedChoiceField(
        Agency.objects.all(),
        label="Agency",
        required=False,
        empty_label="Any agency",
        help_text="Entries about the agency's records or by its staff.",
        error_messages={"invalid_choice": "Select an agency from the list"},
    )
    record_type = forms.TypedChoiceField(
        label="Type of record",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a type of record from the list"},
    )
    record_id = forms.CharField(
        label="Record ID",
        required=False,
        max_length=255,
        help_text="The number in the record's web address, for example 123 in /decisions/123/. "
        "With a type of record: show the trail of that one record.",
    )
    activity = forms.ChoiceField(
        label="What happened",
        required=False,
        choices=FixedChoices(ACTIVITY_CHOICES),
        error_messages={"invalid_choice": "Select what happened from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the types IG officers ask about, named as people name them (audit.wording).
        self.fields["record_type"].choices = [
            ("", "Any type"),
            *[(ct.pk, record_type_label(ct)) for ct in ig_content_types()],
        ]
        self.helper.layout = Layout(
            Fieldset(
                Field.text("actor", field_width=Fluid.TWO_THIRDS),
                Field.select("agency"),
                Field.select("record_type"),
                Field.text("record_id", field_width=Fixed.TEN),
                Field.select("activity"),
                Field("date_from"),
                Field("date_to"),
            )
        )

    def clean_actor(self) -> str:
        return self.cleaned_data["actor"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("record_id") and not cleaned.get("record_type"):
            self.add_error("record_type", "Select a type of record to see the trail of one record")
        return cleaned

    def filter(self, entries):
        """Narrow a queryset of entries (already scoped to the user) by the answers given."""
        data = self.cleaned_data
        if data.get("actor"):
            # The person's id as a value of its own (emails are unique), not a join to the accounts:
            # so PostgreSQL walks the index on (actor, timestamp) newest first and stops at a page,
            # where a join made it read and sort every entry of theirs in the period.
            entries = entries.filter(
                actor=Subquery(User.objects.filter(email=data["actor"]).order_by().values("pk")[:1])
            )
        if data.get("agency"):
            entries = entries.about_or_by_agency(data["agency"])
        if data.get("record_type"):
            entries = entries.filter(content_type_id=data["record_type"])
            if data.get("record_id"):
                entries = entries.filter(object_pk=data["record_id"].strip())
        activity = data.get("activity")
        if activity in CHANGE_ACTIONS:
            entries = entries.filter(event=Event.CHANGE, action=CHANGE_ACTIONS[activity])
        elif activity:
            entries = entries.filter(event=activity)
        start, end = self.period()
        if start:
            entries = entries.filter(timestamp__gte=start)
        if end:
            entries = entries.filter(timestamp__lt=end)
        return entries


class HistoryFilterForm(DateRangeForm):
    """A child's access history: which kind of access, and when."""

    submit_label = "Apply filters"
    field_order = ["kind", "date_from", "date_to"]

    kind = forms.ChoiceField(
        label="What kind of access",
        required=False,
        error_messages={"invalid_choice": "Select a kind of access from the list"},
    )

    def __init__(self, *args, **kwargs):
        from audit.history import KIND_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Every kind"), *KIND_CHOICES]


class SubjectAccessRequestForm(GOVUKModelForm):
    """A request received: who asked, how their identity was checked, when it arrived."""

    submit_label = "Record the request"
    received_on = GOVUKDateField(
        label="Date received",
        help_text="Or the date their identity was confirmed, if later: the month starts then. "
        "For example, 3 9 2026",
    )

    class Meta:
        model = SubjectAccessRequest
        fields = ["requester_name", "requester_relationship", "identity_check", "received_on"]
        error_messages = {
            "requester_name": {"required": "Enter who asked"},
            "requester_relationship": {"required": "Enter their relationship to the child"},
            "identity_check": {"required": "Enter how their identity and entitlement were checked"},
        }
        widgets = {"identity_check": forms.Textarea(attrs={"rows": 3})}


class SubjectAccessProgressForm(GOVUKModelForm):
    """An extension with its reason. The response is sent by issuing the bundle (``audit.sar``)."""

    submit_label = "Save"

    class Meta:
        model = SubjectAccessRequest
        fields = ["extension_reason"]
        widgets = {"extension_reason": forms.Textarea(attrs={"rows": 3})}


class RedactionForm(GOVUKModelForm):
    """Words a reviewer withholds from the bundle, and the exemption relied on. For a passage, the
    answer of the record it is in (``answers``: (field name, label, text now)); for a name, none."""

    submit_label = "Withhold these words"

    class Meta:
        model = SubjectAccessRedaction
        fields = ["field_name", "text", "exemption"]
        labels = {"text": "Words to withhold", "exemption": "Exemption relied on"}
        error_messages = {
            "text": {"required": "Enter the words to withhold"},
            "exemption": {
                "required": "Select the exemption relied on",
                "invalid_choice": "Select the exemption relied on",
            },
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "exemption": forms.RadioSelect}

    def __init__(self, *args, answers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exemption"].choices = SubjectAccessExemption.choices  # no blank option
        if answers:
            self.fields["field_name"] = forms.ChoiceField(
                label="Which answer are the words in?",
                choices=[(name, label) for name, label, _text in answers],
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Select the answer the words are in",
                    "invalid_choice": "Select the answer the words are in",
                },
            )
            self.fields["text"].help_text = "Copy them exactly as they appear in the answer."
        else:
            del self.fields["field_name"]
            self.fields["text"] = forms.CharField(
                label="Name to withhold",
                max_length=150,
                help_text="The person's name is withheld wherever it appears in the bundle.",
                error_messages={"required": "Enter the name to withhold"},
            )


class ConsultationForm(GOVUKModelForm):
    """Who at the supplying agency was consulted, when, and their answer."""

    submit_label = "Save the consultation"
    consulted_on = GOVUKDateField(label="Date you consulted them", help_text="For example, 3 9 2026")
    responded_on = GOVUKDateField(
        label="Date they answered", required=False, help_text="Leave empty while you wait for their answer."
    )

    class Meta:
        model = SupplierConsultation
        fields = ["contact", "consulted_on", "response", "responded_on", "objections"]
        error_messages = {
            "contact": {"required": "Enter who you consulted"},
            "response": {"required": "Select their answer", "invalid_choice": "Select their answer"},
        }
        widgets = {"response": forms.RadioSelect, "objections": forms.Textarea(attrs={"rows": 4})}
