"""Real import files, built in the tests: csv and txt (any delimiter, encoding, BOM, line end), xlsx (openpyxl),
xls (xlwt) and ods (odfpy), from rows of the 27-column layout."""

import csv
import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.importing.columns import COLUMNS, header_labels
from core.tests.matrix import BASE

IMPORT = f"{BASE}/contacts/import"
TEMPLATE = f"{BASE}/contacts/import/template"
FIELDS = [column.field for column in COLUMNS]


def row(type="1", first_name="Ada", mobile="0700000001", **fields) -> list:
    """One data row: the named fields in their columns, every other cell empty."""
    values = {"type": type, "first_name": first_name, "mobile": mobile, **fields}
    unknown = set(values) - set(FIELDS)
    assert not unknown, unknown
    return [values.get(name, "") for name in FIELDS]


def supplier(**fields) -> list:
    return row(**{"type": "2", "pay_term_number": "30", "pay_term_type": "days", **fields})


def _with_header(rows, header=True) -> list[list]:
    return ([header_labels()] if header else []) + [list(r) for r in rows]


def csv_bytes(rows, *, delimiter=",", bom=False, encoding="utf-8", line_end="\r\n", header=True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=line_end)
    for cells in _with_header(rows, header):
        writer.writerow(["" if c is None else c for c in cells])
    text = out.getvalue()
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def xlsx_bytes(rows, *, header=True) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for cells in _with_header(rows, header):
        sheet.append([None if c == "" else c for c in cells])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xls_bytes(rows, *, header=True) -> bytes:
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Contacts")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, cells in enumerate(_with_header(rows, header)):
        for c, value in enumerate(cells):
            if value in ("", None):
                continue
            if isinstance(value, datetime.date):
                sheet.write(r, c, value, date_style)
            else:
                sheet.write(r, c, value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ods_bytes(rows, *, header=True) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Contacts")
    for cells in _with_header(rows, header):
        table_row = TableRow()
        for value in cells:
            if value in ("", None):
                cell = TableCell()
            elif isinstance(value, bool):
                cell = TableCell(valuetype="boolean", booleanvalue=str(value).lower())
            elif isinstance(value, (int, float)):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
            elif isinstance(value, datetime.date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
                cell.addElement(P(text=value.isoformat()))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
            table_row.addElement(cell)
        table.addElement(table_row)
    document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


BUILDERS = {"csv": csv_bytes, "txt": csv_bytes, "xlsx": xlsx_bytes, "xls": xls_bytes, "ods": ods_bytes}


def upload(content: bytes, name: str = "contacts.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def post_import(client, content: bytes | None, name: str = "contacts.csv", **fields):
    data = dict(fields)
    if content is not None:
        data["contacts_csv"] = upload(content, name)
    return client.post(IMPORT, data, format="multipart")


def import_rows(client, rows, kind: str = "csv", **fields):
    return post_import(client, BUILDERS[kind](rows), f"contacts.{kind}", **fields)
