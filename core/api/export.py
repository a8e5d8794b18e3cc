"""CSV and XLSX downloads.

CSV: UTF-8 with a BOM, header row in the declared column order, streamed so memory stays flat
whatever the row count; nested values JSON-encoded; text cells that a spreadsheet would run as a
formula (starting with = + - @, tab or carriage return) are prefixed with a quote.
XLSX: the same columns, written by openpyxl in write-only mode; text is always stored as text.
"""

import csv
import datetime
import io
import json
import tempfile
from collections.abc import Iterable
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rest_framework.utils.encoders import JSONEncoder

BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 500


def json_text(value) -> str:
    return json.dumps(value, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
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


def _csv_chunks(columns: list[str], rows: Iterable[dict]):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(columns)
    pending = 0
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])
        pending += 1
        if pending >= ROWS_PER_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def csv_response(columns: list[str], rows: Iterable[dict], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_chunks(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_object_response(data, filename: str) -> StreamingHttpResponse:
    """A single object as one row with a `data_json` column holding the JSON `data` value."""
    return csv_response(["data_json"], [{"data_json": json_text(data)}], filename)


def _xlsx_cell(sheet, value):
    if isinstance(value, (dict, list, tuple)):
        value = json_text(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula
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
