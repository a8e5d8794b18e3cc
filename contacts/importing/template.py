"""The downloadable import template: the 27 columns' header row and two example rows.

xlsx (openpyxl): a note on every header cell saying what the column holds and which values it allows, code and
phone columns formatted as text (so 0123 keeps its zero and long numbers stay whole), lists for the type and the
pay-term period, the header frozen. csv: the same header and examples, UTF-8 with a byte-order mark.
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from contacts.importing.columns import COLUMNS, TEXT_FORMAT_KINDS, TYPE_MARKERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
TEXT = "@"
SHEET_ROWS = 10_000  # rows the column formats and lists cover


def example_rows() -> list[list[str]]:
    return [[column.example[i] for column in COLUMNS] for i in (0, 1)]


def template_csv() -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.label for column in COLUMNS])
    writer.writerows(example_rows())
    return out.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Contacts"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.label)
        cell.font, cell.fill = bold, fill
        note = Comment(f"{column.label}\n\n{column.note}", "Contact import")
        note.width, note.height = 320, 140
        cell.comment = note
        sheet.column_dimensions[letter].width = max(14, min(40, len(column.label) + 2))
        if column.kind in TEXT_FORMAT_KINDS:
            # The column's own style (what a spreadsheet applies to cells typed later) and the example cells.
            sheet.column_dimensions[letter].number_format = TEXT
    for values in example_rows():
        sheet.append([value or None for value in values])
    for index, column in enumerate(COLUMNS, start=1):
        if column.kind in TEXT_FORMAT_KINDS:
            for row in range(2, 4):
                sheet.cell(row=row, column=index).number_format = TEXT
    _lists(sheet)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _lists(sheet) -> None:
    index = {column.field: i for i, column in enumerate(COLUMNS, start=1)}
    for field, values, prompt in (
        ("type", ",".join(TYPE_MARKERS), "1 customer, 2 supplier, 3 both"),
        ("pay_term_type", "days,months", "days or months"),
    ):
        letter = get_column_letter(index[field])
        rule = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True)
        rule.promptTitle, rule.prompt = "Allowed values", prompt
        rule.errorTitle, rule.error = "Not allowed", f"Use {prompt}."
        sheet.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}{SHEET_ROWS + 1}")
