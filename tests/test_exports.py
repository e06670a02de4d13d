import csv
import io

import pytest
from openpyxl import load_workbook

from isa_portal.exports import csv_response, neutralise, xlsx_response

DANGEROUS = ["=SUM(A1)", "+44 1234", "-2+3", "@cmd", "\tx", "\rx"]


def test_formula_cells_are_neutralised_and_other_values_kept():
    assert [neutralise(value) for value in DANGEROUS] == ["'" + value for value in DANGEROUS]
    assert neutralise("Plain text") == "Plain text"
    assert neutralise(-5) == -5
    assert neutralise(None) == ""


def test_csv_streams_every_row_neutralised():
    rows = [[i, f"=HYPERLINK({i})"] for i in range(5000)]
    response = csv_response(filename="x.csv", header=["n", "text"], rows=iter(rows))
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    body = b"".join(response.streaming_content).decode()
    parsed = list(csv.reader(io.StringIO(body)))
    assert len(parsed) == 5001
    assert parsed[1] == ["0", "'=HYPERLINK(0)"]


def test_xlsx_opens_with_one_row_per_record_and_neutralised_cells():
    response = xlsx_response(
        filename="x.xlsx", sheet_title="Register", header=["a", "b"], rows=[["=1+1", 2], ["ok", 3]]
    )
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = list(workbook["Register"].values)
    assert values == [("a", "b"), ("'=1+1", 2), ("ok", 3)]


@pytest.mark.django_db
def test_lines_written_by_the_database_read_back_as_the_python_writer_would_write_them():
    """sql_csv_line and csv_lines_response agree with neutralise and the csv module, cell for cell."""
    from agreements.models import Agency, AgencyKind
    from isa_portal.exports import (
        csv_lines_response,
        sql_csv_label,
        sql_csv_line,
        sql_csv_plain,
        sql_csv_text,
    )
    from tests.factories import AgencyFactory

    names = [*DANGEROUS, 'Say "hello", then leave', "Two\nlines", "Crème brûlée, Ltd", "", "'quoted"]
    agencies = [AgencyFactory(name=name, kind=AgencyKind.SCHOOL) for name in names]
    lines = (
        Agency.objects.filter(pk__in=[a.pk for a in agencies])
        .order_by("pk")
        .annotate(
            line=sql_csv_line(
                sql_csv_text("name"), sql_csv_plain("id"), sql_csv_label("kind", AgencyKind.choices)
            )
        )
        .values_list("line", flat=True)
    )
    response = csv_lines_response(
        filename="x.csv", header=["Name", "=Number", "Kind"], lines=lines.iterator()
    )
    parsed = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))
    assert parsed[0] == ["Name", "'=Number", "Kind"]
    assert parsed[1:] == [[str(neutralise(a.name)), str(a.pk), AgencyKind.SCHOOL.label] for a in agencies]
