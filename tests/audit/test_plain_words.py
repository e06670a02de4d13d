"""The audit trail in plain words (issue 15): record types as people name them, only the types IG
officers ask about in the filter, values formatted, "what happened" as a sentence, and the export in
the same words with the raw codes as extra columns."""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import escape

from audit import views
from audit.context import audit_context
from audit.models import AuditEntry, Event
from audit.services import record_event
from tests.decisions.factories import submitted_decision
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

LIST = reverse("audit:entry_list")


def test_the_type_filter_lists_only_what_ig_officers_ask_about_in_their_words(client, partnership_ig):
    client.force_login(partnership_ig)
    choices = dict(client.get(LIST).context["form"].fields["record_type"].choices)
    labels = set(choices.values())
    assert {"Decision", "Consent record", "Competence assessment", "Child", "Incident"} <= labels
    for internal in ("Totp device", "Static token", "Reference counter", "Static device", "Draft"):
        assert internal not in labels
    assert "Two-step sign-in app" not in labels


def test_what_happened_is_a_sentence_naming_who_their_role_and_agency(client, partnership_ig, practitioner):
    from agreements.models import AgencyKind

    decision = submitted_decision(practitioner, AgencyFactory(name="Force", kind=AgencyKind.POLICE))
    client.force_login(practitioner)
    client.get(reverse("decisions:detail", args=[decision.pk]))
    entry = AuditEntry.objects.filter(event=Event.VIEW, actor=practitioner).latest("id")
    who = f"{practitioner.full_name} (practitioner, {practitioner.agency.name})"
    expected = f"{who} viewed decision {decision.reference}"
    assert entry.sentence == expected
    client.force_login(partnership_ig)
    assert escape(expected) in client.get(LIST).content.decode()
    page = client.get(reverse("audit:entry_detail", args=[entry.pk])).content.decode()
    assert escape(expected) in page


def test_an_entry_shows_times_dates_and_linked_records_in_words(client, partnership_ig, practitioner, lead):
    from agreements.models import AgencyKind

    decision = submitted_decision(practitioner, AgencyFactory(name="Force", kind=AgencyKind.POLICE))
    entry = (
        AuditEntry.objects.filter(
            event=Event.CHANGE,
            action=AuditEntry.Action.CREATE,
            content_type__model="decision",
            object_pk=str(decision.pk),
        )
        .order_by("id")
        .first()
    )
    client.force_login(partnership_ig)
    changes = {
        row["field"]: row
        for row in client.get(reverse("audit:entry_detail", args=[entry.pk])).context["changes"]
    }
    created = changes["Created"]["after"]
    assert "+00" not in created and "T" not in created and created.count(",") == 1  # "6 December 2026, 07:40"
    assert changes["Created by"]["after"] == practitioner.full_name  # a person, not an id
    assert changes["Agency"]["after"] == practitioner.agency.name


def test_the_export_is_in_words_with_the_raw_codes_after(client, partnership_ig, practitioner):
    with audit_context(source="tests", actor=practitioner):
        record_event(Event.VIEW, practitioner, label="Their own account")
    client.force_login(partnership_ig)
    text = b"".join(
        client.get(reverse("audit:entry_export"), {"activity": "view"}).streaming_content
    ).decode()
    rows = list(csv.reader(io.StringIO(text[1:])))
    at = rows.index(views.EXPORT_HEADER)
    row = dict(zip(views.EXPORT_HEADER, rows[at + 1], strict=True))
    who = f"{practitioner.full_name} (practitioner, {practitioner.agency.name})"
    assert row["What happened"] == f"{who} viewed person's account Their own account"
    assert row["Their role"] == "Practitioner"
    assert row["Type of record"] == "Person's account"
    assert "+00" not in row["When (UK time)"] and len(row["When (UK time)"]) == len("2026-12-06 07:40:00")
    assert (row["Event code"], row["Action code"], row["Record type code"]) == ("view", "3", "user")
    assert ContentType.objects.get(model=row["Record type code"], app_label="accounts")
