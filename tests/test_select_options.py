"""select_options writes a select's <option>s in Python (isa_portal.templatetags.isa_forms): each
one as the template loop below would write it, the chosen one selected, everything escaped."""

import pytest
from django import forms
from django.template import Context, Template

_LOOP = (
    "{% for key, label in field.field.choices %}"
    '<option value="{{ key }}"{% if key|stringformat:"s" == chosen %} selected{% endif %}>'
    "{{ label }}</option>"
    "{% endfor %}"
)


class _Form(forms.Form):
    choice = forms.ChoiceField(required=False)


@pytest.mark.parametrize(
    "choices",
    [
        [],
        [("", "Any"), (1, 'Tom & Jerry\'s "<School>"'), (2, "Hill Primary")],
        [("", "Any"), ("a&b", "<b>bold</b>"), ("nul", "a\x00b"), ("x", "after the NUL")],
    ],
)
@pytest.mark.parametrize("data", [None, {"choice": ""}, {"choice": "1"}, {"choice": "a&b"}, {"choice": "x"}])
def test_the_options_are_what_a_template_loop_writes(choices, data):
    form = _Form(data)
    form.fields["choice"].choices = choices
    field = form["choice"]
    value = field.value()

    written = Template("{% load isa_forms %}{% select_options field %}").render(Context({"field": field}))

    expected = Template(_LOOP).render(
        Context({"field": field, "chosen": "" if value is None else str(value)})
    )
    assert written == expected
    assert "<b>" not in written and "<School>" not in written
