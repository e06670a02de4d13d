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
from django.forms.boundfield import BoundField
from django.forms.models import ModelChoiceIterator
from django.utils.choices import BaseChoiceIterator


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


class _DateBoundField(BoundField):
    @property
    def parts(self) -> list[dict]:
        """Day, month and year with their names, ids and values, for templates that write the
        GOV.UK date markup themselves (includes/filter_fields.html) rather than through crispy."""
        values = self.value()
        if not isinstance(values, list | tuple):
            values = self.field.widget.decompress(values)
        return [
            {"label": label, "name": f"{self.html_name}_{n}", "id": f"{self.auto_id}_{n}", "value": value}
            for n, (label, value) in enumerate(zip(("Day", "Month", "Year"), values, strict=True))
        ]


class _MarkedWithoutMessage(list):
    """A date box's errors: none to list, yet true, so crispy-forms-gds still marks the box."""

    def __bool__(self) -> bool:
        return True


class GOVUKDateField(DateInputField):
    """The GOV.UK three-box date. An impossible date (31 2 2026, year 99999999999) is a form
    error, never a server error: crispy-forms-gds lets the OverflowError of a huge year escape."""

    bound_field_class = _DateBoundField
    PARTS = ("day", "month", "year")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Django's own "invalid" for a field of several boxes is "Enter a list of values.".
        self.error_messages["invalid"] = "Enter a real date"

    def clean(self, value):
        """One message for one date (GOV.UK): "... must include a month and year" when boxes are
        left empty, else "Enter a real date"; the boxes at fault stay marked."""
        try:
            return super().clean(value)
        except ValidationError as error:
            if len(error.messages) <= 1:
                raise
            values = list(value) if isinstance(value, list | tuple) else []
            missing = [part for part, v in zip(self.PARTS, values, strict=False) if v in self.empty_values]
            if missing:
                name = str(self.label or "")
                name = name if name and not name.endswith("?") else "The date"
                message, code = f"{name} must include a {' and '.join(missing)}", "incomplete"
            else:
                message, code = self.error_messages["invalid"], "invalid"
            # The error summary lists each box's own errors: the first box at fault carries the one
            # message (the summary links to it); the others stay marked red without repeating it.
            faulty = [field.widget for field in self.fields if getattr(field.widget, "errors", None)]
            for n, widget in enumerate(faulty):
                widget.errors = [message] if n == 0 else _MarkedWithoutMessage()
            raise ValidationError(message, code=code) from None

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            return date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            message = self.error_messages.get("invalid", "Enter a real date")
            raise ValidationError(message, code="invalid") from None


class _OptionsReadOnce(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.options():
            yield self.choice(obj)

    def __len__(self) -> int:
        return len(self.field.options()) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self.field.options())


class ListedModelChoiceField(forms.ModelChoiceField):
    """A select over a short list of records (agencies, agreements), read with one query per form.

    Django's ModelChoiceField reads its records once to check the answer, again through a
    server-side cursor to show the options, and counts them when asked how many. This one
    reads them once and checks the answer against the same list.
    """

    iterator = _OptionsReadOnce

    def options(self) -> list:
        # The queryset keeps its rows; each form has its own copy (ModelChoiceField.__deepcopy__).
        return list(self.queryset)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        key = self.to_field_name or "pk"
        if isinstance(value, self.queryset.model):
            value = getattr(value, key)
        for obj in self.options():
            if str(getattr(obj, key)) == str(value):
                return obj
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class _RowsReadOnce(BaseChoiceIterator):
    """A ``ListedChoiceField``'s options: its empty label, then its (key, label) rows, read at first use."""

    def __init__(self, field: "ListedChoiceField"):
        self.field = field
        self.rows: list | None = None

    def _read(self) -> list:
        if self.rows is None:
            field = self.field
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            self.rows = [*empty, *field.queryset.values_list(field.key_field, field.label_field)]
        return self.rows

    def __iter__(self):
        return iter(self._read())

    def __len__(self) -> int:
        # Not len(list(self)): list() asks __len__ for a length hint first, which would recurse.
        return len(self._read())


class ListedChoiceField(forms.TypedChoiceField):
    """A select over a short list of records read as (key, label) pairs, one query per form, only
    when the form is checked or shown: no model instance an option (150 agencies are 150 rows of
    every column, each made a model, for a name and an id). Its answer is the key (an int by
    default), not the record; a key that is not in the list is "invalid_choice"."""

    def __init__(
        self, queryset, *, key_field="pk", label_field="name", empty_label=None, coerce=int, **kwargs
    ):
        self.queryset = queryset
        self.key_field = key_field
        self.label_field = label_field
        self.empty_label = empty_label
        super().__init__(coerce=coerce, empty_value=None, **kwargs)
        self.choices = _RowsReadOnce(self)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        # Each form reads its own rows, once, shared with its widget.
        result.choices = _RowsReadOnce(result)
        return result


class FixedChoices(BaseChoiceIterator):
    """A select's options that never change (a module's list of values and labels), shared by every
    form rather than deep-copied for each, as a list of choices is: fifty options cost a millisecond
    a form to copy."""

    def __init__(self, choices):
        self.choices = tuple((value, str(label)) for value, label in choices)

    def __iter__(self):
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    def __deepcopy__(self, memo):
        return self
