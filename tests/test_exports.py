import csv
import io

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
