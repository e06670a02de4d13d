"""Safe spreadsheet exports: streamed CSV and XLSX, with formula injection neutralised.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return)
is prefixed with an apostrophe, so a spreadsheet shows it as text instead of
running it. Callers record the export in the audit trail (``audit.services.record_export``).

For exports of hundreds of thousands of rows, the database can write each CSV line
itself (``sql_csv_line``), neutralising and quoting exactly as ``neutralise`` and the
csv module do: Python then only joins lines, and a million rows leave in seconds.
"""

import csv
import datetime as dt
import itertools
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import Case, Expression, F, Func, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, Left, Replace
from django.db.models.lookups import In
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK_ROWS = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"  # Excel reads a CSV file as UTF-8 only when it starts with the byte order mark
# A spreadsheet's description written above its header row: (label, value) pairs, e.g.
# ("Agency", "Northshire CSC"), ("Period", "1 January 2026 to 6 December 2026"), ("As at", ...).
Preamble = Sequence[tuple[str, str]]
XLSX_DATE_FORMAT = "dd/mm/yyyy"
XLSX_TIME_FORMAT = "dd/mm/yyyy hh:mm"
WIDTH_SAMPLE_ROWS = 200  # rows read before the first is written, to size the columns
MIN_WIDTH, MAX_WIDTH = 10, 60


def neutralise(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _preamble_lines(title: str | None, preamble: Preamble) -> list[str]:
    """The title and the (label, value) lines above a CSV's header, then a blank line; none if neither."""
    if not title and not preamble:
        return []
    writer = csv.writer(_Echo())
    lines = [writer.writerow([neutralise(title)])] if title else []
    lines += [writer.writerow([neutralise(label), neutralise(value)]) for label, value in preamble]
    return [*lines, "\r\n"]


def _csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, start: Sequence[str] = ()
) -> Iterator[str]:
    writer = csv.writer(_Echo())
    chunk = [*start, writer.writerow([neutralise(cell) for cell in header])]
    for row in rows:
        chunk.append(writer.writerow([neutralise(cell) for cell in row]))
        if len(chunk) >= CSV_CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def csv_response(
    *,
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str | None = None,
    preamble: Preamble = (),
    bom: bool = False,
) -> StreamingHttpResponse:
    """Stream rows as CSV with constant memory; ``filename`` is made by the server, never the user.

    ``title`` and ``preamble`` are written above the header (what the file is, its filters, when it
    was made); ``bom`` starts the file with the byte order mark, so Excel reads it as UTF-8."""
    start = [BOM] if bom else []
    start += _preamble_lines(title, preamble)
    response = StreamingHttpResponse(
        _csv_chunks(header, rows, start=start), content_type="text/csv; charset=utf-8"
    )
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


def _line_chunks(header: Sequence[str], lines: Iterable[str], *, start: str = "") -> Iterator[str]:
    chunk = [start + csv.writer(_Echo()).writerow([neutralise(cell) for cell in header]).rstrip("\r\n")]
    for line in lines:
        chunk.append(line)
        if len(chunk) >= CSV_CHUNK_ROWS:
            yield "\r\n".join(chunk) + "\r\n"
            chunk = []
    if chunk:
        yield "\r\n".join(chunk) + "\r\n"


def csv_lines_response(
    *,
    filename: str,
    header: Sequence[str],
    lines: Iterable[str],
    title: str | None = None,
    preamble: Preamble = (),
    bom: bool = False,
) -> StreamingHttpResponse:
    """Stream CSV lines the database wrote (``sql_csv_line``) under a header, with constant memory;
    ``title``, ``preamble`` and ``bom`` as for ``csv_response``."""
    start = (BOM if bom else "") + "".join(_preamble_lines(title, preamble))
    response = StreamingHttpResponse(
        _line_chunks(header, lines, start=start), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_value(value: Any) -> Any:
    """A cell as a spreadsheet holds it: a time in the partnership's zone without its offset (a
    spreadsheet has no zones), a date as a date, text neutralised, empty as empty."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return neutralise(value)


def _width(value: Any) -> int:
    if isinstance(value, dt.datetime):
        return 17
    if isinstance(value, dt.date):
        return 11
    text = str(value) if value is not None else ""
    return max((len(line) for line in text.splitlines()), default=0)


def _typed_cell(sheet, value: Any):
    value = xlsx_value(value)
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_TIME_FORMAT if isinstance(value, dt.datetime) else XLSX_DATE_FORMAT
        return cell
    return value


def xlsx_response(
    *,
    filename: str,
    sheet_title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str | None = None,
    preamble: Preamble = (),
) -> FileResponse:
    """Write rows to an XLSX workbook in write-only mode (streamed to a temporary file).

    Dates and times are real spreadsheet dates (times in the partnership's zone); the header row is
    bold, frozen and carries an autofilter; columns are as wide as the header and the first rows need.
    ``title`` and ``preamble`` are written above the header, as in ``csv_response``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    rows = iter(rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
    for index, heading in enumerate(header):
        widest = max([len(str(heading)), *(_width(row[index]) for row in sample)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(
            max(widest + 2, MIN_WIDTH), MAX_WIDTH
        )
    above = ([[title]] if title else []) + [[label, value] for label, value in preamble]
    above += [[]] if above else []
    header_row = len(above) + 1
    sheet.freeze_panes = f"A{header_row + 1}"
    for line in above:
        sheet.append([neutralise(cell) for cell in line])
    bold = Font(bold=True)
    cells = []
    for heading in header:
        cell = WriteOnlyCell(sheet, value=neutralise(heading))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    last_row = header_row
    for row in itertools.chain(sample, rows):
        sheet.append([_typed_cell(sheet, cell) for cell in row])
        last_row += 1
    if header:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(header))}{last_row}"
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (closed by FileResponse)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
