"""CSV and XLSX downloads.

CSV: UTF-8 with a BOM, header row in the declared column order, streamed so memory stays flat
whatever the row count; nested values JSON-encoded; text cells that a spreadsheet would run as a
formula (starting with = + - @, tab or carriage return) are prefixed with a quote.
XLSX: the same columns, written by openpyxl in write-only mode; text is always stored as text.
"""

import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.api.renderers import json_dumps
from core.money import WIRE_PLACES, wire_decimal, wire_text

XLSX_AMOUNT_FORMAT = "0." + "0" * WIRE_PLACES

BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_START = frozenset("".join(FORMULA_PREFIXES))
ROWS_PER_CHUNK = 500


def json_text(value) -> str:
    return json_dumps(value)


def neutralise(text: str) -> str:
    return "'" + text if text and text[0] in FORMULA_START else text


def decimal_text(value: Decimal) -> str:
    """An amount at the stored scale, as on the wire: `12.5000`."""
    return wire_text(value)


def bool_text(value: bool) -> str:
    return "true" if value else "false"


def csv_cell(value) -> str:
    """One value as CSV text (the general path; RowShape.csv_rows precompiles this per column)."""
    if type(value) is str:  # most cells: test the common case first
        return neutralise(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (dict, list, tuple)):
        return json_text(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return neutralise(str(value))


def download_name(stem: str, business_id: int, extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    return f"{stem}-{business_id}-{stamp}.{extension}"


def _csv_chunks(columns: list[str], rows: Iterable[list]):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(columns)
    while True:
        chunk = list(islice(rows, ROWS_PER_CHUNK))
        if chunk:
            writer.writerows(chunk)
        yield buffer.getvalue().encode("utf-8")
        if len(chunk) < ROWS_PER_CHUNK:
            return
        buffer.seek(0)
        buffer.truncate()


def cells_of(columns: list[str], rows: Iterable[dict]) -> Iterator[list[str]]:
    """Dict rows as CSV cells in column order."""
    for row in rows:
        yield [csv_cell(row.get(column)) for column in columns]


def csv_response(columns: list[str], rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """Stream rows already in column order (lists of CSV-ready cells; None is an empty cell)."""
    response = StreamingHttpResponse(_csv_chunks(columns, iter(rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_object_response(data, filename: str) -> StreamingHttpResponse:
    """A single object as one row with a `data_json` column holding the JSON `data` value."""
    return csv_response(["data_json"], [[json_text(data)]], filename)


def _xlsx_cell(sheet, value):
    if isinstance(value, (dict, list, tuple)):
        value = json_text(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula
        return cell
    if isinstance(value, Decimal):
        # a number, shown at the stored scale as everywhere else
        cell = WriteOnlyCell(sheet, value=wire_decimal(value))
        cell.number_format = XLSX_AMOUNT_FORMAT
        return cell
    return value


def xlsx_response(columns: list[str], rows: Iterable[dict], filename: str, title: str = "Export") -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(columns)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, row.get(column)) for column in columns])
    handle = tempfile.TemporaryFile()  # noqa: SIM115  closed by FileResponse once sent
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
