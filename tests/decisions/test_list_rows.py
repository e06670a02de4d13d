"""The rows of a list of decisions, written in Python for speed (issue 19), read as the template
they replace wrote them: the same links, words, dates and tags, escaped."""

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils import timezone

from consent.models import Child
from decisions import services
from decisions.models import Decision, Status
from decisions.selectors import ListedDecision
from decisions.templatetags.decision_lists import list_rows
from tests.decisions.factories import child_for, submitted_decision

pytestmark = pytest.mark.django_db


def test_a_submitted_and_a_draft_decision_row(practitioner, recipient):
    submitted = submitted_decision(practitioner, recipient)
    draft = services.decision_start(child=child_for(practitioner, given_name="<i>Ann</i>"), by=practitioner)

    rows = list_rows(Decision.objects.filter(pk__in=[submitted.pk, draft.pk]).for_lists().order_by("pk"))

    assert rows[0] == (
        reverse("decisions:detail", args=[submitted.pk]),
        False,
        submitted.reference,
        str(submitted.child),
        date(timezone.localtime(submitted.created), "j M Y"),
        submitted.get_outcome_display(),
        submitted.get_status_display(),
        " govuk-tag--yellow",
        False,
    )
    assert rows[1][:3] == (reverse("decisions:resume", args=[draft.pk]), True, "purpose not chosen yet")
    assert rows[1][5:8] == ("Not decided", Status.DRAFT.label, " govuk-tag--grey")


def test_the_list_page_escapes_the_cells(client, practitioner):
    services.decision_start(child=child_for(practitioner, given_name="<i>Ann</i>"), by=practitioner)
    client.force_login(practitioner)

    page = client.get(reverse("decisions:list")).content.decode()

    assert "&lt;i&gt;Ann&lt;/i&gt;" in page and "<i>Ann</i>" not in page
    assert "Draft: purpose not chosen yet" in page


# The loop decision_rows replaced, as it stood in decisions/_decision_rows.html.
_TEMPLATE_LOOP = """{% load decision_lists %}{% for url, draft, text, child, started, outcome, status, tag, erased in decisions|list_rows %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell"><a class="govuk-link" href="{{ url }}">{% if draft %}Draft: {{ text }}<span class="govuk-visually-hidden">, about {{ child }}, started {{ started }}</span>{% else %}{{ text }}{% endif %}</a></td>
      <td class="govuk-table__cell">{{ child }}</td>
      <td class="govuk-table__cell">{{ started }}</td>
      <td class="govuk-table__cell">{{ outcome }}</td>
      <td class="govuk-table__cell"><strong class="govuk-tag{{ tag }}">{{ status }}</strong>{% if erased %} <strong class="govuk-tag govuk-tag--grey">Erased</strong>{% endif %}</td>
    </tr>
  {% endfor %}"""  # noqa: E501


def test_the_rows_written_in_python_are_what_the_template_loop_wrote(practitioner, recipient):
    """A submitted decision, a draft about a child whose name needs escaping, and an erased one."""
    submitted = submitted_decision(practitioner, recipient)
    draft = services.decision_start(
        child=child_for(practitioner, given_name="<i>Ann</i>", family_name="O'Neill & Co"), by=practitioner
    )
    decisions = list(Decision.objects.filter(pk__in=[submitted.pk, draft.pk]).for_lists().order_by("pk"))
    erased = ListedDecision(
        pk=7,
        reference="ISA-7",
        status=Status.ENDORSED,
        created=timezone.now(),
        purpose="",
        outcome="share",
        tombstoned_at=timezone.now(),
        child=Child.name_from(3, "", "", timezone.now()),
    )
    rows = [*decisions, erased]

    written = Template("{% load decision_lists %}{% decision_rows rows %}").render(Context({"rows": rows}))

    assert written == Template(_TEMPLATE_LOOP).render(Context({"decisions": rows}))
    assert "&lt;i&gt;Ann&lt;/i&gt; O&#x27;Neill &amp; Co" in written and "<i>" not in written
    assert "Child 3 (erased)</td>" in written and 'govuk-tag--grey">Erased</strong>' in written
    assert "Draft: purpose not chosen yet<span" in written
