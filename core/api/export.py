"""CSV and XLSX downloads.

CSV: UTF-8 with a BOM, header row in the declared column order, streamed so memory stays flat
whatever the row count; nested values JSON-encoded; text cells that a spreadsheet would run as a
formula (starting with = + - @, tab or carriage return) are prefixed with a quote.
XLSX: the same columns, written by openpyxl in write-only mode; text is always stored as text.
"""

import datetime
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice
from types import GeneratorType

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rest_framework.renderers import BaseRenderer
from rest_framework_csv.renderers import CSVStreamingRenderer

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


def cells_of(columns: list[str], rows: Iterable[dict]) -> Iterator[list[str]]:
    """Dict rows as CSV cells in column order."""
    for row in rows:
        yield [csv_cell(row.get(column)) for column in columns]


def attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CsvRenderer(CSVStreamingRenderer):
    """`format=csv`, chosen by DRF's content negotiation: djangorestframework-csv's streaming writer and its BOM
    switch, rendering rows we have already shaped.

    The library's `tablize` flattens each item into `a.b` columns; our rows arrive as cells in column order (nested
    values JSON-encoded, text neutralised: core.api.rows), so it yields the header and the rows as they come. Its
    writer yields a row at a time; the rows are joined ROWS_PER_CHUNK at a time, so a server writes a chunk, not a
    line."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def tablize(self, data, header=None, labels=None):
        yield header
        yield from data

    def render(self, data, accepted_media_type=None, renderer_context=None):
        lines = super().render(data, accepted_media_type, {"bom": True, **(renderer_context or {})})
        while chunk := b"".join(islice(lines, ROWS_PER_CHUNK)):
            yield chunk

    def response(
        self, columns: list[str], rows: Iterable[list], filename: str, title: str = ""
    ) -> StreamingHttpResponse:
        """Stream rows already in column order (lists of CSV-ready cells; None is an empty cell)."""
        # the library renders a list or a generator (anything else is taken as one item)
        rows = rows if isinstance(rows, (list, GeneratorType)) else (row for row in rows)
        content = self.render(rows, renderer_context={"header": columns})
        content_type = f"{self.media_type}; charset={self.charset}"
        return attachment(StreamingHttpResponse(content, content_type=content_type), filename)


def object_cells(data) -> tuple[list[str], list[list[str]]]:
    """A single object as one row with a `data_json` column holding the JSON `data` value."""
    return ["data_json"], [[json_text(data)]]


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


class XlsxRenderer(BaseRenderer):
    """`format=xlsx`, chosen by DRF's content negotiation: openpyxl in write-only mode, the same columns as the
    CSV; text is always stored as text."""

    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        """The workbook of the dict rows `data`, columns `header` of the context, written to a temporary file and
        returned open at its start (a workbook is a zip: it is sent once written, from disk, not from memory)."""
        context = renderer_context or {}
        columns = context["header"]
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=context.get("title", "Export")[:31])
        sheet.append(columns)
        for row in data:
            sheet.append([_xlsx_cell(sheet, row.get(column)) for column in columns])
        handle = tempfile.TemporaryFile()  # noqa: SIM115  closed by FileResponse once sent
        workbook.save(handle)
        handle.seek(0)
        return handle

    def response(self, columns: list[str], rows: Iterable[dict], filename: str, title: str = "Export") -> FileResponse:
        handle = self.render(rows, renderer_context={"header": columns, "title": title})
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=self.media_type)


def csv_response(columns: list[str], rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    return CsvRenderer().response(columns, rows, filename)


def xlsx_response(columns: list[str], rows: Iterable[dict], filename: str, title: str = "Export") -> FileResponse:
    return XlsxRenderer().response(columns, rows, filename, title)
