import pytest

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
