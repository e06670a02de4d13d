"""Safe spreadsheet exports: streamed CSV and XLSX, with formula injection neutralised.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return)
is prefixed with an apostrophe, so a spreadsheet shows it as text instead of
running it. Callers record the export in the audit trail (``audit.services.record_export``).

For exports of hundreds of thousands of rows, the database can write each CSV line
itself (``sql_csv_line``), neutralising and quoting exactly as ``neutralise`` and the
csv module do: Python then only joins lines, and a million rows leave in seconds.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import Case, Expression, F, Func, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, Left, Replace
from django.db.models.lookups import In
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK_ROWS = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    chunk = [writer.writerow([neutralise(cell) for cell in header])]
    for row in rows:
        chunk.append(writer.writerow([neutralise(cell) for cell in row]))
        if len(chunk) >= CSV_CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """Stream rows as CSV with constant memory; ``filename`` is made by the server, never the user."""
    response = StreamingHttpResponse(_csv_chunks(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_field(value: Any) -> str:
    """One neutralised cell as the csv module writes it (quoted only when it must be)."""
    return csv.writer(_Echo()).writerow([neutralise(value)]).rstrip("\r\n")


class _Joined(Func):
    """Text joined with ``||`` (PostgreSQL and SQLite alike); unlike Concat, no COALESCE around
    every part: the parts here are never NULL."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = TextField()


def sql_csv_text(expression: Expression | str) -> Expression:
    """A text value as one CSV cell, in SQL: neutralised, quoted, its quotes doubled; NULL is empty."""
    text = Coalesce(
        F(expression) if isinstance(expression, str) else expression, Value(""), output_field=TextField()
    )
    safe = Case(
        When(In(Left(text, 1), list(FORMULA_PREFIXES)), then=_Joined(Value("'"), text)),
        default=text,
        output_field=TextField(),
    )
    return _Joined(Value('"'), Replace(safe, Value('"'), Value('""'), output_field=TextField()), Value('"'))


def sql_csv_plain(field: str) -> Expression:
    """A number, date or time as one CSV cell, in SQL: its text form needs no quoting; NULL is empty."""
    return Coalesce(Cast(F(field), TextField()), Value(""), output_field=TextField())


def sql_csv_label(field: str, choices) -> Expression:
    """A coded value as one CSV cell showing its label, in SQL; an unknown code shows as itself."""
    return Case(
        When(**{field: ""}, then=Value("")),
        *[When(**{field: value}, then=Value(csv_field(str(label)))) for value, label in choices],
        default=sql_csv_text(Cast(F(field), TextField())),
        output_field=TextField(),
    )


def sql_csv_line(*cells: Expression) -> Expression:
    """The cells, each already a CSV cell (the ``sql_csv_*`` helpers), as one line without its end."""
    separated = [part for cell in cells for part in (Value(","), cell)][1:]
    return _Joined(*separated)


def _line_chunks(header: Sequence[str], lines: Iterable[str]) -> Iterator[str]:
    chunk = [csv.writer(_Echo()).writerow([neutralise(cell) for cell in header]).rstrip("\r\n")]
    for line in lines:
        chunk.append(line)
        if len(chunk) >= CSV_CHUNK_ROWS:
            yield "\r\n".join(chunk) + "\r\n"
            chunk = []
    if chunk:
        yield "\r\n".join(chunk) + "\r\n"


def csv_lines_response(
    *, filename: str, header: Sequence[str], lines: Iterable[str]
) -> StreamingHttpResponse:
    """Stream CSV lines the database wrote (``sql_csv_line``) under a header, with constant memory."""
    response = StreamingHttpResponse(_line_chunks(header, lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(
    *, filename: str, sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> FileResponse:
    """Write rows to an XLSX workbook in write-only mode (streamed to a temporary file)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([neutralise(cell) for cell in header])
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (closed by FileResponse)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
