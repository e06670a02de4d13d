"""The decision log as an IG tool (issue 15): "every decision shared with the police by agency Y
this year", answered on seeded data in the log, its CSV and its XLSX, every row checked."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agreements.models import AgencyKind
from decisions import exports
from decisions.models import Decision
from tests.decisions.factories import submitted_decision
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

LOG = reverse("decisions:log")
CSV = reverse("decisions:log_export")
XLSX = reverse("decisions:log_export_xlsx")
NOT_SHARED = {"other_reason": {"other_reasons": []}, "outcome": {"outcome": "do_not_share"}}
IN_PART = {"outcome": {"outcome": "share_in_part", "departure_reason": "Only the dates were needed"}}


@pytest.fixture
def seeded(practitioner, outsider, monkeypatch):
    """Agency Y (the home agency) and another, sharing with two police forces, a health trust and a
    school, in full, in part and not at all, this year and last."""
    police = AgencyFactory(name="Northshire Police", kind=AgencyKind.POLICE)
    more_police = AgencyFactory(name="British Transport Police", kind=AgencyKind.POLICE)
    health = AgencyFactory(name="Northshire NHS Trust", kind=AgencyKind.NHS_TRUST)
    school = AgencyFactory(name="Hill Primary School", kind=AgencyKind.SCHOOL)
    colleague = UserFactory(email="colleague@example.org", agency=practitioner.agency, role="practitioner")
    answer = {
        "police_share": submitted_decision(practitioner, police),
        "police_in_part": submitted_decision(colleague, more_police, **IN_PART),
        "police_not_shared": submitted_decision(practitioner, police, **NOT_SHARED),
        "health_share": submitted_decision(practitioner, health),
        "school_in_part": submitted_decision(colleague, school, **IN_PART),
        "other_agency_police": submitted_decision(outsider, police),
    }
    start_of_year = dt.datetime(timezone.localdate().year, 1, 1, tzinfo=timezone.get_current_timezone())
    # A draft opened a minute before this year began (Field caches its default as _get_default).
    monkeypatch.setattr(
        Decision._meta.get_field("created"), "_get_default", lambda: start_of_year - dt.timedelta(minutes=1)
    )
    answer["police_last_year"] = submitted_decision(practitioner, police)
    monkeypatch.undo()
    return answer


def _question(agency) -> dict:
    return {
        "agency": agency.pk,
        "recipient_kind": "police",
        "outcome": "shared",
        "date_from": f"{timezone.localdate().year}-01-01",
    }


def _expected(seeded) -> list[Decision]:
    return sorted(
        [seeded["police_share"], seeded["police_in_part"]], key=lambda d: (d.created, d.pk), reverse=True
    )


def test_every_decision_shared_with_the_police_by_agency_y_this_year(client, partnership_ig, agency, seeded):
    client.force_login(partnership_ig)
    expected = _expected(seeded)
    # Shown in the log: share and share in part together, police of any force, agency Y only, this year.
    shown = client.get(LOG, _question(agency)).context["page"].items
    assert [d.reference for d in shown] == [d.reference for d in expected]

    response = client.get(CSV, _question(agency))
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    header_at = rows.index(exports.HEADER)
    above = {row[0]: row[1] for row in rows[1:header_at] if len(row) == 2}
    assert rows[0] == ["Decision log"]
    assert above["Agency"] == agency.name
    assert above["Kind of recipient"] == "Police"
    assert above["Decision"] == "Shared (in full or in part)"
    assert above["Recorded from"] == f"1 January {timezone.localdate().year}"
    assert "As at" in above and above["Decisions of"] == "Every agency in the partnership"
    body_rows = [dict(zip(exports.HEADER, row, strict=True)) for row in rows[header_at + 1 :]]
    assert len(body_rows) == len(expected)
    for row, decision in zip(body_rows, expected, strict=True):
        assert row["Reference"] == decision.reference
        assert row["Agency"] == agency.name
        assert row["Kind of recipient"] == "Police"
        assert row["Shared with"] == decision.recipient_agency.name
        assert row["Decision"] == decision.get_outcome_display()
        assert row["Decision"] in ("Share", "Share in part")
        assert row["Child"] == str(decision.child)
        assert row["Information shared"] == decision.information_shared
        assert row["Article 6 basis"] == decision.get_article6_basis_display()
        recorded = dt.datetime.strptime(row["Recorded (UK time)"], "%Y-%m-%d %H:%M")
        assert recorded.year == timezone.localdate().year


def test_the_same_question_in_xlsx_has_typed_cells_a_frozen_header_and_a_filter(
    client, partnership_ig, agency, seeded
):
    client.force_login(partnership_ig)
    response = client.get(XLSX, _question(agency))
    assert response["Content-Disposition"].startswith('attachment; filename="decision-log-')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    header_at = rows.index(tuple(exports.HEADER))
    assert rows[0][0] == "Decision log"
    above = {row[0]: row[1] for row in rows[1:header_at] if row and row[0]}
    assert above["Agency"] == agency.name and above["Kind of recipient"] == "Police"
    assert sheet.freeze_panes == f"A{header_at + 2}"
    assert sheet.auto_filter.ref.startswith(f"A{header_at + 1}:")
    assert sheet.column_dimensions["A"].width >= len("ISD-2026-000001")
    body = [dict(zip(exports.HEADER, row, strict=True)) for row in rows[header_at + 1 :]]
    expected = _expected(seeded)
    assert [row["Reference"] for row in body] == [d.reference for d in expected]
    for row, decision in zip(body, expected, strict=True):
        assert isinstance(row["Recorded (UK time)"], dt.datetime)
        assert row["Recorded (UK time)"] == timezone.localtime(decision.created).replace(
            tzinfo=None, microsecond=row["Recorded (UK time)"].microsecond
        )
        assert isinstance(row["Shared on"], dt.datetime)  # a real date (openpyxl reads dates as datetimes)
        assert row["Shared on"].date() == decision.shared_on
        assert isinstance(row["Child's date of birth"], dt.datetime)
        assert row["Kind of recipient"] == "Police"
        assert row["Status"] == decision.get_status_display()


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"outcome": "share_in_part"}, {"police_in_part", "school_in_part"}),
        ({"outcome": "shared", "recipient_kind": "health"}, {"health_share"}),
        ({"recipient_kind": "education"}, {"school_in_part"}),
        (
            {"grounds": "significant_harm_reasonable_cause", "recipient_kind": "police", "outcome": "share"},
            {"police_share", "police_last_year"},
        ),
        ({"grounds": "prevent_harm"}, set()),
        ({"consent_position": "not_shared"}, {"police_not_shared"}),
        ({"article6_basis": "public_task", "recipient_kind": "health"}, {"health_share"}),
    ],
)
def test_each_filter_narrows_the_log_and_its_exports_alike(client, ig_officer, seeded, query, names):
    client.force_login(ig_officer)  # agency Y's own IG officer: never the other agency's decision
    expected = {seeded[name].reference for name in names}
    assert {d.reference for d in client.get(LOG, query).context["page"].items} == expected
    body = b"".join(client.get(CSV, query).streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert {row[0] for row in rows[rows.index(exports.HEADER) + 1 :]} == expected


def test_recipient_agency_filter(client, ig_officer, seeded):
    client.force_login(ig_officer)
    police = seeded["police_share"].recipient_agency
    shown = {d.reference for d in client.get(LOG, {"recipient_agency": police.pk}).context["page"].items}
    names = {"police_share", "police_last_year"}  # a decision not to share names no recipient
    assert shown == {seeded[name].reference for name in names}
