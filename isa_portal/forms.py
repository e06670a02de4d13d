"""The one GOV.UK base form: each form declares only its fields and questions.

Forms render through ``templates/form_page.html``, which owns the error
summary, the heading and the submit button.
"""

from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import forms
from django.core.exceptions import ValidationError


class GOVUKFormMixin:
    submit_label = "Continue"
    label_size = Size.SMALL

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        # Templates own the <form> and its CSRF token; crispy's would also land in GET filter forms' URLs.
        self.helper.disable_csrf = True
        self.helper.label_size = self.label_size
        self.helper.legend_size = self.label_size


class GOVUKForm(GOVUKFormMixin, forms.Form):
    pass


class GOVUKModelForm(GOVUKFormMixin, forms.ModelForm):
    pass


class GOVUKDateField(DateInputField):
    """The GOV.UK three-box date. An impossible date (31 2 2026, year 99999999999) is a form
    error, never a server error: crispy-forms-gds lets the OverflowError of a huge year escape."""

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            return date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            message = self.error_messages.get("invalid", "Enter a real date")
            raise ValidationError(message, code="invalid") from None
