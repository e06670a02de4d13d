"""The one GOV.UK base form: each form declares only its fields and questions.

Forms render through ``templates/form_page.html``, which owns the error
summary, the heading and the submit button.
"""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import forms


class GOVUKFormMixin:
    submit_label = "Continue"
    label_size = Size.SMALL

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.label_size = self.label_size
        self.helper.legend_size = self.label_size


class GOVUKForm(GOVUKFormMixin, forms.Form):
    pass


class GOVUKModelForm(GOVUKFormMixin, forms.ModelForm):
    pass
