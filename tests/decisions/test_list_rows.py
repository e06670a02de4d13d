"""The rows of a list of decisions, written in Python for speed (issue 19), read as the template
they replace wrote them: the same links, words, dates and tags, escaped."""

import pytest
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils import timezone

from decisions import services
from decisions.models import Decision, Status
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
