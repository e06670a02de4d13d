"""The decision log's page (issue 19): what its filter offers, read in as few queries as it can be,
and the page it shows, the same for every role that may read it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse

from agreements.models import Agency
from decisions import retention
from decisions.forms import LogFilterForm
from decisions.models import Decision
from decisions.templatetags.decision_lists import list_rows
from tests.agreements.factories import AgreementFactory, VersionFactory
from tests.decisions.factories import child_for, submitted_decision
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

LOG = reverse("decisions:log")


@pytest.fixture
def colleagues(practitioner, lead):
    """The agency's practitioners and leads as the filter lists them, and people it leaves out."""
    UserFactory(email="gone@example.org", agency=practitioner.agency, role="practitioner", is_active=False)
    UserFactory(email="ig2@example.org", agency=practitioner.agency, role="ig_officer")
    AgencyFactory(name="Aardvark Academy")  # sorts first: the agencies come in name order
    return sorted([(practitioner.pk, practitioner.full_name), (lead.pk, lead.full_name)], key=lambda p: p[1])


def _agencies():
    return [("", "Any agency"), *Agency.objects.order_by("name").values_list("id", "name")]


def test_an_ig_officers_filter_offers_the_agencys_people_and_every_agency_from_one_query(
    client, django_assert_num_queries, ig_officer, colleagues, outsider, recipient
):
    client.force_login(ig_officer)
    client.get(LOG)
    # The session, the user, the form's options (people and agencies together), the page, the "listed" entry.
    with django_assert_num_queries(5):
        form = client.get(LOG).context["form"]
    assert form.fields["practitioner"].choices == [("", "Anyone"), *colleagues]
    assert form.fields["recipient_agency"].choices == _agencies()
    assert "agency" not in form.fields


def test_a_leads_filter_offers_the_agencys_people_and_no_agency(
    client, django_assert_num_queries, lead, colleagues, recipient
):
    client.force_login(lead)
    client.get(LOG)
    with django_assert_num_queries(5):
        form = client.get(LOG).context["form"]
    assert form.fields["practitioner"].choices == [("", "Anyone"), *colleagues]
    assert "recipient_agency" not in form.fields and "agency" not in form.fields


def test_a_partnership_wide_officers_filter_reads_the_chosen_agencys_people_with_the_agencies(
    client, django_assert_num_queries, partnership_ig, practitioner, colleagues, recipient
):
    client.force_login(partnership_ig)
    client.get(LOG)
    with django_assert_num_queries(5):
        form = client.get(LOG).context["form"]
    assert "practitioner" not in form.fields
    assert form.fields["agency"].choices == form.fields["recipient_agency"].choices == _agencies()
    with django_assert_num_queries(5):
        form = client.get(LOG, {"agency": practitioner.agency_id}).context["form"]
    assert form.fields["practitioner"].choices == [("", "Anyone"), *colleagues]
    assert form.fields["agency"].choices == form.fields["recipient_agency"].choices == _agencies()


def test_a_practitioner_chosen_is_checked_against_the_agencys_people(
    client, ig_officer, practitioner, outsider, recipient
):
    """Someone of another agency is not in the agency's list, so not a filter the form accepts."""
    ours = submitted_decision(practitioner, recipient)
    submitted_decision(outsider, recipient)
    client.force_login(ig_officer)
    shown = client.get(LOG, {"practitioner": practitioner.pk}).context["page"].items
    assert [d.reference for d in shown] == [ours.reference]
    form = client.get(LOG, {"practitioner": outsider.pk}).context["form"]
    assert not form.is_valid() and "practitioner" in form.errors


def test_the_logs_rows_read_as_columns_show_what_the_decisions_and_children_show(
    client, ig_officer, practitioner, recipient, cover_found, monkeypatch
):
    """The log reads its rows as columns (selectors.log_page), not as decisions and children made
    models: each row the same as a list of the models writes it, an erased child and decision included."""
    kept = submitted_decision(practitioner, recipient, child_for(practitioner, given_name="<i>Ann</i>"))
    cover_found.version = VersionFactory(agreement=AgreementFactory(title="Short", retention_years=1))
    erased = submitted_decision(practitioner, recipient)
    today = retention._today()
    monkeypatch.setattr(retention, "_today", lambda: today + timedelta(days=365 * 3))
    call_command("apply_retention")
    erased.refresh_from_db()
    assert erased.tombstoned_at is not None and erased.child.tombstoned_at is not None
    client.force_login(ig_officer)

    response = client.get(LOG)

    models = Decision.objects.filter(pk__in=[kept.pk, erased.pk]).for_lists().order_by("-created", "-id")
    assert list_rows(response.context["page"].items) == list_rows(models)
    page = response.content.decode()
    assert f'<td class="govuk-table__cell">Child {erased.child_id} (erased)</td>' in page
    assert '<strong class="govuk-tag govuk-tag--grey">Erased</strong>' in page
    assert "&lt;i&gt;Ann&lt;/i&gt;" in page and "<i>Ann</i>" not in page


# The loop log_filter_fields replaced, as it stood in decisions/log.html.
_FILTER_LOOP = """{% load isa_forms %}{% for field in form.visible_fields %}
    <div class="govuk-grid-column-one-quarter">
      <div class="govuk-form-group">
        <label class="govuk-label" for="{{ field.id_for_label }}">{{ field.label }}</label>
        {% if field.widget_type == "select" %}<select class="govuk-select" id="{{ field.id_for_label }}" name="{{ field.html_name }}">{% select_options field %}</select>
        {% else %}<input class="govuk-input" type="date" id="{{ field.id_for_label }}" name="{{ field.html_name }}" value="{{ field.value|default_if_none:'' }}">{% endif %}
      </div>
    </div>
  {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"outcome": "share", "practitioner": "2", "agency": "1", "recipient_agency": "3"},
        {"date_from": '2025-01-01"><script>', "date_to": "2025-02-30", "status": "nonsense", "agency": "x"},
    ],
)
def test_the_filters_written_in_python_are_what_the_template_loop_wrote(data):
    people = [(1, "Ann O'Neill"), (2, "<b>Bo</b> & Co")]
    agencies = [(1, 'Tom & Jerry\'s "<School>"'), (3, "Hill Primary")]
    form = LogFilterForm(data, practitioners=people, agencies=agencies, recipients=agencies)

    written = Template("{% load decision_lists %}{% log_filter_fields form %}").render(
        Context({"form": form})
    )

    assert written == Template(_FILTER_LOOP).render(Context({"form": form}))
    assert "&lt;b&gt;Bo&lt;/b&gt; &amp; Co" in written and "<script>" not in written
