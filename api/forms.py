from django import forms

from agreements.forms import DateField
from agreements.models import Agency
from api.models import Scope
from isa_portal.forms import GOVUKForm, ListedModelChoiceField


class ApiClientForm(GOVUKForm):
    submit_label = "Create the API client"

    name = forms.CharField(
        label="Name of the case system",
        max_length=100,
        help_text="As your agency knows it. For example: Mosaic, SystmOne, Liquidlogic.",
        error_messages={
            "required": "Enter a name for the case system",
            "max_length": "Name must be 100 characters or fewer",
        },
    )
    agency = ListedModelChoiceField(
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        label="Agency it acts for",
        empty_label="Choose an agency",
        error_messages={"required": "Choose the agency the case system acts for"},
    )
    scopes = forms.MultipleChoiceField(
        label="What may it do? Select all that apply",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="It can never submit, review or change a decision: those are people's acts.",
        error_messages={"required": "Select what the case system may do"},
    )
    expires_on = DateField(
        label="Expires on (optional)",
        required=False,
        help_text="The token stops working at the start of this day. For example, 31 3 2027",
    )

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        if not by.partnership_wide:
            # An agency's administrator makes clients for their own agency only.
            del self.fields["agency"]
