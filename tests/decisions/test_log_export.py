"""The decision log as CSV: the user's scope, the log's filters, the audit entry, safe cells, streamed."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry, Event
from decisions import exports, services
from tests.decisions.factories import answer_all, child_for, draft_decision, submitted_decision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("decisions:log_export")


def _rows(response) -> list[list[str]]:
    """The header and the rows, below the title and filters written above them."""
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # the byte order mark: Excel reads the file as UTF-8
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0] == ["Decision log"]
    return rows[rows.index(exports.HEADER) :]


def _references(response) -> list[str]:
    header, *body = _rows(response)
    assert header == exports.HEADER
    return [row[0] for row in body]


@pytest.fixture
def home_and_away(practitioner, lead, outsider, recipient):
    """Two submitted decisions and a draft in the home agency, one submitted elsewhere."""
    shared = submitted_decision(practitioner, recipient)
    not_shared = submitted_decision(
        lead, recipient, other_reason={"other_reasons": []}, outcome={"outcome": "do_not_share"}
    )
    draft_decision(practitioner, recipient)
    elsewhere = submitted_decision(outsider, recipient)
    return {"shared": shared, "not_shared": not_shared, "elsewhere": elsewhere}


def test_an_agency_ig_officer_exports_their_agencys_submitted_decisions_newest_first(
    client, ig_officer, home_and_away
):
    client.force_login(ig_officer)
    response = client.get(EXPORT)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="decision-log-')
    assert _references(response) == [home_and_away["not_shared"].reference, home_and_away["shared"].reference]


def test_a_partnership_ig_officer_exports_every_agency(client, partnership_ig, home_and_away):
    client.force_login(partnership_ig)
    assert _references(client.get(EXPORT)) == [
        home_and_away["elsewhere"].reference,
        home_and_away["not_shared"].reference,
        home_and_away["shared"].reference,
    ]


@pytest.mark.parametrize("persona", ["lead", "practitioner", "admin", "outsider"])
def test_other_roles_are_refused_and_no_export_is_recorded(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(EXPORT).status_code == 403
    assert not AuditEntry.objects.filter(event=Event.EXPORT).exists()


def test_the_logs_filters_apply_and_the_export_is_recorded_with_them(client, ig_officer, home_and_away):
    client.force_login(ig_officer)
    assert _references(client.get(EXPORT, {"outcome": "do_not_share"})) == [
        home_and_away["not_shared"].reference
    ]
    child = home_and_away["shared"].child_id
    assert _references(client.get(EXPORT, {"child": child})) == [home_and_away["shared"].reference]
    first, second = AuditEntry.objects.filter(event=Event.EXPORT, actor=ig_officer).order_by("id")
    assert first.additional_data == {"filters": {"outcome": "do_not_share"}}
    assert second.additional_data == {"filters": {"child": str(child)}}
    assert first.object_repr == "Decision log (CSV)" and first.content_type.model == "decision"


def test_the_export_is_what_the_log_shows(client, ig_officer, home_and_away):
    client.force_login(ig_officer)
    for query in ({}, {"outcome": "share"}, {"status": "awaiting_review", "outcome": "nonsense"}):
        shown = [d.reference for d in client.get(reverse("decisions:log"), query).context["page"].items]
        assert _references(client.get(EXPORT, query)) == shown


def test_a_row_says_what_was_decided_in_words(client, ig_officer, practitioner, recipient):
    decision = submitted_decision(practitioner, recipient)
    client.force_login(ig_officer)
    _, row = _rows(client.get(EXPORT))
    record = dict(zip(exports.HEADER, row, strict=True))
    assert record["Reference"] == decision.reference
    assert record["Status"] == "Awaiting review"
    assert record["Decision"] == decision.get_outcome_display()
    assert record["Article 6 basis"] == decision.get_article6_basis_display()
    assert record["Agency"] == practitioner.agency.name
    assert record["Practitioner"] == practitioner.full_name
    assert record["Their role"] == "Practitioner"
    assert record["Shared with"] == recipient.name
    assert record["Reconsiders"] == ""
    # The child as an IG officer finds them (issue 15), not by an internal number.
    assert record["Child"] == str(decision.child)
    assert record["Child's date of birth"] == decision.child.date_of_birth.isoformat()
    assert str(decision.child_id) not in (record["Child"], record["NHS number"])
    # To the minute, in the partnership's time zone.
    assert record["Recorded (UK time)"] == f"{timezone.localtime(decision.created):%Y-%m-%d %H:%M}"
    assert record["Grounds for sharing without consent"] == (
        "Reasonable cause to believe the child is suffering, or is likely to suffer, significant harm"
    )
    assert record["Information shared"] == "Dates and descriptions of injuries seen"
    assert record["Kind of recipient"] == "Police"


def test_a_reconsideration_names_the_decision_it_reconsiders(client, ig_officer, practitioner, recipient):
    first = submitted_decision(
        practitioner, recipient, other_reason={"other_reasons": []}, outcome={"outcome": "do_not_share"}
    )
    again = services.decision_reconsider(decision=first, by=practitioner, token=None)
    again = services.decision_submit(decision=answer_all(again, practitioner, recipient), by=practitioner)
    client.force_login(ig_officer)
    _, newest, _ = _rows(client.get(EXPORT))
    assert newest[0] == again.reference and newest[exports.HEADER.index("Reconsiders")] == first.reference


def test_cells_that_a_spreadsheet_would_run_are_neutralised(client, ig_officer, agency, recipient):
    author = UserFactory(full_name='=HYPERLINK("http://evil", "Click")', agency=agency, role="practitioner")
    submitted_decision(author, recipient)
    client.force_login(ig_officer)
    _, row = _rows(client.get(EXPORT))
    assert row[exports.HEADER.index("Practitioner")] == '\'=HYPERLINK("http://evil", "Click")'


def test_the_rows_stream_from_a_server_side_cursor_in_their_own_transaction(
    client, ig_officer, practitioner, recipient, monkeypatch
):
    """No row is fetched by the view: they are read while the response is sent, a chunk at a
    time, from a cursor PostgreSQL does not materialise (WITHOUT HOLD, inside a transaction),
    with no query per row."""
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    child = child_for(practitioner)
    for _ in range(5):
        submitted_decision(practitioner, recipient, child=child)
    client.force_login(ig_officer)
    response = client.get(EXPORT)
    with CaptureQueriesContext(connection) as queries:
        body = b"".join(response.streaming_content).decode()
    lines = body.splitlines()
    assert len(lines[lines.index(",".join(exports.HEADER)) + 1 :]) == 5
    statements = [query["sql"] for query in queries]
    declared = [sql for sql in statements if sql.startswith("DECLARE")]
    assert len(declared) == 1 and "CURSOR WITHOUT HOLD" in declared[0]
    assert not any(sql.startswith("SELECT") for sql in statements)  # no query per row


def test_the_log_links_to_the_export_with_its_filters_for_those_who_may_export(
    client, ig_officer, lead, home_and_away
):
    client.force_login(ig_officer)
    page = client.get(reverse("decisions:log"), {"outcome": "share"}).content.decode()
    assert f'href="{EXPORT}?outcome=share"' in page
    client.force_login(lead)
    assert EXPORT not in client.get(reverse("decisions:log")).content.decode()
