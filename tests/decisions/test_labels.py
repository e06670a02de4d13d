"""The record and check your answers in the words of the question (issue 16, item 2): plain
labels from one place (decisions.labels), no field names, and no rows that do not apply."""

import html
import re

import pytest
from django.urls import reverse

from decisions import labels
from decisions.journeys import DECISION, fields_of
from decisions.models import Decision
from tests.consent.factories import make_consent
from tests.decisions.factories import draft_decision, submitted_decision

pytestmark = pytest.mark.django_db

FIELD_NAMES = {field.name for field in Decision._meta.get_fields()}
# verbose_name Django made up from a field's name of several words ("Article6 basis", "Departure
# reason", "Identifies person"): a developer's words. One-word names ("Reference") are plain.
RAW_NAMES = {
    str(field.verbose_name).capitalize()
    for field in Decision._meta.concrete_fields
    if "_" in field.name and str(field.verbose_name) == field.name.replace("_", " ")
}


def row_labels(response) -> list[str]:
    page = response.content.decode()
    keys = re.findall(r'<dt class="govuk-summary-list__key">(.*?)</dt>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", key)).strip() for key in keys]


def machine_words(found: list[str]) -> list[str]:
    return [
        text
        for text in found
        if "_" in text
        or "Article6" in text
        or "Article9" in text
        or text in FIELD_NAMES
        or (text in RAW_NAMES and text not in labels.LABELS.values())
    ]


def test_every_question_of_the_journey_has_a_plain_label():
    for step in DECISION.steps:
        for field in fields_of(step):
            text = labels.label(field, step.form_class)
            assert machine_words([text]) == [], (step.name, field, text)


def test_the_record_and_check_your_answers_have_no_machine_words(client, practitioner, recipient):
    draft = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    check = row_labels(client.get(reverse("decisions:check", args=[draft.pk])))
    assert check and machine_words(check) == []
    decision = submitted_decision(practitioner, recipient)
    record = row_labels(client.get(reverse("decisions:detail", args=[decision.pk])))
    assert record and machine_words(record) == []
    assert "Lawful basis (UK GDPR Article 6)" in record


def test_rows_that_do_not_apply_are_left_out(client, practitioner, recipient, consent_found):
    decision = submitted_decision(
        practitioner,
        recipient,
        request={"request_method": "own_initiative", "requester_name": "", "identity_check": ""},
        advice={"advice_sought": False},
        openness={"family_told": True, "family_not_told_reason": ""},
    )
    client.force_login(practitioner)
    record = row_labels(client.get(reverse("decisions:detail", args=[decision.pk])))
    for absent in (
        "Who asked",
        "How their identity and entitlement were checked",
        "Why share although consent was refused or withdrawn",
        "Why the decision differs from the one suggested",
        "Advice from",
        "The advice given",
        "Why the child or family was not told",
        "Agency the information came from",
        "That agency agreed to it being passed on",
    ):
        assert absent not in record, absent
    for present in ("How the request reached you", "Advice sought before deciding", "Decision"):
        assert present in record, present


def test_the_record_shows_the_consent_it_rests_on(client, practitioner, recipient, child, consent_found):
    consent = make_consent(child, practitioner, recipients=[recipient])
    consent_found.status, consent_found.record = "given", consent
    decision = submitted_decision(practitioner, recipient, child=child)
    assert decision.consent_record_id == consent.pk
    client.force_login(practitioner)
    page = html.unescape(client.get(reverse("decisions:detail", args=[decision.pk])).content.decode())
    section = page[page.index("The consent it rests on") :]
    assert "Jo Bloggs (Mother)" in section
    assert "Consent given" in section


def test_the_record_names_the_child_as_they_were_at_submission(client, practitioner, recipient):
    decision = submitted_decision(practitioner, recipient)
    child = decision.child
    before = (str(child), child.date_of_birth, child.nhs_number)
    assert decision.child_as_submitted == {
        "name": before[0],
        "date_of_birth": before[1],
        "nhs_number": before[2],
    }
    # The child's record is corrected after the decision: the record still says whom it was about then.
    child.given_name, child.family_name, child.nhs_number = "Renamed", "Later", "9434765919"
    child.save()
    client.force_login(practitioner)
    page = html.unescape(client.get(reverse("decisions:detail", args=[decision.pk])).content.decode())
    row = page[page.index('id="child-as-submitted"') :].split("</div>")[0]
    assert before[0] in row and "Renamed" not in row
    assert "9434765919" not in row
    assert "As recorded when the decision was submitted" in row
    assert f"Decision about {before[0]}" in page
