import pytest
from django import forms

from isa_portal.forms import GOVUKDateField, GOVUKForm


class _DateForm(GOVUKForm):
    on = GOVUKDateField(label="Date", required=False)


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("31", "2", "2026"), ("1", "1", "2147483648"), ("1", "1", "99999999999999999999"), ("x", "1", "2026")],
)
def test_an_impossible_date_is_a_form_error_not_a_server_error(day, month, year):
    form = _DateForm({"on_0": day, "on_1": month, "on_2": year})
    assert not form.is_valid()
    assert form.errors["on"]


def test_a_real_date_is_kept():
    form = _DateForm({"on_0": "27", "on_1": "3", "on_2": "2026"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["on"].isoformat() == "2026-03-27"


@pytest.mark.django_db
def test_filter_forms_do_not_put_the_csrf_token_in_the_url(client, ig_officer):
    client.force_login(ig_officer)
    html = client.get("/audit/").content.decode()
    filter_form = html.split('<form method="get"', 1)[1].split("</form>", 1)[0]
    assert "csrfmiddlewaretoken" not in filter_form


@pytest.mark.django_db
def test_a_listed_choice_fields_options_are_read_once_and_can_be_listed_and_counted(
    django_assert_num_queries,
):
    """Its rows are read at first use, once a form; list() and len() of them work (list() asks len()
    for a length hint, which must not read them by listing them)."""
    from agreements.models import Agency
    from isa_portal.forms import ListedChoiceField
    from tests.factories import AgencyFactory

    AgencyFactory(name="Alpha Police")
    AgencyFactory(name="Beta School")

    class Form(forms.Form):
        agency = ListedChoiceField(Agency.objects.order_by("name"), empty_label="Any agency")

    form = Form()
    with django_assert_num_queries(1):
        options = list(form.fields["agency"].choices)
        assert len(form.fields["agency"].choices) == 3
        assert [label for _, label in options] == ["Any agency", "Alpha Police", "Beta School"]
