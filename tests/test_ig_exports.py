"""Every IG export opens as what it claims (issue 15): each CSV parses as UTF-8 with a byte order
mark and has its header below the description; each XLSX opens in openpyxl with its header, real
dates and times, a frozen header row and an autofilter."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from agreements import processing
from audit import history
from audit import views as audit_views
from decisions import exports as decision_exports
from tests.agreements.factories import SignatureFactory, in_force_agreement
from tests.decisions.factories import submitted_decision
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(client, practitioner, agency):
    from agreements.models import AgencyKind

    decision = submitted_decision(practitioner, AgencyFactory(name="Force", kind=AgencyKind.POLICE))
    client.force_login(practitioner)
    client.get(reverse("decisions:detail", args=[decision.pk]))
    _, version = in_force_agreement(owner=agency)
    SignatureFactory(version=version, agency=agency)
    return decision


def _exports(decision) -> list[tuple[str, list[str], str | None]]:
    """(url, header, a column that must hold real times or dates in the XLSX, or None)."""
    child = decision.child_id
    return [
        (reverse("decisions:log_export"), decision_exports.HEADER, None),
        (reverse("decisions:log_export_xlsx"), decision_exports.HEADER, "Recorded (UK time)"),
        (reverse("audit:child_history_export", args=[child]), history.HEADER, None),
        (reverse("audit:child_history_export_xlsx", args=[child]), history.HEADER, "When (UK time)"),
        (reverse("audit:entry_export"), audit_views.EXPORT_HEADER, None),
        (reverse("reports:download", args=["record_views", "csv"]), ["Agency", "Records viewed"], None),
        (reverse("reports:download", args=["record_views", "xlsx"]), ["Agency", "Records viewed"], None),
        (reverse("agreements:record_of_processing_csv"), processing.HEADER, None),
        (reverse("agreements:record_of_processing"), processing.HEADER, "Signed on"),
    ]


def test_every_ig_export_opens_with_its_header_and_typed_cells(client, partnership_ig, seeded):
    client.force_login(partnership_ig)
    for url, header, typed in _exports(seeded):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content)
        if url.endswith(".xlsx") or "xlsx" in url:
            sheet = load_workbook(io.BytesIO(body)).active
            values = list(sheet.values)
            at = values.index(tuple(header))
            assert values[0][0], url  # what the file is, written at the top
            assert sheet.freeze_panes == f"A{at + 2}", url
            assert sheet.auto_filter.ref.startswith(f"A{at + 1}:"), url
            rows = [dict(zip(header, row, strict=True)) for row in values[at + 1 :]]
            assert rows, url
            if typed:
                assert all(isinstance(row[typed], dt.datetime) for row in rows if row[typed] is not None), url
                assert any(row[typed] is not None for row in rows), url
        else:
            text = body.decode("utf-8")
            assert text.startswith("\ufeff"), url
            rows = list(csv.reader(io.StringIO(text[1:])))
            at = rows.index(header)
            assert rows[0][0], url
            assert rows[at + 1 :], url
            assert all(len(row) == len(header) for row in rows[at + 1 :]), url
